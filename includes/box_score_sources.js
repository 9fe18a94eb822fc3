// The raw box-score sources of a game as the completeness checks (game_source_checks) and the
// player box score (player_game_boxscore) both read them, written once. Functions take the caller's
// ref() so the model depends on the raw tables.
//
// Two rules apply to every source here:
// - A game's rows come from its latest load: Phase 2 appends a whole game on every (re-)scrape, so
//   within a source the rows of a game that share its latest (processed_at, source_file_path)
//   replace the earlier loads' rows as a whole. A player missing from the re-scrape is gone, a
//   renamed one is not counted twice.
// - Exact duplicate rows inside one load are one row (counted in duplicate_copies, which
//   game_source_checks reports); rows that differ are all kept, for the checks to judge.
// - No line is left out here: a line without player_lookup still counts in its team's points and
//   minutes, and player_game_boxscore rejects it (pre-write rule player_lookup_known), holding its
//   game back whole. Dropping it lost the player from a published game without a word.

const constants = require("./constants");
const runWindow = require("./run_window");

/** The player sources in priority order: the first whose rows pass the checks wins the game. */
const PLAYER_SOURCES = [
  { priority: 1, name: "nbac_gamebook", table: "nbac_gamebook_player_stats" },
  { priority: 2, name: "nbac_boxscores", table: "nbac_player_boxscores" },
  { priority: 3, name: "bdl_boxscores", table: "bdl_player_boxscores" },
];

const STAT_COLUMNS = [
  "points",
  "field_goals_made",
  "field_goals_attempted",
  "three_pointers_made",
  "three_pointers_attempted",
  "free_throws_made",
  "free_throws_attempted",
  "offensive_rebounds",
  "defensive_rebounds",
  "assists",
  "steals",
  "blocks",
  "turnovers",
  "personal_fouls",
];

/**
 * One source's columns in the shared shape, in order: [name, the source's expression]; columns a
 * source lacks are typed NULLs.
 */
function sourceColumns(source) {
  const gamebook = source.name === "nbac_gamebook";
  const bdl = source.name === "bdl_boxscores";
  const nbac = source.name === "nbac_boxscores";
  const own = (name) => [name, name];
  return [
    ["source_priority", String(source.priority)],
    ["source_name", `'${source.name}'`],
    own("game_id"),
    own("game_date"),
    own("season_year"),
    own("player_lookup"),
    ["player_full_name", gamebook ? "player_name" : "player_full_name"],
    own("team_abbr"),
    ["nba_player_id", nbac ? "nba_player_id" : "CAST(NULL AS INT64)"],
    ["bdl_player_id", bdl ? "bdl_player_id" : "CAST(NULL AS INT64)"],
    ["player_status", gamebook ? "player_status" : "'active'"],
    ["dnp_reason", gamebook ? "dnp_reason" : "CAST(NULL AS STRING)"],
    own("minutes"),
    ...STAT_COLUMNS.map(own),
    ["plus_minus", bdl ? "CAST(NULL AS INT64)" : "plus_minus"],
    // The gamebook is printed after the game: it counts as final.
    ["source_game_status", gamebook ? "'Final'" : "game_status"],
    ["source_period", bdl ? "period" : "CAST(NULL AS INT64)"],
    ["source_home_score", bdl ? "home_team_score" : "CAST(NULL AS INT64)"],
    ["source_away_score", bdl ? "away_team_score" : "CAST(NULL AS INT64)"],
    own("source_file_path"),
    own("processed_at"),
  ];
}

function sourceSelect(ref, source) {
  const columns = sourceColumns(source).map(([name, expression]) => (expression === name ? name : `${expression} AS ${name}`));
  return `
  SELECT
    ${columns.join(",\n    ")}
  FROM ${ref(source.table)}
  WHERE ${runWindow.filter("game_date")}`;
}

/** What makes a player line: rows of one load equal in all of these are copies of one line. */
const LINE_COLUMNS = [
  "source_priority",
  "game_id",
  "player_lookup",
  "team_abbr",
  "nba_player_id",
  "bdl_player_id",
  "player_full_name",
  "player_status",
  "dnp_reason",
  "minutes",
  ...STAT_COLUMNS,
  "plus_minus",
];

