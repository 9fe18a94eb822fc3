// Raw source bigdataball_play_by_play; columns and descriptions live in includes/raw_tables.js.
declare({
  schema: raw_tables.datasetOf("bigdataball_play_by_play"),
  name: "bigdataball_play_by_play",
  description: raw_tables.tables.bigdataball_play_by_play.description,
  columns: raw_tables.columnDocs("bigdataball_play_by_play"),
});
