// Phase 2 raw table nba_raw.bdl_player_boxscores; columns and descriptions live in includes/raw_tables.js.
declare({
  schema: raw_tables.RAW_DATASET,
  name: "bdl_player_boxscores",
  description: raw_tables.tables.bdl_player_boxscores.description,
  columns: raw_tables.columnDocs("bdl_player_boxscores"),
});