/**
 * SQL: every player row of the latest load of each game in each source, one row per distinct
 * line, with minutes parsed and participation decided.
 *
 * - minutes_decimal: "MM:SS" -> MM + SS/60 (seconds outside 0-59 make it NULL); a plain number is
 *   whole minutes; anything else (NULL, '', '-', "12:75") is NULL. minutes_format says which.
 * - played: an active player whose minutes are zero, or who has neither minutes nor points, did
 *   not take the floor (balldontlie prints 0 for everyone listed), unless a stat of his is not
 *   zero: a source in whole minutes prints 0 for under half a minute on the floor (the league game
 *   log's Andre Jackson Jr., MIN 0 and a foul, 2025-03-15). An active player with stats but NULL
 *   or unreadable minutes played: he keeps his stats, with NULL minutes (spec 2.3).
 */
function playerRows(ref) {
  return `
  WITH
  all_sources AS (${PLAYER_SOURCES.map((source) => sourceSelect(ref, source)).join("\n  UNION ALL")}
  ),
  latest_load AS (
    SELECT
      *
    FROM all_sources
    QUALIFY DENSE_RANK() OVER (
      PARTITION BY source_priority, game_id
      ORDER BY processed_at DESC, source_file_path DESC
    ) = 1
  ),
  distinct_lines AS (
    -- One row per line (grouped, not ranked: a window over two dozen keys costs DuckDB ten times
    -- the aggregate); the other columns are the load's, the same on each copy.
    SELECT
      ${sourceColumns(PLAYER_SOURCES[0])
        .map(([column]) => (LINE_COLUMNS.includes(column) ? column : `ANY_VALUE(${column}) AS ${column}`))
        .join(",\n      ")},
      COUNT(*) - 1 AS duplicate_copies
    FROM latest_load
    GROUP BY
      ${LINE_COLUMNS.join(",\n      ")}
  ),
  minutes_parsed AS (
    SELECT
      *,
      CASE
        WHEN REGEXP_CONTAINS(minutes, r'^[0-9]+:[0-9][0-9]?$') THEN
          IF(
            SAFE_CAST(SPLIT(minutes, ':')[OFFSET(1)] AS INT64) < ${constants.SECONDS_PER_MINUTE},
            SAFE_CAST(SPLIT(minutes, ':')[OFFSET(0)] AS INT64)
              + SAFE_CAST(SPLIT(minutes, ':')[OFFSET(1)] AS INT64) / ${constants.SECONDS_PER_MINUTE},
            NULL
          )
        WHEN REGEXP_CONTAINS(minutes, r'^[0-9]+([.][0-9]+)?$') THEN SAFE_CAST(minutes AS FLOAT64)
      END AS minutes_decimal,
      CASE
        WHEN REGEXP_CONTAINS(minutes, r'^[0-9]+:[0-9][0-9]?$') THEN 'mmss'
        WHEN REGEXP_CONTAINS(minutes, r'^[0-9]+([.][0-9]+)?$') THEN 'whole'
      END AS minutes_format
    FROM distinct_lines
  )
  SELECT
    *,
    player_status = 'active' AND (
      NOT COALESCE(minutes_decimal = 0, points IS NULL)
      OR ${STAT_COLUMNS.map((column) => `COALESCE(${column} != 0, FALSE)`).join("\n      OR ")}
    ) AS played,
    SPLIT(game_id, '_')[SAFE_OFFSET(2)] AS home_team_abbr,
    SPLIT(game_id, '_')[SAFE_OFFSET(1)] AS away_team_abbr
  FROM minutes_parsed`;
}

/**
 * What a team box score must share with its own players (the chosen player source's players who
 * took the floor, summed as team_game_boxscore rebuilds a team): [team box score column, players'
 * total, label, rule]. Shots, points, assists, steals, blocks and personal fouls are the players'
 * sums exactly (the real NBA.com box score of 0022400561 agrees on every one, both teams);
 * turnovers and rebounds may be more, never less: a team is charged turnovers no player is
 * (shot-clock, 8-second violations) and credited team rebounds.
 */
