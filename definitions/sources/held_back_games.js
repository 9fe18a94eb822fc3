// nba_orchestration.held_back_games: the runner's record of held-back games (includes/held_back_games.js).
// Unlike the raw sources, it is the runner's own table, written by the run that reads it: with a
// schema suffix (Dataform's --schema-suffix, the runner's too) it is nba_orchestration_<suffix>, so
// that a dev run's gates read what that run held back and it never writes production's.
declare({
  schema: held_back_games.dataset(dataform.projectConfig.schemaSuffix),
  name: held_back_games.TABLE,
  description: "Games of a run date that a model did not publish, with the reason; written by the runner.",
  columns: held_back_games.columnDocs(),
});
