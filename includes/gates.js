// What the readiness gates share: the games expected on the run dates (Final in the schedule),
// the games that have player box scores, and the completeness thresholds (spec 4.7.1) with their
// per-run overrides (vars, declared and checked in includes/vars.js). Functions take the caller's
// ref() so the gate depends on the raw tables.

const constants = require("./constants");
const runWindow = require("./run_window");
const vars = require("./vars");

/** SQL: distinct (game_date, game_id) with player rows in any source (gamebook active, NBA.com, balldontlie). */
function gamesWithPlayerRows(ref) {
  const window = runWindow.filter("game_date");
  return `
  SELECT
    game_date,
    game_id
  FROM ${ref("nbac_gamebook_player_stats")}
  WHERE ${window}
    AND player_status = 'active'
  UNION DISTINCT
  SELECT
    game_date,
    game_id
  FROM ${ref("nbac_player_boxscores")}
  WHERE ${window}
  UNION DISTINCT
  SELECT
    game_date,
    game_id
  FROM ${ref("bdl_player_boxscores")}
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

/** Coverage (percent of a date's expected games complete) from which boxscores_complete lets the date through. */
function coverageMinPct() {
  return vars.number("boxscore_coverage_min_pct");
}

/** Age in days from which a date is let through whatever is missing. */
function stalenessDays() {
  return vars.number("boxscore_staleness_days");
}

/** SQL date the staleness of the run dates is measured from: var as_of_date, else today in the schedule's timezone. */
function asOfDate() {
  const value = vars.date("as_of_date");
  return value === null ? `CURRENT_DATE('${constants.SCHEDULE_TIMEZONE}')` : `DATE '${value}'`;
}

/** SQL literal TRUE or FALSE: whether the gates also return the games a rule lets through (var report_gate_bypasses). */
function reportGateBypasses() {
  return vars.boolean("report_gate_bypasses") ? "TRUE" : "FALSE";
}

module.exports = { gamesWithPlayerRows, finalGames, coverageMinPct, stalenessDays, asOfDate, reportGateBypasses };
