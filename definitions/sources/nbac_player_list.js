// Raw source nbac_player_list; columns and descriptions live in includes/raw_tables.js.
declare({
  schema: raw_tables.datasetOf("nbac_player_list"),
  name: "nbac_player_list",
  description: raw_tables.tables.nbac_player_list.description,
  columns: raw_tables.columnDocs("nbac_player_list"),
});
