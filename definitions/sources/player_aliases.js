// Raw source player_aliases; columns and descriptions live in includes/raw_tables.js.
declare({
  schema: raw_tables.datasetOf("player_aliases"),
  name: "player_aliases",
  description: raw_tables.tables.player_aliases.description,
  columns: raw_tables.columnDocs("player_aliases"),
});
