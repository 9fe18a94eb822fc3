// nba_orchestration.held_back_games: the runner's record of held-back games (includes/held_back_games.js).
declare({
  schema: held_back_games.DATASET,
  name: held_back_games.TABLE,
  description: "Games of a run date that a model did not publish, with the reason; written by the runner.",
  columns: held_back_games.columnDocs(),
});
