// The data checks of every incremental model, on the run dates only: for each model a
// `<model>_unique_key` assertion (its unique key holds) and a `<model>_row_conditions` one (its
// row conditions hold and its required columns are not NULL). They replace Dataform's built-in
// `assertions: {}` of the model configs, which read the whole table (includes/model_checks.js
// says why). Each row an assertion returns is a failure. `tags` are the model's own, so a
// selection by tag (Dataform's or the runner's) takes a model's checks with it; `window` is the
// model's run window (includes/run_window.js): `upcoming` for the upcoming-context models.

const MODELS = {
  nbac_schedule_latest: {
    tags: ["phase3", "intermediate", "schedule"],
    window: "upcoming",
    uniqueKey: ["game_date", "game_id"],
    nonNull: ["game_id", "nba_game_id", "game_date", "game_type", "game_status", "home_team_abbr", "away_team_abbr"],
    rowConditions: [],
  },
  game_source_checks: {
    tags: ["phase3", "intermediate"],
    window: "game",
    uniqueKey: ["game_date", "game_id"],
    nonNull: ["game_id", "game_date", "home_team_abbr", "away_team_abbr", "is_expected"],
    rowConditions: [
      "player_source IS NULL OR held_back_reason IS NULL",
      // Published, held back, or a postponed or rescheduled game no source has on the date.
      "player_source IS NOT NULL OR held_back_reason IS NOT NULL OR not_expected_reason IS NOT NULL",
      "not_expected_reason IS NULL OR NOT is_expected",
    ],
  },
  player_game_boxscore: {
    tags: ["phase3", "intermediate"],
    window: "game",
    uniqueKey: ["game_date", "game_id", "player_key"],
    nonNull: ["game_id", "game_date", "player_key", "player_lookup", "player_status"],
    rowConditions: [
      "player_status IN ('active', 'dnp', 'inactive')",
      "player_status = 'active' OR points IS NULL",
    ],
  },
  team_game_boxscore: {
    tags: ["phase3", "intermediate"],
    window: "game",
    uniqueKey: ["game_date", "team_abbr"],
    nonNull: ["game_id", "game_date", "team_abbr", "opponent_team_abbr", "home_game", "team_minutes"],
    rowConditions: [
      `team_minutes = ${constants.REGULATION_TEAM_MINUTES} + ${constants.OVERTIME_TEAM_MINUTES} * overtime_periods`,
    ],
  },
  shot_attempts: {
    tags: ["phase3", "intermediate"],
    window: "game",
    uniqueKey: ["game_date", "game_id", "event_sequence"],
    nonNull: ["game_id", "game_date", "event_sequence", "team_abbr", "shot_type", "shot_made", "shot_zones_source"],
    rowConditions: [
      "shot_type IN ('2PT', '3PT')",
      "(shot_type = '3PT') = (shot_zone = 'three') OR shot_zone IS NULL",
    ],
  },
  team_offense_game_summary: {
    tags: ["phase3", "team"],
    window: "game",
    uniqueKey: ["game_date", "team_abbr"],
    nonNull: ["game_id", "game_date", "team_abbr", "opponent_team_abbr", "home_game", "points_scored"],
    rowConditions: [
      "fg_makes <= fg_attempts",
      "three_pt_makes <= three_pt_attempts",
      "ft_makes <= ft_attempts",
      "overtime_periods >= 0",
    ],
  },
  team_defense_game_summary: {
    tags: ["phase3", "team"],
    window: "game",
    uniqueKey: ["game_date", "defending_team_abbr"],
    nonNull: ["game_id", "game_date", "defending_team_abbr", "opponent_team_abbr", "home_game"],
    rowConditions: [
      "opp_fg_makes <= opp_fg_attempts",
      "opp_ft_makes <= opp_ft_attempts",
      "steals >= 0",
      "defensive_rebounds >= 0",
    ],
  },
  defense_zone_analytics: {
    tags: ["phase3", "team"],
    window: "game",
    uniqueKey: ["game_date", "team_abbr"],
    nonNull: ["game_id", "game_date", "team_abbr", "opponent_team_abbr", "home_game", "shot_zones_available", "quality_tier"],
    rowConditions: [
      "rim_fg_allowed <= rim_fga_allowed",
      "paint_fg_allowed <= paint_fga_allowed",
      "rim_fga_allowed <= paint_fga_allowed",
      "three_pt_defense_rating IS NULL OR three_pt_defense_rating BETWEEN 0 AND 100",
      "rim_protection_rating IS NULL OR rim_protection_rating BETWEEN 0 AND 100",
    ],
  },
  player_game_summary: {
    tags: ["phase3", "player"],
    window: "game",
    uniqueKey: ["game_date", "player_lookup"],
    nonNull: ["player_lookup", "game_id", "game_date", "team_abbr", "player_status", "is_active", "starter_flag"],
    rowConditions: [
      `usage_rate IS NULL OR usage_rate BETWEEN 0 AND ${constants.USAGE_RATE_MAX}`,
      "NOT is_dnp OR points IS NULL",
      "minutes_played IS NULL OR minutes_played >= 0",
    ],
  },
  upcoming_team_game_context: {
    tags: ["phase3", "upcoming"],
    window: "upcoming",
    uniqueKey: ["game_date", "team_abbr"],
    nonNull: [
      "game_id", "game_date", "season_year", "team_abbr", "opponent_team_abbr", "home_game",
      "games_in_last_7_days", "games_in_last_14_days", "game_number_in_season",
      "team_win_streak_entering", "team_loss_streak_entering", "primary_source_used",
      "quality_tier", "quality_score", "is_production_ready",
    ],
    rowConditions: [
      "team_abbr != opponent_team_abbr",
      "team_days_rest = days_since_last_game - 1",
      "NOT home_game OR travel_miles = 0",
      "travel_miles >= 0",
      "games_in_last_7_days <= games_in_last_14_days",
      "games_in_last_14_days < game_number_in_season",
      "team_win_streak_entering = 0 OR team_loss_streak_entering = 0",
    ],
  },
  upcoming_player_game_context: {
    tags: ["phase3", "upcoming", "history_only"],
    window: "upcoming",
    uniqueKey: ["game_date", "player_lookup"],
    nonNull: [
      "player_lookup", "game_id", "game_date", "season_year", "team_abbr", "opponent_team_abbr", "home_game",
      "processing_mode", "has_prop_line", "games_in_last_7_days", "games_in_last_14_days",
      "minutes_in_last_7_days", "minutes_in_last_14_days", "back_to_backs_last_14_days", "season_phase",
      "primary_source_used", "quality_tier", "quality_score", "processed_with_issues",
    ],
    rowConditions: [
      "team_abbr != opponent_team_abbr",
      "processing_mode IN ('daily', 'backfill')",
      "back_to_back = (days_rest = 1)",
      "games_in_last_7_days <= games_in_last_14_days",
      "minutes_in_last_7_days <= minutes_in_last_14_days",
      "prop_over_streak = 0 OR prop_under_streak = 0",
      "current_points_line IS NULL OR has_prop_line",
    ],
  },
};

/** Every model is partitioned by game_date (their bigquery config): the column the window filters. */
const WINDOW_COLUMN = "game_date";

for (const [model, checks] of Object.entries(MODELS)) {
  const window = run_window[checks.window];
  if (!window) throw new Error(`definitions/assertions/model_checks.js: ${model}: unknown run window "${checks.window}"`);
  assert(`${model}_unique_key`)
    .tags(checks.tags)
    .description(`No two rows of ${model} on the run dates share its unique key (${checks.uniqueKey.join(", ")}). Each row returned is a duplicated key, with index_row_count.`)
    .query((ctx) => model_checks.uniqueKey(ctx.ref(model), checks.uniqueKey, window, WINDOW_COLUMN));
  assert(`${model}_row_conditions`)
    .tags(checks.tags)
    .description(`Every row of ${model} on the run dates meets its row conditions and has its required columns (${checks.nonNull.join(", ")}). Each row returned breaks the condition in failing_row_condition.`)
    .query((ctx) => model_checks.rowConditions(ctx.ref(model), checks.rowConditions, checks.nonNull, window, WINDOW_COLUMN));
}
