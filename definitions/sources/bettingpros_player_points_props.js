// Raw source bettingpros_player_points_props; columns and descriptions live in includes/raw_tables.js.
declare({
  schema: raw_tables.datasetOf("bettingpros_player_points_props"),
  name: "bettingpros_player_points_props",
  description: raw_tables.tables.bettingpros_player_points_props.description,
  columns: raw_tables.columnDocs("bettingpros_player_points_props"),
});
