// Raw source nba_players_registry; columns and descriptions live in includes/raw_tables.js.
declare({
  schema: raw_tables.datasetOf("nba_players_registry"),
  name: "nba_players_registry",
  description: raw_tables.tables.nba_players_registry.description,
  columns: raw_tables.columnDocs("nba_players_registry"),
});