const TEAM_TOTAL_CHECKS = [
  ["points", "points", "PTS", "equal"],
  ["fg_made", "field_goals_made", "FGM", "equal"],
  ["fg_attempted", "field_goals_attempted", "FGA", "equal"],
  ["three_pt_made", "three_pointers_made", "3PM", "equal"],
  ["three_pt_attempted", "three_pointers_attempted", "3PA", "equal"],
  ["ft_made", "free_throws_made", "FTM", "equal"],
  ["ft_attempted", "free_throws_attempted", "FTA", "equal"],
  ["assists", "assists", "AST", "equal"],
  ["steals", "steals", "STL", "equal"],
  ["blocks", "blocks", "BLK", "equal"],
  ["personal_fouls", "personal_fouls", "PF", "equal"],
  ["offensive_rebounds", "offensive_rebounds", "OREB", "at_least"],
  ["defensive_rebounds", "defensive_rebounds", "DREB", "at_least"],
  ["total_rebounds", "total_rebounds", "REB", "at_least"],
  ["turnovers", "turnovers", "TOV", "at_least"],
];

/**
 * SQL: the players' totals TEAM_TOTAL_CHECKS compares, as columns named like the team box
 * score's, over player_rows already filtered to the players who took the floor and grouped by team.
 */
function playerTeamTotals() {
  const sum = (column) => `COALESCE(SUM(${column}), 0)`;
  return TEAM_TOTAL_CHECKS.map(([team, players]) =>
    players === "total_rebounds" ? `${sum("offensive_rebounds")} + ${sum("defensive_rebounds")} AS ${team}` : `${sum(players)} AS ${team}`,
  ).join(",\n    ");
}

/**
 * SQL: the ways one team box score row (alias `team`) disagrees with its players' totals (alias
 * `players`, from playerTeamTotals), as one string ("PHX FGA 129, players 89; PHX TOV 9, below
 * players 11"), '' when it agrees. A figure the team box score lacks (NULL) disagrees.
 */
function teamTotalDisagreements() {
  const items = TEAM_TOTAL_CHECKS.map(([column, , label, rule]) => {
    const broken = rule === "equal" ? `COALESCE(team.${column} != players.${column}, TRUE)` : `COALESCE(team.${column} < players.${column}, TRUE)`;
    const figure = (alias) => `COALESCE(CAST(${alias}.${column} AS STRING), 'none')`;
    const text = `CONCAT(team.team_abbr, ' ${label} ', ${figure("team")}, ', ${rule === "equal" ? "players" : "below players"} ', ${figure("players")})`;
    return `IF(${broken}, ${text}, NULL)`;
  });
  return `ARRAY_TO_STRING([\n      ${items.join(",\n      ")}\n    ], '; ')`;
}

/**
 * SQL: the NBA.com team box score rows of the latest load of each game, with the system game_id
 * re-derived from the date and the home flag (spec 0: some loads wrote it HOME_AWAY) and the
 * reported team player-minutes ("265:00" -> 265).
 */
function teamBoxscoreRows(ref) {
  return `
  WITH
  loaded AS (
    SELECT
      game_id,
      nba_game_id,
      game_date,
      season_year,
      team_abbr,
      is_home,
      minutes,
      fg_made,
      fg_attempted,
      three_pt_made,
      three_pt_attempted,
      ft_made,
      ft_attempted,
      offensive_rebounds,
      defensive_rebounds,
      total_rebounds,
      assists,
      steals,
      blocks,
      turnovers,
      personal_fouls,
      points,
      plus_minus,
      source_file_path,
      processed_at,
      IF(SPLIT(game_id, '_')[SAFE_OFFSET(1)] = team_abbr,
        SPLIT(game_id, '_')[SAFE_OFFSET(2)],
        SPLIT(game_id, '_')[SAFE_OFFSET(1)]) AS other_team_abbr
    FROM ${ref("nbac_team_boxscore")}
    WHERE ${runWindow.filter("game_date")}
  ),
  rederived AS (
    SELECT
      * EXCEPT (game_id),
      CONCAT(
        FORMAT_DATE('%Y%m%d', game_date), '_',
        IF(is_home, other_team_abbr, team_abbr), '_',
        IF(is_home, team_abbr, other_team_abbr)
      ) AS game_id,
      SAFE_CAST(SPLIT(minutes, ':')[SAFE_OFFSET(0)] AS INT64) AS reported_team_minutes
    FROM loaded
  )
  SELECT
    *
  FROM rederived
  QUALIFY DENSE_RANK() OVER (
    PARTITION BY game_id
    ORDER BY processed_at DESC, source_file_path DESC
  ) = 1`;
}

module.exports = { PLAYER_SOURCES, TEAM_TOTAL_CHECKS, playerRows, playerTeamTotals, teamBoxscoreRows, teamTotalDisagreements };
