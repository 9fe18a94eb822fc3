// The one table of held-back games (DESIGN section 6): every game of a run date that a model did
// not publish, with the reason. The runner writes it as it publishes each model (its current
// answer for the model and the run dates replaces the previous one); the gates and the runner read
// it, so a game that is held back and reported never blocks a date. Declared in
// definitions/sources/held_back_games.js so SQL can ref() it.

const DATASET = "nba_orchestration";
const TABLE = "held_back_games";

const columns = {
  game_date: ["DATE", "Run date of the game; partition column."],
  game_id: ["STRING", "System game id YYYYMMDD_AWAY_HOME."],
  model: ["STRING", "The model that did not publish the game."],
  reason: ["STRING", "source_incomplete (no complete, final source, or a game its date's schedule does not have), rejected (a row broke an error rule or its player_lookup was ambiguous) or upstream_held_back (a model it reads held the game back)."],
  detail: ["STRING", "The reason in words: the failed source checks, the rules broken, or the upstream model."],
  run_id: ["STRING", "The run that held the game back."],
  held_at: ["TIMESTAMP", "When the run recorded it."],
};

// The dataset under a schema suffix (`<dataset>_<suffix>`, as Dataform names the project's own
// datasets), the plain one without.
function dataset(schemaSuffix) {
  return schemaSuffix ? `${DATASET}_${schemaSuffix}` : DATASET;
}

function columnDocs() {
  return Object.fromEntries(Object.entries(columns).map(([name, [, description]]) => [name, description]));
}

module.exports = { DATASET, TABLE, columns, columnDocs, dataset };
