// Phase 2 raw table nba_raw.nbac_injury_report; columns and descriptions live in includes/raw_tables.js.
declare({
  schema: raw_tables.datasetOf("nbac_injury_report"),
  name: "nbac_injury_report",
  description: raw_tables.tables.nbac_injury_report.description,
  columns: raw_tables.columnDocs("nbac_injury_report"),
});
