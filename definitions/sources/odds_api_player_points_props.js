// Raw source odds_api_player_points_props; columns and descriptions live in includes/raw_tables.js.
declare({
  schema: raw_tables.datasetOf("odds_api_player_points_props"),
  name: "odds_api_player_points_props",
  description: raw_tables.tables.odds_api_player_points_props.description,
  columns: raw_tables.columnDocs("odds_api_player_points_props"),
});
