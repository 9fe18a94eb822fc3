/**
 * The seeded play-by-play against the seeded box scores, recomputed here from the rows alone:
 * three weeks, some games left without box scores and the last days not yet played.
 */
import { describe, expect, it } from "vitest";
import type { RawRow } from "../load/rows.ts";
import { generateSeason } from "./generate.ts";
import { expectEvery, groupBy } from "./test_support.ts";

const OPTIONS = { seasonYear: 2024, seed: 42, start: "2025-01-06", end: "2025-01-26", today: "2025-01-23", missing: { rate: 0.06 } };
const season = generateSeason(OPTIONS);



const nbacom = groupBy(season.rows.nbac_play_by_play, (row) => String(row.game_id));
const bigDataBall = groupBy(season.rows.bigdataball_play_by_play, (row) => String(row.game_id));
const boxScores = groupBy(season.rows.nbac_player_boxscores, (row) => String(row.game_id));
const playedWithBoxScores = season.games.filter((game) => game.status === "final" && !game.boxScoreMissing);
const isFieldGoal = (row: RawRow) => row.shot_type === "2PT" || row.shot_type === "3PT";
const andOneSubtypes = new Set(["1 of 1", "free throw 1/1"]);

describe("seeded play-by-play", () => {
  it("covers every game with box scores in exactly one source, a third of each date's from BigDataBall, and no other game", () => {
    expect(playedWithBoxScores.length).toBeGreaterThan(100);
    expect(season.games.some((game) => game.boxScoreMissing)).toBe(true);
    expect(season.games.some((game) => game.status === "scheduled")).toBe(true);
    for (const game of season.games) {
      const sources = [nbacom.has(game.gameId) && "nbacom", bigDataBall.has(game.gameId) && "bigdataball"].filter(Boolean);
      expect(sources.length, game.gameId).toBe(game.status === "final" && !game.boxScoreMissing ? 1 : 0);
      expect(game.playByPlaySource, game.gameId).toBe(sources[0]);
    }
    // Every date has both sources (before box scores go missing): a third of its games, rounded.
    const all = generateSeason({ ...OPTIONS, today: OPTIONS.end, missing: undefined, tables: ["nbac_schedule"] });
    const byDate = new Map<string, string[]>();
    for (const game of all.games) byDate.set(game.gameDate, [...(byDate.get(game.gameDate) ?? []), String(game.playByPlaySource)]);
    for (const [date, sources] of byDate) {
      expect(sources.filter((source) => source === "bigdataball").length, date).toBe(Math.round(sources.length / 3));
      expect(sources.filter((source) => source === "nbacom").length, date).toBe(sources.length - Math.round(sources.length / 3));
    }
    // The same games whatever range is seeded.
    const week = generateSeason({ ...OPTIONS, start: "2025-01-13", end: "2025-01-19", tables: [] });
    for (const game of week.games) expect(game.playByPlaySource ?? "none", game.gameId).toBe(season.games.find((other) => other.gameId === game.gameId)?.playByPlaySource ?? "none");
  });

  it("adds up to the box score player by player: FGA, FGM, 3PA, 3PM, FTA, FTM, points, assists, blocks", () => {
    expectEvery(playedWithBoxScores, (game) => {
      const events = nbacom.get(game.gameId) ?? bigDataBall.get(game.gameId) ?? [];
      for (const box of boxScores.get(game.gameId) ?? []) {
        const mine = events.filter((row) => row.player_1_lookup === box.player_lookup);
        const shots = mine.filter(isFieldGoal);
        const threes = shots.filter((row) => row.shot_type === "3PT");
        const freeThrows = mine.filter((row) => row.shot_type === "FT");
        const actual = {
          fga: shots.length,
          fgm: shots.filter((row) => row.shot_made === true).length,
          fg3a: threes.length,
          fg3m: threes.filter((row) => row.shot_made === true).length,
          fta: freeThrows.length,
          ftm: freeThrows.filter((row) => row.shot_made === true).length,
          points: mine.reduce((sum, row) => sum + Number(row.points), 0),
          assists: events.filter((row) => row.player_2_role === "assist" && row.player_2_lookup === box.player_lookup).length,
          blocks: events.filter((row) => row.player_2_role === "block" && row.player_2_lookup === box.player_lookup).length,
        };
        const expected = {
          fga: box.field_goals_attempted,
          fgm: box.field_goals_made,
          fg3a: box.three_pointers_attempted,
          fg3m: box.three_pointers_made,
          fta: box.free_throws_attempted,
          ftm: box.free_throws_made,
          points: box.points,
          assists: box.assists,
          blocks: box.blocks,
        };
        if (JSON.stringify(actual) !== JSON.stringify(expected)) return `${game.gameId} ${String(box.player_lookup)}: ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`;
      }
      const known = new Set((boxScores.get(game.gameId) ?? []).map((box) => `${String(box.player_lookup)}|${String(box.team_abbr)}`));
      const stranger = events.find((row) => !known.has(`${String(row.player_1_lookup)}|${String(row.player_1_team_abbr)}`));
      return stranger && `${game.gameId}: ${String(stranger.player_1_lookup)} of ${String(stranger.player_1_team_abbr)} is not in the box score`;
    });
  });

  it("scores 2 or 3 per made field goal and 1 per made free throw, and puts distances in the models' zones", () => {
    const all = [...season.rows.nbac_play_by_play, ...season.rows.bigdataball_play_by_play];
    expectEvery(all, (row) => {
      const where = `${String(row.game_id)} #${String(row.event_sequence)}`;
      const value = { "2PT": 2, "3PT": 3, FT: 1 }[String(row.shot_type)];
      if (value === undefined) return `${where}: shot_type ${String(row.shot_type)}`;
      if (row.points !== (row.shot_made ? value : 0)) return `${where}: ${String(row.points)} points`;
      const distance = row.shot_distance;
      if (row.shot_type === "FT") return distance !== null && `${where}: free throw at ${String(distance)} ft`;
      if (typeof distance !== "number" || distance < 0) return `${where}: distance ${String(distance)}`;
      if (row.shot_type === "3PT" && distance < 22) return `${where}: a three from ${distance} ft`;
      if (row.shot_type === "2PT" && distance > 22) return `${where}: a two from ${distance} ft`;
      return String(row.event_subtype).includes("3pt") !== (row.shot_type === "3PT" && row.event_type === "shot") && `${where}: subtype ${String(row.event_subtype)}`;
    });
    const twos = all.filter((row) => row.shot_type === "2PT").map((row) => Number(row.shot_distance));
    const paint = twos.filter((distance) => distance <= 8).length / twos.length;
    expect(paint).toBeGreaterThan(0.45);
    expect(paint).toBeLessThan(0.8);
    expect(twos.filter((distance) => distance === 0).length / twos.length).toBeGreaterThan(0.05);
    // Paint shots go in more often than mid-range ones.
    const made = (rows: RawRow[]) => rows.filter((row) => row.shot_made === true).length / rows.length;
    const twoRows = all.filter((row) => row.shot_type === "2PT");
    expect(made(twoRows.filter((row) => Number(row.shot_distance) <= 8))).toBeGreaterThan(made(twoRows.filter((row) => Number(row.shot_distance) > 8)));
  });

  it("credits assists to a teammate's made shot and blocks to an opponent on a missed shot", () => {
    const all = [...season.rows.nbac_play_by_play, ...season.rows.bigdataball_play_by_play];
    expectEvery(all, (row) => {
      const where = `${String(row.game_id)} #${String(row.event_sequence)}`;
      if (row.player_2_role === null) return (row.player_2_lookup !== null || row.player_2_team_abbr !== null) && `${where}: player 2 without a role`;
      if (!isFieldGoal(row)) return `${where}: ${String(row.player_2_role)} on a free throw`;
      if (row.player_2_lookup === row.player_1_lookup) return `${where}: ${String(row.player_2_role)} by the shooter`;
      if (row.player_2_role === "assist") return (row.shot_made !== true || row.player_2_team_abbr !== row.player_1_team_abbr) && `${where}: assist`;
      if (row.player_2_role === "block") return (row.shot_made !== false || row.player_2_team_abbr === row.player_1_team_abbr) && `${where}: block`;
      return `${where}: role ${String(row.player_2_role)}`;
    });
    // The team's assists are the sum of its players' in the box score.
    const teams = groupBy(season.rows.nbac_team_boxscore, (row) => `${String(row.game_id)}|${String(row.team_abbr)}`);
    const assisted = groupBy(all.filter((row) => row.player_2_role === "assist"), (row) => `${String(row.game_id)}|${String(row.player_2_team_abbr)}`);
    expectEvery(teams, ([key, [team]]) => (assisted.get(key)?.length ?? 0) !== Number(team?.assists) && `${key}: ${assisted.get(key)?.length} assists in the play-by-play, ${String(team?.assists)} in the box score`);
  });

  it("follows every lone free throw (and only a 1-of-1) a made shot of the same player at the same clock", () => {
    const andOnes = { nbacom: 0, bigdataball: 0 };
    expectEvery([...nbacom.values(), ...bigDataBall.values()], (events) => {
      const ordered = [...events].sort((a, b) => Number(a.event_sequence) - Number(b.event_sequence));
      for (const [index, row] of ordered.entries()) {
        if (row.shot_type !== "FT" || !andOneSubtypes.has(String(row.event_subtype))) continue;
        andOnes[row.event_type === "freethrow" ? "nbacom" : "bigdataball"]++;
        const shot = ordered[index - 1];
        const same = shot && isFieldGoal(shot) && shot.shot_made === true && shot.player_1_lookup === row.player_1_lookup && shot.period === row.period && shot.period_seconds_remaining === row.period_seconds_remaining;
        if (!same) return `${String(row.game_id)} #${String(row.event_sequence)}: a 1-of-1 free throw after ${JSON.stringify(shot ?? null)}`;
      }
      return undefined;
    });
    // A few and-ones a game in both sources (the box scores' odd free-throw counts call for them).
    expect(andOnes.nbacom / nbacom.size).toBeGreaterThan(1);
    expect(andOnes.bigdataball / bigDataBall.size).toBeGreaterThan(1);
  });

  it("numbers events in time order: periods 1-4 (5+ in overtime), the clock running down within each", () => {
    const overtime = new Map(season.games.map((game) => [game.gameId, game.overtimePeriods]));
    expectEvery([...nbacom.values(), ...bigDataBall.values()], (events) => {
      const gameId = String(events[0]?.game_id);
      const ordered = [...events].sort((a, b) => Number(a.event_sequence) - Number(b.event_sequence));
      for (let i = 0; i < ordered.length; i++) {
        const row = ordered[i] as RawRow;
        const period = Number(row.period);
        const remaining = Number(row.period_seconds_remaining);
        const length = period <= 4 ? 720 : 300;
        if (period < 1 || period > 4 + (overtime.get(gameId) ?? 0) || remaining < 0 || remaining > length) return `${gameId}: period ${period} at ${remaining}`;
        const previous = ordered[i - 1];
        if (!previous) continue;
        if (previous.event_sequence === row.event_sequence) return `${gameId}: sequence ${String(row.event_sequence)} twice`;
        if (Number(previous.period) > period || (Number(previous.period) === period && Number(previous.period_seconds_remaining) < remaining)) return `${gameId}: #${String(row.event_sequence)} before #${String(previous.event_sequence)}`;
      }
      return new Set(ordered.map((row) => row.period)).size !== 4 + (overtime.get(gameId) ?? 0) && `${gameId}: not every period has events`;
    });
  });

  it("gives NBA.com rows the box scores' person ids and BigDataBall rows names, dates and teams of the schedule", () => {
    const personIds = new Map(season.rows.nbac_player_boxscores.map((row) => [String(row.player_lookup), row.nba_player_id]));
    expectEvery(season.rows.nbac_play_by_play, (row) => {
      if (row.player_1_id !== personIds.get(String(row.player_1_lookup))) return `${String(row.player_1_lookup)}: person id ${String(row.player_1_id)}`;
      if (row.player_2_lookup !== null && row.player_2_id !== personIds.get(String(row.player_2_lookup))) return `${String(row.player_2_lookup)}: person id ${String(row.player_2_id)}`;
      return (row.is_field_goal !== isFieldGoal(row) || !["2pt", "3pt", "freethrow"].includes(String(row.event_type))) && `${String(row.game_id)}: ${String(row.event_type)}`;
    });
    const names = new Map(season.rows.nbac_player_boxscores.map((row) => [String(row.player_lookup), row.player_full_name]));
    expectEvery(season.rows.bigdataball_play_by_play, (row) => {
      if (row.player_1_name !== names.get(String(row.player_1_lookup))) return `${String(row.player_1_lookup)}: ${String(row.player_1_name)}`;
      if (row.player_2_lookup !== null && row.player_2_name !== names.get(String(row.player_2_lookup))) return `${String(row.player_2_lookup)}: ${String(row.player_2_name)}`;
      return (row.data_source !== "bigdataball" || !["shot", "free throw"].includes(String(row.event_type))) && `${String(row.game_id)}: ${String(row.event_type)}`;
    });
    const schedule = new Map(season.games.map((game) => [game.gameId, game]));
    expectEvery([...season.rows.nbac_play_by_play, ...season.rows.bigdataball_play_by_play], (row) => {
      const game = schedule.get(String(row.game_id));
      const expected = [game?.nbaGameId, game?.gameDate, game?.home, game?.away, 2024];
      const actual = [row.nba_game_id, row.game_date, row.home_team_abbr, row.away_team_abbr, row.season_year];
      return JSON.stringify(actual) !== JSON.stringify(expected) && `${String(row.game_id)}: ${JSON.stringify(actual)}`;
    });
  });
});
