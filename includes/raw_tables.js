// The Phase 2 raw tables (dataset nba_raw) that the Phase 3 models read: one source of truth for
// their columns, types and descriptions. The declarations in definitions/sources/ take their docs
// from here, and the runner creates the local copies of these tables (runner load / runner seed)
// from the same list. Column names are exactly those of the production tables, so the models run
// unchanged against the real nba_raw datasets; only the columns Phase 3 needs are listed.

const RAW_DATASET = "nba_raw";

const GAME_ID = "System game id YYYYMMDD_AWAY_HOME built from the ET game date and NBA.com tricodes, e.g. 20250115_LAL_PHI.";
const GAME_DATE = "Eastern-time calendar date of tip-off; partition column.";
const SEASON_YEAR = "Starting year of the season (2024 = 2024-25).";
const PLAYER_LOOKUP = "Normalised player name key (NFKC, no diacritics, lowercase, [a-z0-9] only, jr/sr suffixes kept).";
const PROCESSED_AT = "When the Phase 2 processor wrote this row (UTC); the latest row per key wins.";
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
};

/** `{column: description}` for a raw table, the shape Dataform's `columns` config takes. */
function columnDocs(table) {
  const spec = tables[table];
  if (!spec) throw new Error(`unknown raw table ${table}`);
  return Object.fromEntries(Object.entries(spec.columns).map(([name, [, description]]) => [name, description]));
}

module.exports = { RAW_DATASET, tables, columnDocs };
