// What the readiness gates share: the games expected on the run dates (Final in the schedule),
// the games that have player box scores, and the completeness thresholds (spec 4.7.1) with their
// per-run overrides. Functions take the caller's ref() so the gate depends on the raw tables.

const constants = require("./constants");
const runWindow = require("./run_window");

/** SQL: distinct (game_date, game_id) with player rows in any source (gamebook active, NBA.com, balldontlie). */
function gamesWithPlayerRows(ref) {
  const window = runWindow.filter("game_date");
  return `
  SELECT game_date, game_id FROM ${ref("nbac_gamebook_player_stats")}
  WHERE ${window} AND player_status = 'active'
  UNION DISTINCT
  SELECT game_date, game_id FROM ${ref("nbac_player_boxscores")}
  WHERE ${window}
  UNION DISTINCT
  SELECT game_date, game_id FROM ${ref("bdl_player_boxscores")}
  WHERE ${window}`;
}

/** SQL: the Final games of the run dates that box scores are expected for, with their system game_id. */
function finalGames(ref) {
  const prefixes = constants.GATED_GAME_TYPE_PREFIXES.map((prefix) => `'${prefix}'`).join(", ");
  return `
  SELECT DISTINCT
    game_date,
    game_id AS nba_game_id,
    CONCAT(FORMAT_DATE('%Y%m%d', game_date), '_', away_team_tricode, '_', home_team_tricode) AS game_id
  FROM ${ref("nbac_schedule")}
  WHERE ${runWindow.filter("game_date")}
    AND game_status = ${constants.GAME_STATUS_FINAL}
    AND SUBSTR(game_id, 1, 3) IN (${prefixes})`;
}

function numberVar(name, fallback) {
  const value = dataform.projectConfig.vars[name];
  if (value === undefined) return fallback;
  if (!/^\d+(\.\d+)?$/.test(value)) throw new Error(`var ${name} must be a non-negative number, got ${JSON.stringify(value)}`);
  return Number(value);
}

function coverageMinPct() {
  return numberVar("boxscore_coverage_min_pct", constants.BOXSCORE_COVERAGE_MIN_PCT);
}

function stalenessDays() {
  return numberVar("boxscore_staleness_days", constants.BOXSCORE_STALENESS_DAYS);
}

/** SQL date the staleness of the run dates is measured from: var as_of_date, else today in the schedule's timezone. */
function asOfDate() {
  const value = dataform.projectConfig.vars.as_of_date;
  if (value === undefined) return `CURRENT_DATE('${constants.SCHEDULE_TIMEZONE}')`;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new Error(`var as_of_date must be a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  return `DATE '${value}'`;
}

module.exports = { gamesWithPlayerRows, finalGames, coverageMinPct, stalenessDays, asOfDate };
