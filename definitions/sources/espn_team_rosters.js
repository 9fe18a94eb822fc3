// Raw source espn_team_rosters; columns and descriptions live in includes/raw_tables.js.
declare({
  schema: raw_tables.datasetOf("espn_team_rosters"),
  name: "espn_team_rosters",
  description: raw_tables.tables.espn_team_rosters.description,
  columns: raw_tables.columnDocs("espn_team_rosters"),
});
