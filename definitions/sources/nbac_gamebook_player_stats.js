// Phase 2 raw table nba_raw.nbac_gamebook_player_stats; columns and descriptions live in includes/raw_tables.js.
declare({
  schema: raw_tables.RAW_DATASET,
  name: "nbac_gamebook_player_stats",
  description: raw_tables.tables.nbac_gamebook_player_stats.description,
  columns: raw_tables.columnDocs("nbac_gamebook_player_stats"),
});
