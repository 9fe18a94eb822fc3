// Phase 2 raw table nba_raw.odds_api_game_lines; columns and descriptions live in includes/raw_tables.js.
declare({
  schema: raw_tables.datasetOf("odds_api_game_lines"),
  name: "odds_api_game_lines",
  description: raw_tables.tables.odds_api_game_lines.description,
  columns: raw_tables.columnDocs("odds_api_game_lines"),
});
