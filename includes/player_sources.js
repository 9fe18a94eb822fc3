// The games of the run dates that have player box-score rows in any Phase 2 source: what the
// gates compare the schedule and the team models against. Takes the caller's ref() so that the
// gate depends on the raw tables in the graph.

const runWindow = require("./run_window");

/** SQL: distinct (game_date, game_id) with player rows (gamebook active, NBA.com, balldontlie). */
function gamesWithPlayerRows(ref) {
  const window = runWindow.filter("game_date");
  return `
  SELECT game_date, game_id FROM ${ref("nbac_gamebook_player_stats")}
  WHERE ${window} AND player_status = 'active'
  UNION DISTINCT
  SELECT game_date, game_id FROM ${ref("nbac_player_boxscores")}
  WHERE ${window}
  UNION DISTINCT
  SELECT game_date, game_id FROM ${ref("bdl_player_boxscores")}
  WHERE ${window}`;
}

module.exports = { gamesWithPlayerRows };
