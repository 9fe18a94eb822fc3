// Raw source nbac_play_by_play; columns and descriptions live in includes/raw_tables.js.
declare({
  schema: raw_tables.datasetOf("nbac_play_by_play"),
  name: "nbac_play_by_play",
  description: raw_tables.tables.nbac_play_by_play.description,
  columns: raw_tables.columnDocs("nbac_play_by_play"),
});
