// The Phase 2 raw tables (dataset nba_raw) that the Phase 3 models read: one source of truth for
// their columns, types and descriptions. The declarations in definitions/sources/ take their docs
// from here, and the runner creates the local copies of these tables (runner load / runner seed)
// from the same list. Column names are exactly those of the production tables, so the models run
// unchanged against the real nba_raw datasets; only the columns Phase 3 needs are listed. A table
// outside nba_raw names its dataset (the reference table nba_static.travel_distances).

const RAW_DATASET = "nba_raw";
const STATIC_DATASET = "nba_static";
const REFERENCE_DATASET = "nba_reference";

const GAME_ID = "System game id YYYYMMDD_AWAY_HOME built from the ET game date and NBA.com tricodes, e.g. 20250115_LAL_PHI.";
const GAME_DATE = "Eastern-time calendar date of tip-off; partition column.";
const SEASON_YEAR = "Starting year of the season (2024 = 2024-25).";
const PLAYER_LOOKUP = "Normalised player name key (NFKC, no diacritics, lowercase, [a-z0-9] only, jr/sr suffixes kept).";
const PROCESSED_AT = "When the Phase 2 processor wrote this row (UTC); the latest row per key wins.";
const SOURCE_FILE_PATH = "Where the loaded payload came from; loading the file again replaces its rows.";
const SCHEDULE_SIDES = "from the schedule by the NBA.com game id (the payload has none).";
const SHOT_TYPE = "2PT or 3PT for a field-goal attempt, FT for a free throw, NULL for other events: the source's own type, never inferred from the distance.";
const SHOT_DISTANCE = "Shot distance in feet as the source gives it (0.0 = at the rim, a valid distance); NULL when the source has none.";
const PLAY_SEQUENCE = "Order of the event within the game";
const PERIOD_SECONDS_REMAINING = "Seconds left in the period on the game clock when the event happened.";
/** Columns both play-by-play tables have, with the same meaning. */
const PLAY_BY_PLAY_GAME_COLUMNS = {
  game_id: ["STRING", GAME_ID],
  game_date: ["DATE", GAME_DATE],
  season_year: ["INT64", SEASON_YEAR],
  home_team_abbr: ["STRING", "Home team tricode, " + SCHEDULE_SIDES],
  away_team_abbr: ["STRING", "Away team tricode, " + SCHEDULE_SIDES],
};
const PLAY_BY_PLAY_CLOCK_COLUMNS = {
  period: ["INT64", "Period: 1-4, 5 and later are overtimes."],
  period_seconds_remaining: ["FLOAT64", PERIOD_SECONDS_REMAINING],
};
const MINUTES_MMSS = "Minutes played as the source prints them (\"MM:SS\", or whole minutes).";

/** Box-score columns shared by the three player-level sources, in the gamebook naming. */
const PLAYER_STAT_COLUMNS = {
  points: ["INT64", "Points scored."],
  field_goals_made: ["INT64", "Field goals made (2PT and 3PT)."],
  field_goals_attempted: ["INT64", "Field goals attempted (2PT and 3PT)."],
  three_pointers_made: ["INT64", "Three-pointers made."],
  three_pointers_attempted: ["INT64", "Three-pointers attempted."],
  free_throws_made: ["INT64", "Free throws made."],
  free_throws_attempted: ["INT64", "Free throws attempted."],
  offensive_rebounds: ["INT64", "Offensive rebounds."],
  defensive_rebounds: ["INT64", "Defensive rebounds."],
  assists: ["INT64", "Assists."],
  steals: ["INT64", "Steals."],
  blocks: ["INT64", "Blocks."],
  turnovers: ["INT64", "Turnovers."],
  personal_fouls: ["INT64", "Personal fouls."],
};

