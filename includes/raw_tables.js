// The Phase 2 raw tables (dataset nba_raw) that the Phase 3 models read: one source of truth for
// their columns, types and descriptions. The declarations in definitions/sources/ take their docs
// from here, and the runner creates the local copies of these tables (runner load / runner seed)
// from the same list. Column names are exactly those of the production tables, so the models run
// unchanged against the real nba_raw datasets; only the columns Phase 3 needs are listed. A table
// outside nba_raw names its dataset (the reference table nba_static.travel_distances).

const RAW_DATASET = "nba_raw";
const STATIC_DATASET = "nba_static";

const GAME_ID = "System game id YYYYMMDD_AWAY_HOME built from the ET game date and NBA.com tricodes, e.g. 20250115_LAL_PHI.";
const GAME_DATE = "Eastern-time calendar date of tip-off; partition column.";
const SEASON_YEAR = "Starting year of the season (2024 = 2024-25).";
const PLAYER_LOOKUP = "Normalised player name key (NFKC, no diacritics, lowercase, [a-z0-9] only, jr/sr suffixes kept).";
const PROCESSED_AT = "When the Phase 2 processor wrote this row (UTC); the latest row per key wins.";
const SOURCE_FILE_PATH = "Where the loaded payload came from; loading the file again replaces its rows.";
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
      game_status_text: ["STRING", "Scheduled, In Progress or Final, derived from game_status as the Phase 2 processor writes it."],
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

module.exports = { RAW_DATASET, STATIC_DATASET, tables, datasetOf, columnDocs };
