// Phase 2 raw table nba_raw.espn_scoreboard; columns and descriptions live in includes/raw_tables.js.
declare({
  schema: raw_tables.datasetOf("espn_scoreboard"),
  name: "espn_scoreboard",
  description: raw_tables.tables.espn_scoreboard.description,
  columns: raw_tables.columnDocs("espn_scoreboard"),
});
