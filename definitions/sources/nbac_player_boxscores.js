// Phase 2 raw table nba_raw.nbac_player_boxscores; columns and descriptions live in includes/raw_tables.js.
declare({
  schema: raw_tables.RAW_DATASET,
  name: "nbac_player_boxscores",
  description: raw_tables.tables.nbac_player_boxscores.description,
  columns: raw_tables.columnDocs("nbac_player_boxscores"),
});
