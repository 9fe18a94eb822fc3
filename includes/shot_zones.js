// Shot-zone counts from the shot_attempts intermediate model, written once for every summary that
// publishes them (player, team offense, team defense, defense zones). Each summary groups the
// attempts by its own key (the shooter, the blocker, the shooting or the defending team) and
// publishes a game's counts only when the game's play-by-play covers its box score.

const run_window = require("./run_window");

/** Attempts and makes per zone, blocks per zone, assisted and and-one makes, grouped by `keyColumn`. */
function countsBy(ref, keyColumn) {
  return `
  SELECT
    game_id,
    ${keyColumn} AS zone_key,
    COUNTIF(shot_zone = 'paint') AS paint_attempts,
    COUNTIF(shot_zone = 'paint' AND shot_made) AS paint_makes,
    COUNTIF(shot_zone = 'mid_range') AS mid_range_attempts,
    COUNTIF(shot_zone = 'mid_range' AND shot_made) AS mid_range_makes,
    COUNTIF(shot_zone = 'three') AS three_attempts,
    COUNTIF(shot_zone = 'three' AND shot_made) AS three_makes,
    COUNTIF(is_rim_attempt) AS rim_attempts,
    COUNTIF(is_rim_attempt AND shot_made) AS rim_makes,
    COUNTIF(is_blocked AND shot_zone = 'paint') AS paint_blocks,
    COUNTIF(is_blocked AND shot_zone = 'mid_range') AS mid_range_blocks,
    COUNTIF(is_blocked AND shot_zone = 'three') AS three_blocks,
    COUNTIF(is_blocked AND is_rim_attempt) AS rim_blocks,
    COUNTIF(shot_made AND assist_player_lookup IS NOT NULL) AS assisted_makes,
    COUNTIF(shot_made AND assist_player_lookup IS NULL) AS unassisted_makes,
    COUNTIF(is_and_one) AS and_ones
  FROM ${ref("shot_attempts")}
  WHERE ${run_window.filter("game_date")}
    AND ${keyColumn} IS NOT NULL
  GROUP BY
    game_id,
    zone_key`;
}

/** One row per game with play-by-play: its source and whether it covers the box score. */
function games(ref) {
  return `
  SELECT
    game_id,
    ANY_VALUE(shot_zones_source) AS shot_zones_source,
    LOGICAL_AND(covers_game) AS covers_game
  FROM ${ref("shot_attempts")}
  WHERE ${run_window.filter("game_date")}
  GROUP BY
    game_id`;
}

/**
 * A count as published: the count (0 when the key had no attempt) for a game whose play-by-play
 * covers it, else NULL (no play-by-play, or a partial one: never a partial count).
 */
function published(count, coversGame) {
  return `IF(${coversGame}, COALESCE(${count}, 0), NULL)`;
}

module.exports = { countsBy, games, published };
