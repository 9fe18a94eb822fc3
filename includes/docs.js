// Descriptions of the Phase 3 tables and their columns, kept once. A column that means the same in
// several tables is described once in COLUMNS; a table lists its columns in output order, with a
// table-specific wording only where the meaning differs. A test checks that every model outputs
// exactly the columns listed here.

const c = require("./constants");

const COLUMNS = {
  game_id: "System game id YYYYMMDD_AWAY_HOME.",
  nba_game_id: "NBA.com numeric game id (NULL when the row was rebuilt from player rows).",
  game_date: "Eastern-time date of the game; partition column.",
  season_year: "Starting year of the season (2024 = 2024-25).",
  team_abbr: "NBA.com tricode of the team.",
  opponent_team_abbr: "NBA.com tricode of the other team in the game.",
  home_game: "TRUE when the team played at home.",
  player_lookup: "Normalised player name key; with game_date, the key of the row.",
  player_full_name: "Player name as the chosen source prints it.",
  player_status: "active, dnp (listed but did not play, including active players with no minutes) or inactive.",
  dnp_reason: "Gamebook text explaining why the player did not play (NULL for active players).",
  minutes_decimal: "Minutes played as a decimal (MM + SS/60), unrounded; NULL when the player did not play.",
  points: "Points scored.",
  fg_makes: "Field goals made.",
  fg_attempts: "Field goals attempted.",
  three_pt_makes: "Three-pointers made.",
  three_pt_attempts: "Three-pointers attempted.",
  ft_makes: "Free throws made.",
  ft_attempts: "Free throws attempted.",
  offensive_rebounds: "Offensive rebounds.",
  defensive_rebounds: "Defensive rebounds.",
  rebounds: "Total rebounds.",
  assists: "Assists.",
  steals: "Steals.",
  blocks: "Blocks.",
  turnovers: "Turnovers.",
  personal_fouls: "Personal fouls.",
  plus_minus: "Plus/minus (NULL when the source has none).",
  overtime_periods: `Overtime periods: (team player-minutes - ${c.REGULATION_TEAM_MINUTES}) / ${c.OVERTIME_TEAM_MINUTES}, rounded, never negative; the same for both teams of a game.`,
  team_minutes: `Team player-minutes of the game: ${c.REGULATION_TEAM_MINUTES} in regulation plus ${c.OVERTIME_TEAM_MINUTES} per overtime period.`,
  win_flag: "TRUE when the team won the game (NULL when the result is unknown).",
  margin_of_victory: "Team points minus opponent points.",
  quality_tier: "gold when the most trusted source was used, silver for a fallback source.",
  quality_score: `${c.QUALITY_SCORE_PRIMARY} for the most trusted source, ${c.QUALITY_SCORE_FALLBACK} for a fallback.`,
  processed_at: "When the runner last wrote this row (unchanged rows keep their time on re-runs).",
};

