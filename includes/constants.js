// Every number with a meaning that a model uses, named once. Models refer to these names;
// a bare 0.44 or 240 in a .sqlx file is a bug.

module.exports = {
  // Possessions are estimated as FGA + 0.44 * FTA + TOV - OREB: on average 0.44 of free-throw
  // attempts end a possession (and-ones, technicals and three-shot fouls make it less than 0.5).
  FREE_THROW_POSSESSION_FACTOR: 0.44,

  // Five players share the floor; a regulation game is 48 minutes, an overtime period 5.
  PLAYERS_ON_FLOOR: 5,
  REGULATION_GAME_MINUTES: 48,
  OVERTIME_PERIOD_MINUTES: 5,
  // Team minutes are player-minutes: 5 x 48 = 240 in regulation, + 5 x 5 = 25 per overtime period.
  REGULATION_TEAM_MINUTES: 240,
  OVERTIME_TEAM_MINUTES: 25,
  // Four quarters: balldontlie's last period 5 is one overtime.
  REGULATION_PERIODS: 4,

  // Completeness of a player source (game_source_checks): a team's player minutes must add up to
  // the game's team minutes within 1 minute when the source prints "MM:SS" (rounding of seconds),
  // within 3 when it prints whole minutes (the real league game log sums to 239-242 per team).
  TEAM_MINUTES_TOLERANCE_MMSS: 1,
  TEAM_MINUTES_TOLERANCE_WHOLE: 3,

  // Ratings and usage are expressed per 100 possessions / as a percentage.
  PER_HUNDRED: 100,
  // True shooting divides points by 2 x true shot attempts; eFG counts a three as 1.5 field goals.
  TRUE_SHOT_POINTS_PER_ATTEMPT: 2,
  EFFECTIVE_FG_THREE_BONUS: 0.5,
  SECONDS_PER_MINUTE: 60,
  POINTS_PER_THREE: 3,
  // Points of a player line: 2 per field goal, 1 more per three, 1 per free throw.
  POINTS_PER_FIELD_GOAL: 2,

  TEAMS_PER_GAME: 2,

  // Schedule: game_status 3 is Final. Gates expect box scores for regular-season (002), playoff
  // (004) and play-in (005) games; preseason and All-Star box scores are not guaranteed upstream.
  GAME_STATUS_FINAL: 3,
  GATED_GAME_TYPE_PREFIXES: ["002", "004", "005"],
  // A postponed game: NBA.com keeps its row on the original date, never final, with one of these
  // status texts (compared case-insensitively), and plays it later under the same id on another
  // date, or under a new id. It is no expected game of that date (game_source_checks).
  SCHEDULE_POSTPONED_STATUS_TEXTS: ["PPD", "Postponed"],

  // Upcoming team game context (spec 2.4, section 9). Game types by the NBA.com id prefix.
  GAME_TYPES_BY_PREFIX: {
    "001": "preseason",
    "002": "regular_season",
    "003": "all_star",
    "004": "playoffs",
    "005": "play_in",
    "006": "cup_final",
  },
  // The games UTGC writes rows for, and counts as prior games for rest, streaks and travel
  // (decision 7): never preseason or All-Star.
  UPCOMING_GAME_TYPES: ["regular_season", "playoffs", "play_in", "cup_final"],
  // Target games are scheduled (1) or final (3); a game in progress (2) is left as it was.
  GAME_STATUS_SCHEDULED: 1,
  GAME_STATUS_IN_PROGRESS: 2,
  // The 30 NBA.com tricodes: an ESPN game between other teams (All-Star, international guests)
  // is no target game.
  NBA_TRICODES: [
    "ATL", "BOS", "BKN", "CHA", "CHI", "CLE", "DAL", "DEN", "DET", "GSW", "HOU", "IND", "LAC", "LAL", "MEM",
    "MIA", "MIL", "MIN", "NOP", "NYK", "OKC", "ORL", "PHI", "PHX", "POR", "SAC", "SAS", "TOR", "UTA", "WAS",
  ],
  // A season starts on 1 October (season_year = year of the date from October, else the year before).
  SEASON_START_MONTH: 10,
  // Rest windows: games in the last 7 and 14 days before the game date.
  REST_SHORT_WINDOW_DAYS: 7,
  REST_LONG_WINDOW_DAYS: 14,
  // Game lines: the first of these bookmakers with a line wins (spec 2.4); the line is the latest
  // snapshot at or before tip-off (decision 10).
  GAME_LINE_BOOKMAKERS: ["draftkings", "fanduel"],
  // Injury reports: a report row is trusted from this parsing confidence (spec 2.4), and a game's
  // reports are looked for this many days before the game (the report date is the partition).
  INJURY_CONFIDENCE_MIN: 0.8,
  INJURY_REPORT_LOOKBACK_DAYS: 7,
  // UTGC quality by schedule completeness over the last 14 days (the share of the team's past
  // games there that are final): tier and score from the first band reached, else poor / 25.
  UPCOMING_QUALITY_BANDS: [
    { min_pct: 95, tier: "gold", score: 95 },
    { min_pct: 75, tier: "silver", score: 75 },
    { min_pct: 50, tier: "bronze", score: 50 },
  ],
  UPCOMING_QUALITY_FLOOR: { tier: "poor", score: 25 },
  // Production ready: both the 7-day and the 14-day completeness at least this.
  UPCOMING_PRODUCTION_READY_PCT: 70,
  // Months at a season's edges (October, November, April), and the first 30 days after 1 October,
  // when the windows above are thin by nature (quality issues season_boundary, bootstrap_mode).
  SEASON_BOUNDARY_MONTHS: [10, 11, 4],
  SEASON_BOOTSTRAP_DAYS: 30,

  // Box-score completeness gate (spec 4.7.1): a date whose Final games are not all in is still
  // let through when at least 80 % of them are, or when it is 2 days old or more (a game missing
  // for good must not block its date forever). Overridable per run with the vars
  // boxscore_coverage_min_pct and boxscore_staleness_days.
  BOXSCORE_COVERAGE_MIN_PCT: 80,
  BOXSCORE_STALENESS_DAYS: 2,
  // Calendar of the run dates and of "today" for staleness.
  SCHEDULE_TIMEZONE: "America/New_York",

  // The run date of each model kind when start_date and end_date are not set (a scheduled GCP
  // Dataform workflow; spec 1.4): this many days before today in SCHEDULE_TIMEZONE. Game models
  // process the games played yesterday; upcoming-context models the games of today.
  RUN_WINDOW_DAYS_BEFORE_TODAY: { game: 1, upcoming: 0 },

  // A team box score rebuilt from player rows needs at least this many players per team.
  MIN_PLAYERS_FOR_TEAM_RECONSTRUCTION: 5,

  // usage_rate bands (spec 4.4): league average ~20; above 50 is flagged as invalid (warning),
  // above 100 is impossible in real play (the 2026-02-03 race produced 600-1275) and is nulled.
  USAGE_RATE_WARN_ABOVE: 50,
  USAGE_RATE_MAX: 100,
  // Usage coverage per team and game (spec 2.3 post-run checks): the share of the players who
  // played that have a usage rate. Below 80 % warns; below 50 % the team totals are partial and
  // the game is held back for the player summary.
  USAGE_COVERAGE_WARN_PCT: 80,
  USAGE_COVERAGE_CRITICAL_PCT: 50,

  // Pre-write warning bands (spec 4.1): values outside are written but counted and logged.
  PLAYER_POINTS_WARN_MAX: 100,
  PLAYER_MINUTES_WARN_MAX: 60,
  // A player line above 70 minutes is impossible even in a quadruple-overtime game (68 minutes).
  PLAYER_MINUTES_MAX: 70,
  // A player is disqualified on his sixth personal foul; more is possible only when his team has
  // no eligible substitute left (he stays in, NBA rule 3, section I(b)): a warning, not an error.
  PLAYER_FOUL_OUT: 6,
  // The NBA record for assists in a game is 30 (Scott Skiles, 1990): above it is implausible,
  // not impossible, so a warning.
  PLAYER_ASSISTS_WARN_MAX: 30,
  TEAM_POINTS_WARN_MIN: 80,
  TEAM_POINTS_WARN_MAX: 200,
  POINTS_ALLOWED_WARN_MIN: 70,
  POINTS_ALLOWED_WARN_MAX: 180,

  // Quarantine alert (spec 4.1): more than this many rows, or this share of a model's staged rows.
  QUARANTINE_ALERT_ROWS: 10,
  QUARANTINE_ALERT_SHARE: 0.1,

  // No real starter data: a player with more than 20 minutes is taken as a starter.
  STARTER_MINUTES_THRESHOLD: 20,

  // Shot zones (section 9.3): the shot's own type decides two or three; a two is a paint shot
  // within 8 feet of the basket, else mid-range. Defense zone analytics (spec 2.6) splits the
  // paint at 4 feet: the rim, then the rest of the paint.
  PAINT_MAX_DISTANCE_FT: 8,
  RIM_MAX_DISTANCE_FT: 4,
  // One play-by-play source per game (decision 4): the first of these that has the game.
  PLAY_BY_PLAY_SOURCES: ["bigdataball", "nbac_pbp"],
  // An and-one: a made field goal followed, at the same clock, by one free throw of the same
  // player, which each source prints its own way.
  AND_ONE_FREE_THROW_SUBTYPES: ["1 of 1", "free throw 1/1"],

  // Defense zone analytics ratings (spec 2.6, the original's league averages and scales).
  LEAGUE_AVG_PAINT_FG_PCT: 0.58,
  LEAGUE_AVG_RIM_FG_PCT: 0.62,
  LEAGUE_AVG_THREE_PT_PCT: 0.355,
  // three_pt_defense_rating: up to 50 for holding opponents under 42 % (full marks 12 points
  // lower), up to 50 for contesting above 30 % of threes (full marks 30 points higher).
  THREE_DEFENSE: { pct_ceiling: 0.42, pct_span: 0.12, contest_floor: 0.3, contest_span: 0.3, part_max: 50 },
  // rim_protection_rating: up to 40 for rim FG% under 70 % (span 15 points), up to 40 for a rim
  // contest rate above 35 % (span 25 points), 4 per block at the rim up to 20.
  RIM_PROTECTION: { pct_ceiling: 0.7, pct_span: 0.15, contest_floor: 0.35, contest_span: 0.25, part_max: 40, per_block: 4, blocks_max: 20 },
  // Rolling windows of defense zone analytics: the team's last 5 and 10 games up to the date.
  ROLLING_SHORT_GAMES: 5,
  ROLLING_LONG_GAMES: 10,
  // Quality of a defense zone row: 100 less these penalties; tiers from the first band reached.
  DEFENSE_ZONE_QUALITY: { no_play_by_play: 40, nbac_source: 5, missing_metric: 10 },
  DEFENSE_ZONE_QUALITY_BANDS: [
    { min_score: 80, tier: "gold" },
    { min_score: 60, tier: "silver" },
  ],
  DEFENSE_ZONE_QUALITY_FLOOR: "bronze",

  // Player points props (spec 2.3, decision 10): the bookmaker of a player's line is the first
  // of these with a pre-tip line, then any other by name; BettingPros (points market, over side,
  // active offers) is the fallback for players The Odds API has no line for.
  PROP_BOOKMAKERS: ["draftkings", "fanduel"],
  BETTINGPROS_BOOKMAKERS: ["DraftKings", "FanDuel"],
  BETTINGPROS_CONSENSUS: "BettingPros Consensus",
  // Expected prop match rate 30-40 % of player rows; below 15 % of a date's rows warns.
  PROP_MATCH_WARN_PCT: 15,

  // Quality tiers and scores by source (spec 2.1, 2.3).
  QUALITY_SCORE_PRIMARY: 100,
  QUALITY_SCORE_FALLBACK: 85,

  // DNP reason categories: the first group whose keyword appears (case-insensitive) in the
  // gamebook reason wins; no match is "other" (spec 2.3, dnp_reason_category).
  DNP_REASON_CATEGORIES: [
    {
      category: "injury",
      keywords: [
        "injury", "injured", "illness", "sprain", "strain", "sore", "pain", "surgery", "concussion",
        "knee", "ankle", "back", "hamstring", "shoulder", "hip", "foot", "calf", "quad", "groin",
        "wrist", "elbow",
      ],
    },
    {
      category: "rest",
      keywords: ["rest", "load management", "recovery", "maintenance", "scheduled rest", "precautionary"],
    },
    { category: "personal", keywords: ["personal", "family", "birth", "funeral", "bereavement"] },
    {
      category: "coach_decision",
      keywords: ["coach", "decision", "not with team", "suspension", "team decision", "disciplinary"],
    },
  ],
  DNP_REASON_OTHER: "other",

  // Upcoming player game context (spec 2.5, section 9). The player's history is his
  // player_game_summary rows of the 30 days before the date (rest, the 7- and 14-day windows,
  // streaks against the line, quality); the last-games averages, the opponents' form and the star
  // test read the season to date.
  UPCOMING_PLAYER_HISTORY_DAYS: 30,
  // Daily mode: each team's latest roster snapshot of the 90 days up to the date.
  ROSTER_LOOKBACK_DAYS: 90,
  // A player whose latest injury status for the date is one of these gets no row in daily mode,
  // and counts as out for star_teammates_out (statuses compared in lowercase, decision 12).
  INJURY_OUT_STATUSES: ["out", "doubtful"],
  // points_avg_last_5 / points_avg_last_10: the player's last 5 and 10 played games.
  PLAYER_RECENT_GAMES_SHORT: 5,
  PLAYER_RECENT_GAMES_LONG: 10,
  // Opponent pace, ratings and free-throw rate: the team's last 10 games of the season.
  TEAM_FORM_GAMES: 10,
  // days_since_2_plus_days_rest: a gap of at least 2 days between two games is a real rest.
  LONG_REST_DAYS: 2,
  // A star (star_teammates_out): at least 10 played games this season, and 18 points a game, or
  // 28 minutes and 12 points; averages over his games of the last 10 days, else the season's.
  STAR_PLAYER: { min_games: 10, min_points: 18, min_minutes: 28, min_points_with_minutes: 12, recent_days: 10 },
  // season_phase by the month of the date; the other months (May, June) are the playoffs.
  SEASON_PHASES: [
    { phase: "early", months: [10, 11] },
    { phase: "mid", months: [12, 1, 2] },
    { phase: "late", months: [3, 4] },
  ],
  SEASON_PHASE_OTHER: "playoffs",
  // UPGC quality by the rows of history (30 days): tier and score from the first band reached;
  // fewer than 3 rows is also a thin sample (quality issue thin_sample:n/3).
  UPCOMING_PLAYER_QUALITY_BANDS: [
    { min_games: 10, tier: "gold", score: 95 },
    { min_games: 5, tier: "silver", score: 75 },
  ],
  UPCOMING_PLAYER_QUALITY_FLOOR: { tier: "bronze", score: 50 },
  THIN_SAMPLE_GAMES: 3,
  // Props readiness (spec 4.7.5, a warning by decision 8.9): fewer players of a date with a points
  // prop line than this, and the props have probably not arrived yet.
  UPCOMING_PROPS_MIN_PLAYERS: 20,
};