const tables = {
  nbac_team_boxscore: {
    description: "NBA.com team box scores (boxscoretraditionalv2 TeamStats). One row per team per game; two per game.",
    partitionBy: "game_date",
    columns: {
      game_id: ["STRING", GAME_ID],
      nba_game_id: ["STRING", "NBA.com numeric game id, e.g. 0022400561."],
      game_date: ["DATE", GAME_DATE],
      season_year: ["INT64", SEASON_YEAR],
      team_id: ["INT64", "NBA.com team id."],
      team_abbr: ["STRING", "NBA.com tricode of the team."],
      team_name: ["STRING", "Team name, e.g. Lakers."],
      is_home: ["BOOL", "TRUE for the home team."],
      minutes: ["STRING", "Team player-minutes \"240:00\" in regulation, \"265:00\" with one overtime."],
      fg_made: ["INT64", "Field goals made."],
      fg_attempted: ["INT64", "Field goals attempted."],
      three_pt_made: ["INT64", "Three-pointers made."],
      three_pt_attempted: ["INT64", "Three-pointers attempted."],
      ft_made: ["INT64", "Free throws made."],
      ft_attempted: ["INT64", "Free throws attempted."],
      offensive_rebounds: ["INT64", "Offensive rebounds."],
      defensive_rebounds: ["INT64", "Defensive rebounds."],
      total_rebounds: ["INT64", "Total rebounds."],
      assists: ["INT64", "Assists."],
      steals: ["INT64", "Steals."],
      blocks: ["INT64", "Blocks."],
      turnovers: ["INT64", "Turnovers."],
      personal_fouls: ["INT64", "Personal fouls."],
      points: ["INT64", "Points scored."],
      plus_minus: ["INT64", "Plus/minus; the two teams of a game sum to 0."],
      source_file_path: ["STRING", "Where the loaded payload came from."],
      processed_at: ["TIMESTAMP", PROCESSED_AT],
    },
  },

  nbac_gamebook_player_stats: {
    description: "Parsed NBA.com gamebook PDFs: every rostered player per game, active, did-not-play or inactive. DNP and inactive rows have NULL stats.",
    partitionBy: "game_date",
    columns: {
      game_id: ["STRING", GAME_ID],
      game_code: ["STRING", "NBA.com game code YYYYMMDD/AWAYHOME."],
      game_date: ["DATE", GAME_DATE],
      season_year: ["INT64", SEASON_YEAR],
      home_team_abbr: ["STRING", "Home team tricode."],
      away_team_abbr: ["STRING", "Away team tricode."],
      player_name: ["STRING", "Player name as resolved by the gamebook processor."],
      player_name_original: ["STRING", "Player name exactly as printed in the gamebook."],
      player_lookup: ["STRING", PLAYER_LOOKUP],
      team_abbr: ["STRING", "The player's team tricode."],
      player_status: ["STRING", "active, dnp or inactive."],
      dnp_reason: ["STRING", "Gamebook text explaining a DNP or inactive status."],
      minutes: ["STRING", MINUTES_MMSS],
      ...PLAYER_STAT_COLUMNS,
      total_rebounds: ["INT64", "Total rebounds."],
      plus_minus: ["INT64", "Plus/minus while on the floor."],
      source_file_path: ["STRING", "Where the loaded payload came from."],
      processed_at: ["TIMESTAMP", PROCESSED_AT],
    },
  },

  nbac_player_boxscores: {
    description: "NBA.com player box scores (boxscoretraditionalv2 PlayerStats, leaguegamelog): players who appeared in a game; the evening fallback before the gamebook arrives.",
    partitionBy: "game_date",
    columns: {
      game_id: ["STRING", GAME_ID],
      nba_game_id: ["STRING", "NBA.com numeric game id."],
      game_date: ["DATE", GAME_DATE],
      season_year: ["INT64", SEASON_YEAR],
      game_status: ["STRING", "Final once the game is over."],
      home_team_abbr: ["STRING", "Home team tricode."],
      away_team_abbr: ["STRING", "Away team tricode."],
      nba_player_id: ["INT64", "NBA.com player id."],
      player_full_name: ["STRING", "Player name."],
      player_lookup: ["STRING", PLAYER_LOOKUP],
      team_abbr: ["STRING", "The player's team tricode."],
      starter: ["BOOL", "TRUE when the player started (START_POSITION present)."],
      minutes: ["STRING", MINUTES_MMSS],
      ...PLAYER_STAT_COLUMNS,
      total_rebounds: ["INT64", "Total rebounds."],
      plus_minus: ["INT64", "Plus/minus while on the floor."],
      source_file_path: ["STRING", "Where the loaded payload came from."],
      processed_at: ["TIMESTAMP", PROCESSED_AT],
    },
  },

  bdl_player_boxscores: {
    description: "balldontlie box scores: one row per player listed for a game, including players with \"00\" minutes who did not play.",
    partitionBy: "game_date",
    columns: {
      game_id: ["STRING", GAME_ID],
      game_date: ["DATE", GAME_DATE],
      season_year: ["INT64", SEASON_YEAR],
      game_status: ["STRING", "balldontlie game status, Final once over."],
      period: ["INT64", "Last period played: 4 in regulation, 5 with one overtime."],
      home_team_abbr: ["STRING", "Home team tricode."],
      away_team_abbr: ["STRING", "Away team tricode."],
      home_team_score: ["INT64", "Final home score."],
      away_team_score: ["INT64", "Final away score."],
      team_abbr: ["STRING", "The player's team tricode."],
      bdl_player_id: ["INT64", "balldontlie player id."],
      player_full_name: ["STRING", "Player first and last name."],
      player_lookup: ["STRING", PLAYER_LOOKUP],
      position: ["STRING", "Listed position, e.g. F-G."],
      minutes: ["STRING", "Whole minutes played; \"00\" for a player who did not play."],
      ...PLAYER_STAT_COLUMNS,
      rebounds: ["INT64", "Total rebounds."],
      source_file_path: ["STRING", "Where the loaded payload came from."],
      processed_at: ["TIMESTAMP", PROCESSED_AT],
    },
  },

  nbac_schedule: {
    description: "NBA.com season schedule: one row per game per load; game_id is the numeric NBA.com id (not the system id).",
    partitionBy: "game_date",
    columns: {
      game_id: ["STRING", "NBA.com numeric game id; prefix 001 preseason, 002 regular season, 003 All-Star, 004 playoffs, 005 play-in."],
      game_code: ["STRING", "NBA.com game code YYYYMMDD/AWAYHOME."],
      season_year: ["INT64", SEASON_YEAR],
      game_date: ["DATE", GAME_DATE],
      game_date_est: ["TIMESTAMP", "Scheduled tip-off as an Eastern wall-clock time (labelled UTC by NBA.com)."],
      game_status: ["INT64", "1 scheduled, 2 in progress, 3 final."],
      game_status_text: ["STRING", "Scheduled, In Progress or Final, derived from game_status as the Phase 2 processor writes it; for a postponed game NBA.com's own text (PPD), the only sign that it is not played that day."],
      home_team_tricode: ["STRING", "Home team tricode."],
      away_team_tricode: ["STRING", "Away team tricode."],
      home_team_score: ["INT64", "Final home score (0 before tip-off)."],
      away_team_score: ["INT64", "Final away score (0 before tip-off)."],
      winning_team_tricode: ["STRING", "Tricode of the winner once final."],
      is_primetime: ["BOOL", "National prime-time broadcast."],
      is_regular_season: ["BOOL", "NBA.com's flag, also TRUE for playoff and play-in games: use the game_id prefix for the game type."],
      is_playoffs: ["BOOL", "NBA.com's flag, TRUE for playoff and play-in games."],
      source_file_path: ["STRING", "Where the loaded payload came from."],
      processed_at: ["TIMESTAMP", PROCESSED_AT],
    },
  },

  odds_api_game_lines: {
    description: "The Odds API event odds (spreads and totals): one row per snapshot, bookmaker, market and outcome. game_id is the Odds API event id, not a schedule id: join on game_date and the two teams.",
    partitionBy: "game_date",
    columns: {
      snapshot_timestamp: ["TIMESTAMP", "When The Odds API took the snapshot (UTC)."],
      previous_snapshot_timestamp: ["TIMESTAMP", "The snapshot before this one, when the API names it."],
      next_snapshot_timestamp: ["TIMESTAMP", "The snapshot after this one, when the API names it."],
      game_id: ["STRING", "The Odds API event id (32 hex digits), not an NBA.com or system id."],
      commence_time: ["TIMESTAMP", "Tip-off as The Odds API gives it (UTC)."],
      game_date: ["DATE", "Eastern-time date of commence_time; partition column."],
      home_team: ["STRING", "Home team's full name as the API prints it, e.g. Golden State Warriors."],
      away_team: ["STRING", "Away team's full name as the API prints it."],
      home_team_abbr: ["STRING", "NBA.com tricode of the home team, mapped from its full name."],
      away_team_abbr: ["STRING", "NBA.com tricode of the away team, mapped from its full name."],
      bookmaker_key: ["STRING", "Bookmaker key in lowercase, e.g. draftkings, fanduel."],
      bookmaker_title: ["STRING", "Bookmaker name, e.g. DraftKings."],
      bookmaker_last_update: ["TIMESTAMP", "When the bookmaker last changed any of its lines for the event."],
      market_key: ["STRING", "spreads or totals."],
      market_last_update: ["TIMESTAMP", "When the bookmaker last changed this market."],
      outcome_name: ["STRING", "The team's full name (spreads) or Over / Under (totals)."],
      outcome_price: ["FLOAT64", "Decimal odds."],
      outcome_point: ["FLOAT64", "The spread from the team's side (negative = favoured) or the total."],
      minutes_before_tipoff: ["INT64", "Whole minutes from the snapshot to commence_time, rounded down: 0 or more before tip-off, negative once the game has started (in-game lines)."],
      source_file_path: ["STRING", SOURCE_FILE_PATH],
      processed_at: ["TIMESTAMP", PROCESSED_AT],
    },
  },

  nbac_injury_report: {
    description: "Parsed NBA.com injury report PDFs: one row per player listed in a report (several reports a day, report_hour). Teams that have not submitted yet have no rows.",
    partitionBy: "report_date",
    columns: {
      report_date: ["DATE", "Date the report was issued; partition column."],
      report_hour: ["INT64", "Hour of the report, 0-23 (Eastern), e.g. 17 for the 5 PM report."],
      game_date: ["DATE", GAME_DATE.replace("; partition column", "")],
      game_time: ["STRING", "Tip-off as the report prints it, e.g. 07:30 (ET)."],
      game_id: ["STRING", GAME_ID],
      matchup: ["STRING", "The matchup as printed, AWAY@HOME, e.g. MIL@SAS."],
      away_team: ["STRING", "Away team tricode."],
      home_team: ["STRING", "Home team tricode."],
      team: ["STRING", "The player's team tricode."],
      player_name_original: ["STRING", "The name as printed, Last, First (e.g. Payton II, Gary)."],
      player_full_name: ["STRING", "First Last, reordered from the printed name."],
      player_lookup: ["STRING", PLAYER_LOOKUP],
      injury_status: ["STRING", "out, questionable, doubtful, probable or available (lowercase)."],
      reason: ["STRING", "The reason as printed, e.g. Injury/Illness - Left Ankle; Sprain."],
      reason_category: ["STRING", "injury, g_league, suspension, personal, rest, not_with_team or other, from the reason's wording."],
      confidence_score: ["FLOAT64", "The parser's confidence in this row, 0-1."],
      overall_report_confidence: ["FLOAT64", "The parser's confidence in the whole report, 0-1."],
      run_id: ["STRING", "The scraper run that fetched the report."],
      source_file_path: ["STRING", SOURCE_FILE_PATH],
      processed_at: ["TIMESTAMP", PROCESSED_AT + " Among reports of the same hour, the latest load wins."],
    },
  },

  espn_scoreboard: {
    description: "ESPN scoreboard: one row per game per load, the schedule fallback for dates without NBA.com schedule rows. ESPN team codes are mapped to NBA.com tricodes.",
    partitionBy: "game_date",
    columns: {
      game_id: ["STRING", GAME_ID],
      espn_game_id: ["STRING", "ESPN's game id."],
      game_date: ["DATE", GAME_DATE],
      season_year: ["INT64", SEASON_YEAR],
      home_team_abbr: ["STRING", "NBA.com tricode of the home team (ESPN's code mapped: NY -> NYK, GS -> GSW, ...)."],
      away_team_abbr: ["STRING", "NBA.com tricode of the away team."],
      home_team_espn_abbr: ["STRING", "ESPN's code of the home team, e.g. UTAH."],
      away_team_espn_abbr: ["STRING", "ESPN's code of the away team."],
      home_team_name: ["STRING", "Home team's full name."],
      away_team_name: ["STRING", "Away team's full name."],
      game_status: ["STRING", "scheduled, in_progress or final (from ESPN's state pre, in, post)."],
      game_status_detail: ["STRING", "ESPN's status text, e.g. Final (overtime games are printed Final too)."],
      espn_state: ["STRING", "ESPN's state: pre, in or post."],
      is_completed: ["BOOL", "TRUE once the game is over (state post)."],
      scheduled_start_time: ["TIMESTAMP", "Scheduled tip-off (UTC)."],
      home_team_score: ["INT64", "Home score (NULL before tip-off)."],
      away_team_score: ["INT64", "Away score (NULL before tip-off)."],
      home_team_winner: ["BOOL", "TRUE when the home team won."],
      away_team_winner: ["BOOL", "TRUE when the away team won."],
      source_file_path: ["STRING", SOURCE_FILE_PATH],
      processed_at: ["TIMESTAMP", PROCESSED_AT],
    },
  },

  nbac_play_by_play: {
    description: "NBA.com live play-by-play: one row per action. Shooters, assisters and blockers are resolved from NBA.com person ids to full names (the game's box score, else the NBA.com player index) and normalised; date and sides come from the schedule.",
    partitionBy: "game_date",
    columns: {
      ...PLAY_BY_PLAY_GAME_COLUMNS,
      nba_game_id: ["STRING", "NBA.com numeric game id, e.g. 0022400561."],
      event_sequence: ["INT64", PLAY_SEQUENCE + " (orderNumber, edits included; actionNumber is the order of entry and is not kept)."],
      ...PLAY_BY_PLAY_CLOCK_COLUMNS,
      event_type: ["STRING", "NBA.com actionType as printed: 2pt, 3pt, freethrow, rebound, turnover, steal, block, foul, ..."],
      event_subtype: ["STRING", "NBA.com subType, e.g. Jump Shot, Layup, 1 of 2."],
      is_field_goal: ["BOOL", "TRUE for a field-goal attempt (isFieldGoal = 1)."],
      shot_type: ["STRING", SHOT_TYPE],
      shot_made: ["BOOL", "TRUE when shotResult is Made, FALSE when Missed; NULL for events without a result."],
      shot_distance: ["FLOAT64", SHOT_DISTANCE],
      player_1_id: ["INT64", "NBA.com person id of the acting player (personId); NULL for team events."],
      player_1_name: ["STRING", "Full name of the acting player, resolved from player_1_id."],
      player_1_lookup: ["STRING", PLAYER_LOOKUP + " Of the acting player; NULL when the person id could not be resolved."],
      player_1_team_abbr: ["STRING", "Tricode of the acting player's team (teamTricode)."],
      player_2_id: ["INT64", "NBA.com person id of the assisting or blocking player of a shot."],
      player_2_lookup: ["STRING", PLAYER_LOOKUP + " Of the assisting or blocking player."],
      player_2_team_abbr: ["STRING", "Tricode of player 2's team (the shooter's for an assist, the other team for a block)."],
      player_2_role: ["STRING", "assist or block; NULL when the shot names neither."],
      points: ["INT64", "Points the event scored: 2 or 3 for a made field goal, 1 for a made free throw, else 0."],
      description: ["STRING", "The source's text of the event."],
      source_file_path: ["STRING", SOURCE_FILE_PATH],
      processed_at: ["TIMESTAMP", PROCESSED_AT],
    },
  },

  bigdataball_play_by_play: {
    description: "BigDataBall play-by-play CSV: one row per event. Names are normalised with the canonical rule (jr/sr kept), the game id is padded to NBA.com's ten digits, and the teams come from the schedule.",
    partitionBy: "game_date",
    columns: {
      ...PLAY_BY_PLAY_GAME_COLUMNS,
      nba_game_id: ["STRING", "NBA.com numeric game id, padded to ten digits (the file's 42400407 is 0042400407)."],
      event_sequence: ["INT64", PLAY_SEQUENCE + " (play_id)."],
      ...PLAY_BY_PLAY_CLOCK_COLUMNS,
      event_type: ["STRING", "BigDataBall event_type: shot (a made or missed field goal), free throw, rebound, turnover, ..."],
      event_subtype: ["STRING", "BigDataBall type, e.g. 3pt jump shot, free throw 1/1."],
      shot_type: ["STRING", SHOT_TYPE],
      shot_made: ["BOOL", "TRUE when result is made, FALSE when missed; NULL for events without a result."],
      shot_distance: ["FLOAT64", SHOT_DISTANCE],
      player_1_name: ["STRING", "The acting player's full name (column player)."],
      player_1_lookup: ["STRING", PLAYER_LOOKUP + " Of the acting player."],
      player_1_team_abbr: ["STRING", "Tricode of the acting player's team (column team)."],
      player_2_name: ["STRING", "The assisting, blocking or stealing player's full name."],
      player_2_lookup: ["STRING", PLAYER_LOOKUP + " Of player 2."],
      player_2_team_abbr: ["STRING", "Tricode of player 2's team."],
      player_2_role: ["STRING", "assist, block or steal; NULL when the event names no second player."],
      points: ["INT64", "Points the event scored (column points; 0 when empty)."],
      description: ["STRING", "The source's text of the event."],
      data_source: ["STRING", "bigdataball."],
      source_file_path: ["STRING", SOURCE_FILE_PATH],
      processed_at: ["TIMESTAMP", PROCESSED_AT],
    },
  },

  nbac_player_list: {
    description: "NBA.com player index (playerindex): one row per player of a season's index, mapping NBA.com person ids to full names. Reference data for resolving play-by-play person ids and for the player registry.",
    columns: {
      season_year: ["INT64", SEASON_YEAR],
      nba_person_id: ["INT64", "NBA.com person id (PERSON_ID), the play-by-play personId."],
      player_first_name: ["STRING", "First name."],
      player_last_name: ["STRING", "Last name."],
      player_full_name: ["STRING", "First and last name."],
      player_lookup: ["STRING", PLAYER_LOOKUP],
      team_abbr: ["STRING", "Tricode of the player's team in the index; NULL for a free agent."],
      jersey_number: ["STRING", "Jersey number as printed."],
      position: ["STRING", "Listed position, e.g. G-F."],
      roster_status: ["INT64", "1 on a roster, 0 not."],
      source_file_path: ["STRING", SOURCE_FILE_PATH],
      processed_at: ["TIMESTAMP", PROCESSED_AT],
    },
  },

  odds_api_player_points_props: {
    description: "The Odds API event odds for the player_points market: one row per snapshot, bookmaker and player (the Over and Under outcomes of a line on one row). game_id is the Odds API event id: join on game_date, teams and player_lookup.",
    partitionBy: "game_date",
    columns: {
      snapshot_timestamp: ["TIMESTAMP", "When The Odds API took the snapshot (UTC)."],
      game_id: ["STRING", "The Odds API event id, not an NBA.com or system id."],
      commence_time: ["TIMESTAMP", "Tip-off as The Odds API gives it (UTC)."],
      game_date: ["DATE", "Eastern-time date of commence_time; partition column."],
      home_team_abbr: ["STRING", "NBA.com tricode of the home team, mapped from its full name."],
      away_team_abbr: ["STRING", "NBA.com tricode of the away team, mapped from its full name."],
      bookmaker: ["STRING", "Bookmaker key in lowercase, e.g. draftkings, fanduel."],
      bookmaker_last_update: ["TIMESTAMP", "When the bookmaker last changed any of its lines for the event."],
      player_name: ["STRING", "The player as the outcome's description prints him."],
      player_lookup: ["STRING", PLAYER_LOOKUP],
      points_line: ["FLOAT64", "The points line (the outcomes' point)."],
      over_price: ["FLOAT64", "Decimal odds of the Over."],
      under_price: ["FLOAT64", "Decimal odds of the Under."],
      minutes_before_tipoff: ["INT64", "Whole minutes from the snapshot to commence_time, rounded down: 0 or more before tip-off, negative once the game has started."],
      source_file_path: ["STRING", SOURCE_FILE_PATH],
      processed_at: ["TIMESTAMP", PROCESSED_AT],
    },
  },

  bettingpros_player_points_props: {
    description: "BettingPros player props: one row per offer, side and bookmaker, for ALL markets (filter market_type = 'points'). No real sample or documented payload exists: runner seed writes it, runner load has no format for it.",
    partitionBy: "game_date",
    columns: {
      game_date: ["DATE", GAME_DATE],
      market_type: ["STRING", "The prop market, e.g. points, rebounds, assists."],
      bet_side: ["STRING", "over or under."],
      player_name: ["STRING", "The player as BettingPros prints him."],
      player_lookup: ["STRING", PLAYER_LOOKUP],
      player_team: ["STRING", "Tricode of the player's team."],
      bookmaker: ["STRING", "Bookmaker name, e.g. DraftKings, FanDuel, BettingPros Consensus."],
      points_line: ["FLOAT64", "The current line."],
      opening_line: ["FLOAT64", "The line when the offer opened."],
      odds_american: ["INT64", "American odds of this side, e.g. -110."],
      is_active: ["BOOL", "TRUE while the offer is open."],
      is_best_line: ["BOOL", "TRUE for the best line of this side across bookmakers."],
      bookmaker_last_update: ["TIMESTAMP", "When the bookmaker last changed the offer."],
      source_file_path: ["STRING", SOURCE_FILE_PATH],
      processed_at: ["TIMESTAMP", PROCESSED_AT],
    },
  },

  espn_team_rosters: {
    description: "ESPN roster API: one row per player per team per roster snapshot (roster_date, scrape_hour). Team codes are mapped to NBA.com tricodes.",
    partitionBy: "roster_date",
    columns: {
      roster_date: ["DATE", "Eastern date of the snapshot; partition column."],
      scrape_hour: ["INT64", "Eastern hour of the snapshot, 0-23; the latest hour of a date wins."],
      season_year: ["INT64", SEASON_YEAR],
      team_abbr: ["STRING", "NBA.com tricode of the team (ESPN's code mapped)."],
      espn_team_abbr: ["STRING", "ESPN's code of the team."],
      espn_player_id: ["STRING", "ESPN athlete id."],
      player_full_name: ["STRING", "Player name (fullName)."],
      player_lookup: ["STRING", PLAYER_LOOKUP],
      jersey_number: ["STRING", "Jersey number as printed."],
      position: ["STRING", "Position abbreviation, e.g. SF."],
      age: ["INT64", "Age in whole years as ESPN gives it."],
      birth_date: ["DATE", "Date of birth."],
      injury_status: ["STRING", "ESPN's injury status in lowercase (out, day-to-day, ...); NULL when none is listed."],
      source_file_path: ["STRING", SOURCE_FILE_PATH],
      processed_at: ["TIMESTAMP", PROCESSED_AT],
    },
  },

  nba_players_registry: {
    dataset: REFERENCE_DATASET,
    description: "Reference table nba_reference.nba_players_registry: one row per player, team and season, with the player's universal id <player_lookup>_001 (a second, different player with the same lookup, told apart by NBA.com person id, gets _002). Filled by runner load from the player index and from every loaded player, and by runner seed.",
    columns: {
      universal_player_id: ["STRING", "Stable id of the player across sources and seasons."],
      player_lookup: ["STRING", PLAYER_LOOKUP],
      player_full_name: ["STRING", "Player name as first seen."],
      nba_person_id: ["INT64", "NBA.com person id when a source gave one; NULL otherwise."],
      team_abbr: ["STRING", "Tricode of the team the player was seen with."],
      season_year: ["INT64", SEASON_YEAR],
      first_seen_source: ["STRING", "The raw table the row came from (nbac_player_list, nbac_gamebook_player_stats, ...)."],
      processed_at: ["TIMESTAMP", "When the row was written (UTC)."],
    },
  },

  player_aliases: {
    dataset: REFERENCE_DATASET,
    description: "Reference table nba_reference.player_aliases: other lookups of a player (nicknames, spellings of other sources) mapped to the registry's lookup.",
    columns: {
      alias_lookup: ["STRING", "The other lookup, normalised like player_lookup."],
      nba_canonical_lookup: ["STRING", "The registry's player_lookup it stands for."],
      alias_type: ["STRING", "Why the alias exists, e.g. nickname, source_spelling."],
      is_active: ["BOOL", "FALSE for an alias no longer used."],
      processed_at: ["TIMESTAMP", "When the row was written (UTC)."],
    },
  },

  travel_distances: {
    dataset: STATIC_DATASET,
    description: "Reference table nba_static.travel_distances: great-circle miles between the arenas of every ordered pair of the 30 teams (870 rows, symmetric; LAL and LAC share an arena, 0 miles). A load replaces the whole table.",
    columns: {
      from_team: ["STRING", "Tricode of the team whose arena the trip starts from."],
      to_team: ["STRING", "Tricode of the team whose arena the trip ends at."],
      from_city: ["STRING", "City of the starting arena."],
      to_city: ["STRING", "City of the arriving arena."],
      distance_miles: ["INT64", "Great-circle distance between the two arenas, in miles."],
      time_zones_crossed: ["INT64", "Time zones between the two arenas."],
      travel_direction: ["STRING", "east, west or neutral."],
      jet_lag_factor: ["FLOAT64", "The original platform's jet-lag weight for the trip."],
      source_file_path: ["STRING", "Where the loaded file came from."],
      processed_at: ["TIMESTAMP", "When the table was loaded (UTC)."],
    },
  },
};

/** The dataset of a raw table: nba_raw unless the table names another. */
function datasetOf(table) {
  const spec = tables[table];
  if (!spec) throw new Error(`unknown raw table ${table}`);
  return spec.dataset || RAW_DATASET;
}

/** `{column: description}` for a raw table, the shape Dataform's `columns` config takes. */
function columnDocs(table) {
  const spec = tables[table];
  if (!spec) throw new Error(`unknown raw table ${table}`);
  return Object.fromEntries(Object.entries(spec.columns).map(([name, [, description]]) => [name, description]));
}

module.exports = { RAW_DATASET, STATIC_DATASET, REFERENCE_DATASET, tables, datasetOf, columnDocs };