const TABLES = {
  game_source_checks: {
    description:
      "One row per game of the run dates, expected (in the schedule) or seen in any source: which player and team source the game is published from and the result of each completeness check, or why the whole game is held back.",
    columns: [
      "game_id", "nba_game_id", "game_date",
      ["home_team_abbr", "Home team tricode (from the system game id)."],
      ["away_team_abbr", "Away team tricode (from the system game id)."],
      ["is_expected", "TRUE when the game must be complete for the date: a schedule game of a gated type, or any game seen on a date without schedule."],
      ["expected_by", "schedule, or sources_no_schedule when the date has no schedule row (every game seen must then be complete)."],
      ["schedule_status", "Latest schedule status of the game (1 scheduled, 2 in progress, 3 final); NULL when not in the schedule."],
      ["gamebook_check", "passed, or the first check nbac_gamebook_player_stats failed for the game; NULL when that source has no rows."],
      ["nbac_boxscores_check", "passed, or the first check nbac_player_boxscores failed for the game; NULL when that source has no rows."],
      ["bdl_boxscores_check", "passed, or the first check bdl_player_boxscores failed for the game; NULL when that source has no rows."],
      ["player_source", "The first player source in priority order that passed: nbac_gamebook, nbac_boxscores or bdl_boxscores; NULL when the game is held back."],
      ["team_source", "nbac_team_boxscore when both of its rows are usable and score what the player source scores, else reconstructed_from_<player source>; NULL when held back."],
      ["home_points", "Home points summed over the chosen source's players."],
      ["away_points", "Away points summed over the chosen source's players."],
      ["final_score_source", "What the players' points were checked against: nbac_schedule, nbac_team_boxscore or bdl_game_score (balldontlie's final game score)."],
      "overtime_periods",
      ["overtime_source", "Where the overtime periods come from: nbac_team_boxscore (MIN), bdl_period, nbac_schedule_status, or inferred_from_minutes when no independent source has them."],
      ["minutes_unchecked_teams", "Teams (0-2) whose minutes check was skipped because an active player has no readable minutes; points still decided. NULL when the game is held back."],
      ["duplicate_rows", "Exact duplicate rows inside the chosen source's latest load, counted once. NULL when the game is held back."],
      ["held_back_reason", "Why no source could be published for the game; NULL when it is published."],
      ["processed_at", "When the runner last wrote this row."],
    ],
  },

  player_game_boxscore: {
    description:
      "One row per player line per game published by game_source_checks. Intermediate: the player box score from the one source chosen for the game (NBA.com gamebook, else NBA.com player box scores, else balldontlie), latest load, minutes parsed, non-participants normalised to dnp with NULL stats.",
    columns: [
      "game_id", "game_date", "season_year",
      ["player_key", "The player within the game: player_lookup/team/source person id (an ordinal is appended when one source lists one name twice on one team without ids)."],
      "player_lookup",
      ["nba_player_id", "NBA.com person id, when the source has one (NBA.com player box scores)."],
      ["bdl_player_id", "balldontlie player id, when the source is balldontlie."],
      "player_full_name",
      ["team_abbr", "NBA.com tricode of the player's team; taken from another source's listing of the player in the same game when the chosen source has none; NULL when unknown (the row is then rejected)."],
      "opponent_team_abbr", "home_game", "player_status", "dnp_reason", "minutes_decimal", "points",
      "fg_makes", "fg_attempts", "three_pt_makes", "three_pt_attempts", "ft_makes", "ft_attempts",
      "offensive_rebounds", "defensive_rebounds", "assists", "steals", "blocks", "turnovers",
      "personal_fouls", "plus_minus",
      ["primary_source_used", "Source chosen for the game: nbac_gamebook, nbac_boxscores or bdl_boxscores."],
      ["source_processed_at", "processed_at of the raw load used."],
      "processed_at",
    ],
  },

  team_game_boxscore: {
    description:
      "One row per team per game. Intermediate: the team box score from the best source for the game (NBA.com team box score, else the sum of the team's players in player_game_boxscore), with overtime periods and team minutes.",
    columns: [
      "game_id", "nba_game_id", "game_date", "season_year", "team_abbr", "opponent_team_abbr",
      "home_game", "points", "fg_makes", "fg_attempts", "three_pt_makes", "three_pt_attempts",
      "ft_makes", "ft_attempts", "offensive_rebounds", "defensive_rebounds", "rebounds", "assists",
      "steals", "blocks", "turnovers", "personal_fouls", "plus_minus", "overtime_periods",
      "team_minutes",
      ["primary_source_used", "team_source of game_source_checks: nbac_team_boxscore, or reconstructed_from_<player source> when summed from player rows."],
      "quality_tier", "quality_score", "processed_at",
    ],
  },

  team_offense_game_summary: {
    description:
      "One row per team per game: the team's offensive box score, possessions, offensive rating, pace and true shooting, with the game result.",
    columns: [
      "game_id", "nba_game_id", "game_date", "team_abbr", "opponent_team_abbr", "season_year",
      ["points_scored", "Points scored by the team."],
      "fg_attempts", "fg_makes", "three_pt_attempts", "three_pt_makes", "ft_attempts", "ft_makes",
      "rebounds", "assists", "turnovers", "personal_fouls",
      ["possessions", `Possessions estimate FGA + ${c.FREE_THROW_POSSESSION_FACTOR} * FTA + TOV - OREB, truncated to a whole number.`],
      ["offensive_rating", "Points per 100 possessions (one-decimal possession estimate), 2 decimals; NULL without possessions."],
      ["pace", `Possessions per ${c.REGULATION_GAME_MINUTES} minutes of game time (team minutes / ${c.PLAYERS_ON_FLOOR}), 1 decimal; overtime aware.`],
      ["ts_pct", `True shooting: points / (2 * (FGA + ${c.FREE_THROW_POSSESSION_FACTOR} * FTA)), 3 decimals.`],
      "home_game", "win_flag", "margin_of_victory", "overtime_periods", "team_minutes",
      ["primary_source_used", "nbac_team_boxscore, or reconstructed_from_<player source> when summed from player rows."],
      "quality_tier", "quality_score", "processed_at",
    ],
  },

  team_defense_game_summary: {
    description:
      "One row per defending team per game: the opponent's box score against it, defensive rating, opponent pace and true shooting, and the defender's own steals and defensive rebounds from its players.",
    columns: [
      "game_id", "game_date",
      ["defending_team_abbr", "NBA.com tricode of the defending team; with game_date, the key of the row."],
      "opponent_team_abbr", "season_year",
      ["points_allowed", "Points scored by the opponent."],
      ["opp_fg_attempts", "Opponent field goals attempted."],
      ["opp_fg_makes", "Opponent field goals made."],
      ["opp_three_pt_attempts", "Opponent three-pointers attempted."],
      ["opp_three_pt_makes", "Opponent three-pointers made."],
      ["opp_ft_attempts", "Opponent free throws attempted."],
      ["opp_ft_makes", "Opponent free throws made."],
      ["opp_rebounds", "Opponent total rebounds."],
      ["opp_assists", "Opponent assists."],
      ["turnovers_forced", "Opponent turnovers."],
      ["fouls_committed", "Personal fouls of the defending team."],
      ["three_pt_points_allowed", `${c.POINTS_PER_THREE} * opponent three-pointers made.`],
      ["steals", "Steals of the defending team, summed over its active players (0 when its player rows are missing)."],
      ["defensive_rebounds", "Defensive rebounds of the defending team, summed over its active players (0 when its player rows are missing)."],
      ["defensive_rating", "Points allowed per 100 opponent possessions, 2 decimals; equals the opponent's offensive_rating."],
      ["opponent_pace", `Opponent possessions per ${c.REGULATION_GAME_MINUTES} minutes of game time, 1 decimal; overtime aware.`],
      ["opponent_ts_pct", `Opponent true shooting: points / (2 * (FGA + ${c.FREE_THROW_POSSESSION_FACTOR} * FTA)), 3 decimals.`],
      "home_game", "win_flag", "margin_of_victory", "overtime_periods",
      ["primary_source_used", "Team source, plus '+<player source>' when the defensive actions came from player rows."],
      ["processed_with_issues", "TRUE when the defending team's player rows were missing (steals and defensive rebounds set to 0)."],
      "quality_tier", "quality_score", "processed_at",
    ],
  },

  nbac_schedule_latest: {
    description:
      "One row per NBA.com schedule game of the run dates (the spec's v_nbac_schedule_latest): the latest schedule row of each game, highest status first, then the latest load, with the system game id and the game type. An incremental table, not a view: see includes/schedule_sources.js.",
    columns: [
      "game_id",
      ["nba_game_id", "NBA.com numeric game id, e.g. 0022400561."],
      "game_date", "season_year",
      ["game_type", "regular_season, playoffs, play_in, cup_final (the NBA Cup final), preseason or all_star, from the NBA.com id's prefix (002, 004, 005, 006, 001, 003)."],
      ["game_status", "1 scheduled, 2 in progress, 3 final."],
      ["game_status_text", "Scheduled, In Progress or Final."],
      ["home_team_abbr", "Home team tricode (NBA.com's code for a team outside the league)."],
      ["away_team_abbr", "Away team tricode."],
      ["home_team_score", "Home score as NBA.com prints it (0 before tip-off)."],
      ["away_team_score", "Away score as NBA.com prints it (0 before tip-off)."],
      ["winning_team_abbr", "Tricode of the winner once final, else NULL."],
      ["game_date_est", "Scheduled tip-off as an Eastern wall-clock time (labelled UTC, as NBA.com gives it)."],
      ["is_primetime", "National prime-time broadcast."],
      ["source_processed_at", "processed_at of the schedule row used."],
      "processed_at",
    ],
  },

  upcoming_team_game_context: {
    description:
      `One row per team per game on the run dates: two per game, the home and the away view (key game_date, team_abbr), for the regular season, play-in, playoffs and the NBA Cup final. The pre-game context of the team: rest and back-to-backs, games in the last ${c.REST_SHORT_WINDOW_DAYS} and ${c.REST_LONG_WINDOW_DAYS} days, game number, win/loss streak and last result season to date, travel miles from the previous game's arena, the pre-tip spread and total of the first bookmaker in priority, and injury counts. Prior games are the team's final games of the same season before the date, of the same four types. The schedule is NBA.com's, else the ESPN scoreboard for a date NBA.com has no row on.`,
    columns: [
      "game_id",
      ["nba_game_id", "NBA.com numeric game id; NULL when the game comes from the ESPN scoreboard."],
      "game_date", "season_year", "team_abbr", "opponent_team_abbr", "home_game",
      ["days_since_last_game", "Days from the team's last prior game to this one (1 = played yesterday); NULL without a prior game this season."],
      ["team_days_rest", "Days of rest: days_since_last_game - 1 (0 = back-to-back); NULL without a prior game this season."],
      ["is_back_to_back", "TRUE when the team played the day before (team_days_rest = 0); NULL without a prior game this season."],
      ["team_back_to_back", "The same as is_back_to_back (the original's second name for it)."],
      ["games_in_last_7_days", `Prior games in the ${c.REST_SHORT_WINDOW_DAYS} days before the game date (date - ${c.REST_SHORT_WINDOW_DAYS} < prior date < date).`],
      ["games_in_last_14_days", `Prior games in the ${c.REST_LONG_WINDOW_DAYS} days before the game date.`],
      ["game_number_in_season", "The team's prior games this season + 1 (season to date, not a 30-day window)."],
      ["game_spread", `The team's spread (negative = favoured) from the latest snapshot at or before tip-off of the first bookmaker in ${c.GAME_LINE_BOOKMAKERS.join(", ")} with one; NULL without a pre-tip line.`],
      ["game_spread_source", "Bookmaker key of game_spread."],
      ["game_total", "The game's total (the Over point), chosen like game_spread, independently of it."],
      ["game_total_source", "Bookmaker key of game_total."],
      ["betting_lines_updated_at", "snapshot_timestamp of the chosen spread, else of the chosen total."],
      ["starters_out_count", `The team's players listed out for the game (all players, not only starters), from each player's latest report row for the date (report date, then hour, then load), when its parsing confidence is at least ${c.INJURY_CONFIDENCE_MIN}; NULL when no injury report lists the game.`],
      ["questionable_players_count", "The team's players listed questionable or doubtful, counted the same way; NULL when no injury report lists the game."],
      ["team_win_streak_entering", "Consecutive wins entering the game, from the most recent prior game with a result back (0 when the last result is a loss or there is none)."],
      ["team_loss_streak_entering", "Consecutive losses entering the game, counted the same way."],
      ["last_game_result", "W or L in the most recent prior game; NULL without one."],
      ["last_game_margin", "Team points minus opponent points in the most recent prior game; NULL without one."],
      ["travel_miles", "0 at home; away, the miles from the arena of the team's last prior game (its own when it was at home, else the host's; a neutral site counts as the listed home team's arena) to the host's arena, from nba_static.travel_distances (0 when it is the same arena); NULL without a prior game or a distance."],
      ["primary_source_used", "Where the game comes from: nbac_schedule, or espn_scoreboard for a date without NBA.com schedule rows."],
      ["quality_tier", `By the share of the team's past games of the last ${c.REST_LONG_WINDOW_DAYS} days that the schedule has final: ${c.UPCOMING_QUALITY_BANDS.map((band) => `${band.tier} from ${band.min_pct} %`).join(", ")}, else ${c.UPCOMING_QUALITY_FLOOR.tier}.`],
      ["quality_score", `${c.UPCOMING_QUALITY_BANDS.map((band) => `${band.score} ${band.tier}`).join(", ")}, ${c.UPCOMING_QUALITY_FLOOR.score} ${c.UPCOMING_QUALITY_FLOOR.tier}.`],
      ["quality_issues", `Comma-separated: l7d_incomplete:<pct>% and l14d_incomplete:<pct>% (past games of the window not final), season_boundary (October, November or April), bootstrap_mode (the first ${c.SEASON_BOOTSTRAP_DAYS} days after 1 October); NULL when none.`],
      ["is_production_ready", `TRUE when the ${c.REST_SHORT_WINDOW_DAYS}- and the ${c.REST_LONG_WINDOW_DAYS}-day completeness are both at least ${c.UPCOMING_PRODUCTION_READY_PCT} %.`],
      "processed_at",
    ],
  },

  player_game_summary: {
    description:
      "One row per player per game, including players who did not play or were inactive: box score, minutes, shooting efficiency and usage rate against the team totals of the same game.",
    columns: [
      "player_lookup", "player_full_name", "game_id", "game_date", "season_year", "team_abbr",
      "opponent_team_abbr", "home_game", "points", "assists", "offensive_rebounds",
      "defensive_rebounds", "steals", "blocks", "turnovers", "personal_fouls",
      ["minutes_played", "Minutes played, MM + SS/60 rounded to 1 decimal; NULL when the player did not play."],
      "plus_minus", "fg_attempts", "fg_makes", "three_pt_attempts", "three_pt_makes", "ft_attempts",
      "ft_makes",
      ["usage_rate", `Share of team plays used while on the floor, percent, 1 decimal: 100 * (FGA + ${c.FREE_THROW_POSSESSION_FACTOR} * FTA + TOV) * (team minutes / ${c.PLAYERS_ON_FLOOR}) / (minutes * team plays). NULL without minutes, without the team totals of this game, or when usage_rate_anomaly_reason is set.`],
      ["usage_rate_raw", "usage_rate before any anomaly rule nulls it (1 decimal), for investigation."],
      ["usage_rate_valid", `TRUE when usage_rate is present and at most ${c.USAGE_RATE_WARN_ABOVE}.`],
      ["usage_rate_anomaly_reason", `partial_team_data (team totals missing or below the players' own), exceeds_max (above ${c.USAGE_RATE_MAX}), or NULL.`],
      ["ts_pct", `True shooting: points / (2 * (FGA + ${c.FREE_THROW_POSSESSION_FACTOR} * FTA)) when FGA > 0, 3 decimals.`],
      ["efg_pct", `Effective field-goal percentage (FGM + ${c.EFFECTIVE_FG_THREE_BONUS} * 3PM) / FGA when FGA > 0, 3 decimals.`],
      ["starter_flag", `Heuristic: more than ${c.STARTER_MINUTES_THRESHOLD} minutes played (no real starter data).`],
      ["win_flag", "TRUE when the player's team won, from team_offense_game_summary."],
      ["is_active", "TRUE when the player took the floor."],
      "player_status",
      ["is_dnp", "TRUE when the player did not play (dnp or inactive)."],
      "dnp_reason",
      ["dnp_reason_category", "injury, rest, personal, coach_decision or other, from the first keyword group found in dnp_reason; NULL for players who played."],
      ["primary_source_used", "Player source for the game: nbac_gamebook, nbac_boxscores or bdl_boxscores."],
      ["data_quality_flag", "complete (usage computed), partial_no_team_stats (no team row for the game) or partial."],
      ["team_stats_available_at_processing", "TRUE when team_offense_game_summary had the team's row for this game."],
      "quality_tier", "quality_score", "processed_at",
    ],
  },
};

function tableSpec(table) {
  const spec = TABLES[table];
  if (!spec) throw new Error(`docs: unknown table ${table}`);
  return spec;
}

/** The table's description, opening with its grain. */
function table(name) {
  return tableSpec(name).description;
}

/** Ordered column names of a table. */
function columnNames(name) {
  return tableSpec(name).columns.map((column) => (Array.isArray(column) ? column[0] : column));
}

/** `{column: description}` for Dataform's `columns` config. */
function columns(name) {
  return Object.fromEntries(
    tableSpec(name).columns.map((column) => {
      if (Array.isArray(column)) return column;
      const description = COLUMNS[column];
      if (!description) throw new Error(`docs: no description for column ${column} of ${name}`);
      return [column, description];
    }),
  );
}

module.exports = { table, columns, columnNames };
