// Phase 2 raw table nba_raw.nbac_team_boxscore; columns and descriptions live in includes/raw_tables.js.
declare({
  schema: raw_tables.RAW_DATASET,
  name: "nbac_team_boxscore",
  description: raw_tables.tables.nbac_team_boxscore.description,
  columns: raw_tables.columnDocs("nbac_team_boxscore"),
});
