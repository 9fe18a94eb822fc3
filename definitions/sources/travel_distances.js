// Reference table nba_static.travel_distances; columns and descriptions live in includes/raw_tables.js.
declare({
  schema: raw_tables.datasetOf("travel_distances"),
  name: "travel_distances",
  description: raw_tables.tables.travel_distances.description,
  columns: raw_tables.columnDocs("travel_distances"),
});
