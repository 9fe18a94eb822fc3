// How the upcoming-game models read the schedule, in one place: NBA.com's latest row per game
// (what the spec calls v_nbac_schedule_latest), the ESPN scoreboard as the fallback for dates
// without any NBA.com schedule row (decision 9), and the season window both are read over.
//
// Why an include helper and an incremental model, not a view: the runner publishes a view by
// CREATE OR REPLACE with the run dates compiled into it, so two dates running at once would race
// on one view and each read the other's dates. The model nbac_schedule_latest (incremental, one
// row per game, published per game like every model) holds the run dates' games and is what the
// models read for their target games; a history window (a team's games of the season before D)
// cannot come from it, since an incremental table only holds the dates that have been run, so the
// same SQL below reads it straight from the raw table, deduplicated the same way.

const constants = require("./constants");
const runWindow = require("./run_window");

/** SQL list of string literals. */
function sqlList(values) {
  return values.map((value) => `'${value}'`).join(", ");
}

/** SQL: the game type (regular_season, playoffs, ...) of an NBA.com game id column, by its prefix. */
function gameType(column) {
  const cases = Object.entries(constants.GAME_TYPES_BY_PREFIX)
    .map(([prefix, type]) => `WHEN '${prefix}' THEN '${type}'`)
    .join(" ");
  return `CASE SUBSTR(${column}, 1, 3) ${cases} END`;
}

/** SQL: whether a status text column says the game is postponed (constants.SCHEDULE_POSTPONED_STATUS_TEXTS, any case); FALSE when NULL. */
function isPostponed(column) {
  const texts = constants.SCHEDULE_POSTPONED_STATUS_TEXTS.map((text) => text.toUpperCase());
  return `COALESCE(UPPER(TRIM(${column})) IN (${sqlList(texts)}), FALSE)`;
}

/** SQL list of the game types the upcoming-game models write and count (decision 7). */
function upcomingGameTypes() {
  return sqlList(constants.UPCOMING_GAME_TYPES);
}

/** SQL list of the 30 NBA.com tricodes. */
function nbaTricodes() {
  return sqlList(constants.NBA_TRICODES);
}

/** season_year of a date "YYYY-MM-DD": its year from October on, else the year before. */
function seasonOf(date) {
  const year = Number(date.slice(0, 4));
  return Number(date.slice(5, 7)) >= constants.SEASON_START_MONTH ? year : year - 1;
}

/**
 * The dates of the seasons the run dates fall in: from 1 October of the first date's season to
 * 30 September after the last date's season ({start, end}, "YYYY-MM-DD").
 */
function seasonWindow(startDate, endDate) {
  const month = String(constants.SEASON_START_MONTH).padStart(2, "0");
  const first = seasonOf(startDate);
  const last = seasonOf(endDate);
  const lastDay = new Date(Date.UTC(last + 1, constants.SEASON_START_MONTH - 1, 0)).toISOString().slice(0, 10);
  return { start: `${first}-${month}-01`, end: lastDay };
}

/**
 * The seasons of the run dates ({start, end}, see seasonWindow). `window` is the caller's kind of
 * run window (includes/run_window.js): the game window unless given, run_window.upcoming for the
 * upcoming-context models.
 */
function runSeasons(window = runWindow) {
  return seasonWindow(window.startDate(), window.endDate());
}

/** SQL: the seasons of the run dates as a BETWEEN predicate on `column`. */
function seasonFilter(column, window = runWindow) {
  const season = runSeasons(window);
  return `${column} BETWEEN DATE '${season.start}' AND DATE '${season.end}'`;
}

/** SQL season_year of a DATE expression, as seasonOf computes it. */
function seasonYearOf(dateSql) {
  return `IF(EXTRACT(MONTH FROM ${dateSql}) >= ${constants.SEASON_START_MONTH}, EXTRACT(YEAR FROM ${dateSql}), EXTRACT(YEAR FROM ${dateSql}) - 1)`;
}

