// Phase 2 raw table nba_raw.nbac_schedule; columns and descriptions live in includes/raw_tables.js.
declare({
  schema: raw_tables.RAW_DATASET,
  name: "nbac_schedule",
  description: raw_tables.tables.nbac_schedule.description,
  columns: raw_tables.columnDocs("nbac_schedule"),
});