/** SQL: one row per run date (column game_date), from start_date to end_date of `window`. */
function runDates(window = runWindow) {
  const start = window.startDate();
  const days = Math.round((Date.parse(`${window.endDate()}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86400000);
  return `
  SELECT
    DATE_ADD(DATE '${start}', INTERVAL day_offset DAY) AS game_date
  FROM UNNEST(GENERATE_ARRAY(0, ${days})) AS day_offset`;
}

/**
 * SQL: NBA.com's latest row per game among the schedule rows dated from..to (the spec's
 * v_nbac_schedule_latest): per NBA.com game id, the highest status first (a game never goes back
 * from final), then the latest load. Deduplicated per game id, not per game and date, so a game
 * moved to another date is only on its new date. A postponed date never wins over one that is not:
 * a date of the game whose own latest row (same order) is postponed (isPostponed, so a row without
 * a status text is not) ranks after every other date of the game, whatever the load order, since
 * NBA.com keeps the PPD row of the old date and a re-scrape loads it again after the new date's.
 * A game with no other date keeps its latest row there, the PPD one, with is_postponed TRUE: the
 * schedule shows why the game is not played, and the upcoming models and history windows leave
 * it out. Columns in the Phase 3 naming, with the system game id, the game type and is_postponed.
 */
function nbacLatestGames(ref, from, to) {
  return `
  SELECT
    CONCAT(FORMAT_DATE('%Y%m%d', schedule_rows.game_date), '_', schedule_rows.away_team_tricode, '_', schedule_rows.home_team_tricode) AS game_id,
    schedule_rows.game_id AS nba_game_id,
    schedule_rows.game_date,
    schedule_rows.season_year,
    ${gameType("schedule_rows.game_id")} AS game_type,
    schedule_rows.game_status,
    schedule_rows.game_status_text,
    schedule_rows.home_team_tricode AS home_team_abbr,
    schedule_rows.away_team_tricode AS away_team_abbr,
    schedule_rows.home_team_score,
    schedule_rows.away_team_score,
    schedule_rows.winning_team_tricode AS winning_team_abbr,
    schedule_rows.game_date_est,
    schedule_rows.is_primetime,
    schedule_rows.processed_at AS source_processed_at,
    schedule_rows.date_postponed AS is_postponed
  FROM (
    SELECT
      game_id,
      game_date,
      season_year,
      game_status,
      game_status_text,
      home_team_tricode,
      away_team_tricode,
      home_team_score,
      away_team_score,
      winning_team_tricode,
      game_date_est,
      is_primetime,
      processed_at,
      -- Whether the latest row of the game's date says postponed (a PPD row supersedes the
      -- earlier scheduled row of its date, a final one is never undone).
      FIRST_VALUE(${isPostponed("game_status_text")}) OVER (
        PARTITION BY game_id, game_date
        ORDER BY game_status DESC, processed_at DESC
      ) AS date_postponed
    FROM ${ref("nbac_schedule")}
    WHERE game_date BETWEEN DATE '${from}' AND DATE '${to}'
  ) AS schedule_rows
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY schedule_rows.game_id
    ORDER BY schedule_rows.date_postponed, schedule_rows.game_status DESC, schedule_rows.processed_at DESC
  ) = 1`;
}

/**
 * SQL: the ESPN scoreboard's games (latest load per ESPN game) on the dates from..to that have no
 * NBA.com schedule row at all, between two NBA teams, with ESPN's state as the schedule's status
 * (1 scheduled, 2 in progress, 3 final) and the winner from its winner flags. ESPN has no NBA.com
 * ids, so nba_game_id and game_type are NULL.
 */
function espnFallbackGames(ref, from, to) {
  return `
  SELECT
    espn_rows.game_id,
    CAST(NULL AS STRING) AS nba_game_id,
    espn_rows.game_date,
    espn_rows.season_year,
    CAST(NULL AS STRING) AS game_type,
    CASE espn_rows.game_status
      WHEN 'final' THEN ${constants.GAME_STATUS_FINAL}
      WHEN 'in_progress' THEN ${constants.GAME_STATUS_IN_PROGRESS}
      WHEN 'scheduled' THEN ${constants.GAME_STATUS_SCHEDULED}
    END AS game_status,
    espn_rows.home_team_abbr,
    espn_rows.away_team_abbr,
    espn_rows.home_team_score,
    espn_rows.away_team_score,
    CASE
      WHEN espn_rows.home_team_winner THEN espn_rows.home_team_abbr
      WHEN espn_rows.away_team_winner THEN espn_rows.away_team_abbr
    END AS winning_team_abbr,
    espn_rows.processed_at AS source_processed_at
  FROM (
    SELECT
      game_id,
      game_date,
      season_year,
      game_status,
      home_team_abbr,
      away_team_abbr,
      home_team_score,
      away_team_score,
      home_team_winner,
      away_team_winner,
      processed_at,
      ROW_NUMBER() OVER (PARTITION BY espn_game_id ORDER BY processed_at DESC) AS latest_rank
    FROM ${ref("espn_scoreboard")}
    WHERE game_date BETWEEN DATE '${from}' AND DATE '${to}'
  ) AS espn_rows
  LEFT JOIN (
    SELECT DISTINCT
      game_date
    FROM ${ref("nbac_schedule")}
    WHERE game_date BETWEEN DATE '${from}' AND DATE '${to}'
  ) AS nbac_dates
    ON nbac_dates.game_date = espn_rows.game_date
  WHERE espn_rows.latest_rank = 1
    AND nbac_dates.game_date IS NULL
    AND espn_rows.home_team_abbr IN (${nbaTricodes()})
    AND espn_rows.away_team_abbr IN (${nbaTricodes()})`;
}

/**
 * SQL: every game dated from..to, one row each: NBA.com's latest row per game, plus the ESPN
 * games of the dates NBA.com has no row on (schedule_source says which). A game NBA.com only has
 * postponed rows of is no game here (it is not played on any date yet); a date whose only rows are
 * postponed still has NBA.com rows, so ESPN does not fill it.
 */
function scheduleGames(ref, from, to) {
  const columns = `
    game_id,
    nba_game_id,
    game_date,
    season_year,
    game_type,
    game_status,
    home_team_abbr,
    away_team_abbr,
    home_team_score,
    away_team_score,
    winning_team_abbr,`;
  return `
  SELECT${columns}
    'nbac_schedule' AS schedule_source
  FROM (${nbacLatestGames(ref, from, to)}
  ) AS nbac_games
  WHERE NOT nbac_games.is_postponed
  UNION ALL
  SELECT${columns}
    'espn_scoreboard' AS schedule_source
  FROM (${espnFallbackGames(ref, from, to)}
  ) AS espn_games`;
}

module.exports = {
  gameType,
  isPostponed,
  upcomingGameTypes,
  nbaTricodes,
  seasonOf,
  seasonWindow,
  runSeasons,
  seasonFilter,
  seasonYearOf,
  runDates,
  nbacLatestGames,
  espnFallbackGames,
  scheduleGames,
};
