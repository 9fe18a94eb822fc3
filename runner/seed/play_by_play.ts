/**
 * Play-by-play for the synthetic games, in one source per game as production has it: BigDataBall
 * for a third of each date's games and the NBA.com live feed for the rest (playByPlaySources).
 * The events are dealt out of the published box score, so they add up to it exactly:
 * - per player, a field-goal row per attempt (shot_type 2PT/3PT) and the box score's FGM and 3PM
 *   made, a free-throw row (FT) per attempt and FTM made; points 2/3 per made shot, 1 per made FT;
 * - every assist of the box score on a teammate's made shot (player_2_role 'assist'), every
 *   block on an opponent's missed shot (role 'block'), mostly at the rim;
 * - and-ones: a made shot, then a lone free throw ("1 of 1" / "free throw 1/1") by the same
 *   player at the same game clock. Every 1-of-1 free throw is an and-one, so counting them (what
 *   the shot-zone models do) counts and-ones. A player's odd free throw is an and-one, else a
 *   trip of three (fouled shooting a three), else a technical ("Technical" / "free throw
 *   technical"); the rest are trips of two.
 * Distances follow the zones the models use: threes from 22 ft, twos in the paint (<= 8 ft, 0.0 at
 * the rim for dunks and tip-ins) or mid-range (> 8 ft). Only shots and free throws are written
 * (no rebounds, fouls or substitutions), so event_sequence leaves gaps as the real feeds do for
 * the events not kept. Each game draws from its own stream.
 */
import type { RawRow } from "../load/rows.ts";
import { TEAMS, type Team } from "../nba/teams.ts";
import { OVERTIME_MINUTES, REGULATION_MINUTES, type GameResult, type TeamResult } from "./boxscore.ts";
import { Random } from "./random.ts";
import type { Player } from "./rosters.ts";
import type { SeededGame } from "./rows.ts";
import type { ScheduledGame } from "./schedule.ts";

export type PlayByPlaySource = "bigdataball" | "nbacom";

/** Share of games BigDataBall has; NBA.com has the others. */
export const BIGDATABALL_SHARE = 1 / 3;

/**
 * The one play-by-play source of each game of the season: on every game date a third of the
 * games (rounded) from BigDataBall, drawn per date, so that every date has both sources and a
 * game has the same source whatever range is seeded.
 */
export function playByPlaySources(seed: number, schedule: readonly ScheduledGame[]): Map<string, PlayByPlaySource> {
  const byDate = new Map<string, string[]>();
  for (const game of schedule) byDate.set(game.gameDate, [...(byDate.get(game.gameDate) ?? []), game.nbaGameId]);
  const sources = new Map<string, PlayByPlaySource>();
  for (const [date, ids] of byDate) {
    const bigDataBall = Math.round(ids.length * BIGDATABALL_SHARE);
    Random.of(seed, "play_by_play_source", date)
      .shuffle(ids)
      .forEach((id, index) => sources.set(id, index < bigDataBall ? "bigdataball" : "nbacom"));
  }
  return sources;
}

type Zone = "rim" | "paint" | "mid" | "three";

interface Shot {
  shooter: Player;
  team: Team;
  three: boolean;
  made: boolean;
  zone: Zone;
  /** Feet, in the source's precision. */
  distance: number;
  assist: Player | undefined;
  block: Player | undefined;
  andOne: boolean;
}

interface FreeThrowTrip {
  shooter: Player;
  team: Team;
  /** 1 (technical), 2 or 3. */
  attempts: number;
  technical: boolean;
}

/** One moment of the game clock: a shot (and its and-one) or a trip to the line. */
type Unit = { kind: "shot"; shot: Shot; andOneMade: boolean } | { kind: "trip"; trip: FreeThrowTrip; made: boolean[] };

const PERIOD_SECONDS = REGULATION_MINUTES * 60 / 4;
const OVERTIME_SECONDS = OVERTIME_MINUTES * 60;
/** No shot in the first seconds of a period (the tip, the first possession). */
const PERIOD_OPENING_SECONDS = 6;

/** Share of a player's twos taken in the paint, by the position he is listed first at. */
const PAINT_SHARE: Record<string, number> = { G: 0.5, F: 0.6, C: 0.82 };
/** Relative chance that a two is made, by zone (the box score fixes how many are). */
const MAKE_WEIGHT: Record<Zone, number> = { rim: 0.7, paint: 0.55, mid: 0.42, three: 1 };
/** Relative chance that a missed shot is the blocked one, by zone. */
const BLOCK_WEIGHT: Record<Zone, number> = { rim: 6, paint: 4, mid: 1.2, three: 0.3 };
/** Relative chance that a made shot is the one with the and-one, by zone. */
const AND_ONE_WEIGHT: Record<Zone, number> = { rim: 5, paint: 4, mid: 1, three: 0.3 };

const team = (index: number): Team => TEAMS[index] as Team;

/** Indexes of `count` items drawn without replacement, each with probability proportional to its weight. */
function drawWeighted(random: Random, weights: number[], count: number): number[] {
  const live = [...weights];
  const chosen: number[] = [];
  for (let i = 0; i < count; i++) {
    const index = random.weightedIndex(live);
    if (index < 0) break;
    chosen.push(index);
    live[index] = 0;
  }
  return chosen;
}

function distanceOf(random: Random, zone: Zone, source: PlayByPlaySource): number {
  // NBA.com gives feet to the hundredth, BigDataBall whole feet.
  const feet = (low: number, high: number) => (source === "nbacom" ? Math.round(random.between(low, high) * 100) / 100 : random.int(Math.ceil(low), Math.floor(high)));
  switch (zone) {
    case "rim":
      return 0;
    case "paint":
      return feet(1, 8);
    case "mid":
      return feet(9, 21.9);
    case "three":
      // A quarter from the corners (22 ft), the rest above the break, a few from deep.
      if (random.chance(0.25)) return feet(22, 23.5);
      return random.chance(0.9) ? feet(23.75, 27.9) : feet(28, 34);
  }
}

/** The shots of one team: every attempt of its box score, made as the box score says. */
function teamShots(random: Random, side: TeamResult, source: PlayByPlaySource): Shot[] {
  const shots: Shot[] = [];
  for (const line of side.lines) {
    if (!line.stats) continue;
    const { fga, fgm, fg3a, fg3m } = line.stats;
    const position = line.player.position.split("-")[0] as string;
    const twos: Zone[] = [];
    for (let i = 0; i < fga - fg3a; i++) {
      twos.push(random.chance(PAINT_SHARE[position] ?? 0.6) ? (random.chance(0.3) ? "rim" : "paint") : "mid");
    }
    const madeTwos = new Set(drawWeighted(random, twos.map((zone) => MAKE_WEIGHT[zone]), fgm - fg3m));
    const shooter = line.player;
    const offense = team(side.teamIndex);
    twos.forEach((zone, i) =>
      shots.push({ shooter, team: offense, three: false, made: madeTwos.has(i), zone, distance: distanceOf(random, zone, source), assist: undefined, block: undefined, andOne: false }),
    );
    for (let i = 0; i < fg3a; i++) {
      shots.push({ shooter, team: offense, three: true, made: i < fg3m, zone: "three", distance: distanceOf(random, "three", source), assist: undefined, block: undefined, andOne: false });
    }
  }
  return shots;
}

/**
 * Credits every assist of the box score to a teammate's made shot, never the assister's own:
 * the assister with the most assists left goes first, onto the shooter with the most unassisted
 * makes left. When only his own makes are left (rare), he takes over a make another player
 * assisted, who takes one of his instead.
 */
function creditAssists(random: Random, side: TeamResult, shots: Shot[]): void {
  const made = shots.filter((shot) => shot.made);
  const open = new Map<Player, Shot[]>();
  for (const shot of made) {
    const list = open.get(shot.shooter);
    if (list) list.push(shot);
    else open.set(shot.shooter, [shot]);
  }
  const left = new Map<Player, number>();
  for (const line of side.lines) if (line.stats && line.stats.ast > 0) left.set(line.player, line.stats.ast);
  for (;;) {
    let assister: Player | undefined;
    for (const [player, count] of left) if (count > 0 && (!assister || count > (left.get(assister) as number))) assister = player;
    if (!assister) return;
    let most = 0;
    let shooters: Player[] = [];
    for (const [shooter, list] of open) {
      if (shooter === assister || list.length === 0 || list.length < most) continue;
      if (list.length > most) {
        most = list.length;
        shooters = [shooter];
      } else shooters.push(shooter);
    }
    let target: Shot;
    if (most > 0) {
      const list = open.get(random.pick(shooters)) as Shot[];
      target = list.splice(random.int(0, list.length - 1), 1)[0] as Shot;
    } else {
      const own = open.get(assister)?.pop();
      const swap = made.find((shot) => shot.assist && shot.assist !== assister && shot.shooter !== assister);
      if (!own || !swap) throw new Error(`cannot credit the assists of ${assister.name}: the box score has more than his teammates' makes`);
      own.assist = swap.assist;
      target = swap;
    }
    target.assist = assister;
    left.set(assister, (left.get(assister) as number) - 1);
  }
}

/** Puts every block of the defenders' box score on one of the shooters' missed shots. */
function creditBlocks(random: Random, defense: TeamResult, shots: Shot[]): void {
  const missed = shots.filter((shot) => !shot.made);
  const blockers = random.shuffle(defense.lines.flatMap((line) => Array.from({ length: line.stats?.blk ?? 0 }, () => line.player)));
  const blocked = drawWeighted(random, missed.map((shot) => BLOCK_WEIGHT[shot.zone]), blockers.length);
  if (blocked.length < blockers.length) throw new Error(`${blockers.length} blocks but ${missed.length} missed shots`);
  blocked.forEach((index, i) => ((missed[index] as Shot).block = blockers[i]));
}

/**
 * Splits each player's free throws into trips: an odd count needs a lone free throw, an and-one
 * after one of his made shots when he has one (else a trip of three, or one technical).
 */
function freeThrowTrips(random: Random, side: TeamResult, shots: Shot[]): FreeThrowTrip[] {
  const trips: FreeThrowTrip[] = [];
  const madeBy = new Map<Player, Shot[]>();
  for (const shot of shots) {
    if (!shot.made) continue;
    const list = madeBy.get(shot.shooter);
    if (list) list.push(shot);
    else madeBy.set(shot.shooter, [shot]);
  }
  for (const line of side.lines) {
    if (!line.stats || line.stats.fta === 0) continue;
    const own = madeBy.get(line.player) ?? [];
    let attempts = line.stats.fta;
    let andOnes = 0;
    const base = { shooter: line.player, team: team(side.teamIndex) };
    if (attempts % 2 === 1) {
      if (own.length > 0 && (attempts === 1 ? random.chance(0.9) : random.chance(0.4))) andOnes = 1;
      else if (attempts >= 3) {
        trips.push({ ...base, attempts: 3, technical: false });
        attempts -= 3;
      } else {
        trips.push({ ...base, attempts: 1, technical: true });
        attempts -= 1;
      }
    }
    if (attempts - andOnes >= 2 && own.length >= andOnes + 2 && random.chance(0.03)) andOnes += 2;
    attempts -= andOnes;
    for (const index of drawWeighted(random, own.map((shot) => AND_ONE_WEIGHT[shot.zone]), andOnes)) (own[index] as Shot).andOne = true;
    for (; attempts > 0; attempts -= 2) trips.push({ ...base, attempts: 2, technical: false });
  }
  return trips;
}

/** Which of the player's free throws go in: FTM of his FTA, any of them. */
function dealFreeThrowMakes(random: Random, side: TeamResult, units: Unit[]): void {
  for (const line of side.lines) {
    if (!line.stats || line.stats.fta === 0) continue;
    const slots: { unit: Unit; index: number }[] = [];
    for (const unit of units) {
      if (unit.kind === "shot" && unit.shot.andOne && unit.shot.shooter === line.player) slots.push({ unit, index: 0 });
      if (unit.kind === "trip" && unit.trip.shooter === line.player) for (let i = 0; i < unit.trip.attempts; i++) slots.push({ unit, index: i });
    }
    for (const slot of random.shuffle(slots).slice(0, line.stats.ftm)) {
      if (slot.unit.kind === "shot") slot.unit.andOneMade = true;
      else slot.unit.made[slot.index] = true;
    }
  }
}

interface Clock {
  period: number;
  remaining: number;
}

/** `count` distinct moments of the game in time order: periods of 720 s (300 s in overtime). */
function gameClock(random: Random, overtimePeriods: number, count: number): Clock[] {
  const periods = Array.from({ length: 4 + overtimePeriods }, (_, i) => (i < 4 ? PERIOD_SECONDS : OVERTIME_SECONDS));
  // Each period offers the seconds from its length - PERIOD_OPENING_SECONDS down to 0, numbered in time order.
  const offered = periods.map((length) => length - PERIOD_OPENING_SECONDS + 1);
  const total = offered.reduce((a, b) => a + b, 0);
  if (count > total) throw new Error(`${count} events do not fit in ${total} seconds`);
  // Floyd's sampling: `count` distinct moments.
  const chosen = new Set<number>();
  for (let j = total - count; j < total; j++) {
    const candidate = random.int(0, j);
    chosen.add(chosen.has(candidate) ? j : candidate);
  }
  return [...chosen]
    .sort((a, b) => a - b)
    .map((moment) => {
      let period = 0;
      while (moment >= (offered[period] as number)) moment -= offered[period++] as number;
      return { period: period + 1, remaining: (periods[period] as number) - PERIOD_OPENING_SECONDS - moment };
    });
}

const initialed = (player: Player) => `${player.name.slice(0, 1)}. ${player.lastName}`;

interface Tally {
  points: Map<Player, number>;
  assists: Map<Player, number>;
  blocks: Map<Player, number>;
}

function bump(counts: Map<Player, number>, player: Player, by: number): number {
  const value = (counts.get(player) ?? 0) + by;
  counts.set(player, value);
  return value;
}

const NBA_PAINT_SUBTYPES = ["Layup", "Layup", "Layup", "Hook", "Jump Shot"];
const NBA_RIM_SUBTYPES = ["DUNK", "DUNK", "Layup"];
const BDB_RIM_SUBTYPES = ["dunk", "cutting dunk shot", "layup", "putback layup"];
const BDB_PAINT_SUBTYPES = ["driving layup", "layup", "cutting layup shot", "driving floating jump shot", "hook shot"];
const BDB_MID_SUBTYPES = ["jump shot", "jump shot", "pullup jump shot", "turnaround fadeaway", "fadeaway jumper"];
const BDB_THREE_SUBTYPES = ["3pt jump shot", "3pt jump shot", "3pt pullup jump shot", "3pt step back jump shot", "3pt running jump shot"];

function shotSubtype(random: Random, shot: Shot, source: PlayByPlaySource): string {
  if (source === "nbacom") {
    if (shot.zone === "rim") return random.pick(NBA_RIM_SUBTYPES);
    if (shot.zone === "paint") return random.pick(NBA_PAINT_SUBTYPES);
    return "Jump Shot";
  }
  const subtypes = { rim: BDB_RIM_SUBTYPES, paint: BDB_PAINT_SUBTYPES, mid: BDB_MID_SUBTYPES, three: BDB_THREE_SUBTYPES }[shot.zone];
  return random.pick(subtypes);
}

/** "3pt step back jump shot" -> "3PT Step Back Jump Shot", as the descriptions print shot types. */
const PRINTED_SUBTYPE = new Map(
  [...NBA_RIM_SUBTYPES, ...NBA_PAINT_SUBTYPES, "Jump Shot", ...BDB_RIM_SUBTYPES, ...BDB_PAINT_SUBTYPES, ...BDB_MID_SUBTYPES, ...BDB_THREE_SUBTYPES].map((subtype) => [
    subtype,
    subtype.replace(/^3pt /, "").replace(/\b\w/g, (letter) => letter.toUpperCase()),
  ]),
);

/** The text of a shot as the source prints it ("MISS Bridges 27' 3PT Jump Shot: Allen BLOCK (1 BLK)"). */
function shotDescription(shot: Shot, subtype: string, source: PlayByPlaySource, tally: Tally): string {
  const name = source === "nbacom" ? initialed(shot.shooter) : shot.shooter.lastName;
  const partner = (player: Player) => (source === "nbacom" ? initialed(player) : player.lastName);
  const feet = shot.distance > 0 ? `${Math.round(shot.distance)}' ` : "";
  const printed = PRINTED_SUBTYPE.get(subtype) ?? subtype;
  const words = shot.three ? `3PT ${printed}` : printed;
  if (!shot.made) {
    const block = shot.block ? `: ${partner(shot.block)} BLOCK (${bump(tally.blocks, shot.block, 1)} BLK)` : "";
    return `MISS ${name} ${feet}${words}${block}`;
  }
  const scored = bump(tally.points, shot.shooter, shot.three ? 3 : 2);
  const assist = shot.assist ? ` (${partner(shot.assist)} ${bump(tally.assists, shot.assist, 1)} AST)` : "";
  return `${name} ${feet}${words} (${scored} PTS)${assist}`;
}

function freeThrowDescription(shooter: Player, label: string, made: boolean, source: PlayByPlaySource, tally: Tally): string {
  const name = source === "nbacom" ? initialed(shooter) : shooter.lastName;
  return made ? `${name} Free Throw ${label} (${bump(tally.points, shooter, 1)} PTS)` : `MISS ${name} Free Throw ${label}`;
}

/** The rows of a played game's play-by-play, in the columns of its source's table. */
export function playByPlayRows(game: SeededGame, seed: number, source: PlayByPlaySource): RawRow[] {
  const result = game.result as GameResult;
  const random = Random.of(seed, "play_by_play", game.schedule.nbaGameId);
  const units: Unit[] = [];
  for (const [offense, defense] of [
    [result.away, result.home],
    [result.home, result.away],
  ] as const) {
    const shots = teamShots(random, offense, source);
    creditAssists(random, offense, shots);
    creditBlocks(random, defense, shots);
    const trips = freeThrowTrips(random, offense, shots);
    const own: Unit[] = [
      ...shots.map((shot): Unit => ({ kind: "shot", shot, andOneMade: false })),
      ...trips.map((trip): Unit => ({ kind: "trip", trip, made: Array.from({ length: trip.attempts }, () => false) })),
    ];
    dealFreeThrowMakes(random, offense, own);
    units.push(...own);
  }

  const order = random.shuffle(units);
  const clock = gameClock(random, result.overtimePeriods, order.length);
  const home = team(game.schedule.home);
  const away = team(game.schedule.away);
  const tally: Tally = { points: new Map(), assists: new Map(), blocks: new Map() };
  const table = source === "nbacom" ? "nbac_play_by_play" : "bigdataball_play_by_play";
  const context: GameContext = {
    game,
    home,
    away,
    file: `seed://${seed}/${table}/${game.schedule.gameDate}/${game.schedule.nbaGameId}.${source === "nbacom" ? "json" : "csv"}`,
    // BigDataBall publishes its files some hours after NBA.com's feed.
    processedAt: source === "nbacom" ? game.processedAt : game.processedAt.replace("T06:", "T10:"),
  };
  const rows: RawRow[] = [];
  let sequence = 0;
  const add = (event: PlayEvent) => {
    // The feeds number every event; the ones not kept here (rebounds, fouls...) leave gaps.
    sequence += random.int(1, 3);
    event.sequence = sequence;
    rows.push(source === "nbacom" ? nbacomRow(context, event) : bigDataBallRow(context, event));
  };
  const freeThrow = (at: Clock, shooter: Player, side: Team, label: { nbacom: string; bigdataball: string }, made: boolean) =>
    add({ at, sequence: 0, kind: "free_throw", subtype: label[source], three: false, made, distance: null, shooter, side, second: undefined, role: null, secondSide: undefined, points: made ? 1 : 0, description: freeThrowDescription(shooter, label.nbacom, made, source, tally) });

  order.forEach((unit, index) => {
    const at = clock[index] as Clock;
    if (unit.kind === "trip") {
      const { trip } = unit;
      for (let i = 0; i < trip.attempts; i++) {
        const label = trip.technical
          ? { nbacom: "Technical", bigdataball: "free throw technical" }
          : { nbacom: `${i + 1} of ${trip.attempts}`, bigdataball: `free throw ${i + 1}/${trip.attempts}` };
        freeThrow(at, trip.shooter, trip.team, label, unit.made[i] as boolean);
      }
      return;
    }
    const { shot } = unit;
    const subtype = shotSubtype(random, shot, source);
    const second = shot.assist ?? shot.block;
    add({
      at,
      sequence: 0,
      kind: "shot",
      subtype,
      three: shot.three,
      made: shot.made,
      distance: shot.distance,
      shooter: shot.shooter,
      side: shot.team,
      second,
      role: shot.assist ? "assist" : shot.block ? "block" : null,
      secondSide: shot.assist ? shot.team : shot.block ? (shot.team === home ? away : home) : undefined,
      points: shot.made ? (shot.three ? 3 : 2) : 0,
      description: shotDescription(shot, subtype, source, tally),
    });
    if (shot.andOne) freeThrow(at, shot.shooter, shot.team, { nbacom: "1 of 1", bigdataball: "free throw 1/1" }, unit.andOneMade);
  });
  return rows;
}

/** One shot or free throw, before it is written in its source's columns. */
interface PlayEvent {
  at: Clock;
  sequence: number;
  kind: "shot" | "free_throw";
  subtype: string;
  three: boolean;
  made: boolean;
  distance: number | null;
  shooter: Player;
  side: Team;
  /** The assisting or blocking player. */
  second: Player | undefined;
  role: "assist" | "block" | null;
  secondSide: Team | undefined;
  points: number;
  description: string;
}

/** What every row of a game's play-by-play shares. */
interface GameContext {
  game: SeededGame;
  home: Team;
  away: Team;
  file: string;
  processedAt: string;
}

// The rows are object literals with every column in one order: spreading pieces into ~25-column
// rows made the season's play-by-play ten times slower to build.
function nbacomRow({ game, home, away, file, processedAt }: GameContext, event: PlayEvent): RawRow {
  const shot = event.kind === "shot";
  return {
    game_id: game.gameId,
    nba_game_id: game.schedule.nbaGameId,
    game_date: game.schedule.gameDate,
    season_year: game.seasonYear,
    home_team_abbr: home.tricode,
    away_team_abbr: away.tricode,
    event_sequence: event.sequence,
    period: event.at.period,
    period_seconds_remaining: event.at.remaining,
    event_type: shot ? (event.three ? "3pt" : "2pt") : "freethrow",
    event_subtype: event.subtype,
    is_field_goal: shot,
    shot_type: shot ? (event.three ? "3PT" : "2PT") : "FT",
    shot_made: event.made,
    shot_distance: event.distance,
    player_1_id: event.shooter.nbaPlayerId,
    player_1_name: event.shooter.name,
    player_1_lookup: event.shooter.lookup,
    player_1_team_abbr: event.side.tricode,
    player_2_id: event.second?.nbaPlayerId ?? null,
    player_2_lookup: event.second?.lookup ?? null,
    player_2_team_abbr: event.secondSide?.tricode ?? null,
    player_2_role: event.role,
    points: event.points,
    description: event.description,
    source_file_path: file,
    processed_at: processedAt,
  };
}

function bigDataBallRow({ game, home, away, file, processedAt }: GameContext, event: PlayEvent): RawRow {
  const shot = event.kind === "shot";
  return {
    game_id: game.gameId,
    nba_game_id: game.schedule.nbaGameId,
    game_date: game.schedule.gameDate,
    season_year: game.seasonYear,
    home_team_abbr: home.tricode,
    away_team_abbr: away.tricode,
    event_sequence: event.sequence,
    period: event.at.period,
    period_seconds_remaining: event.at.remaining,
    event_type: shot ? "shot" : "free throw",
    event_subtype: event.subtype,
    shot_type: shot ? (event.three ? "3PT" : "2PT") : "FT",
    shot_made: event.made,
    shot_distance: event.distance,
    player_1_name: event.shooter.name,
    player_1_lookup: event.shooter.lookup,
    player_1_team_abbr: event.side.tricode,
    player_2_name: event.second?.name ?? null,
    player_2_lookup: event.second?.lookup ?? null,
    player_2_team_abbr: event.secondSide?.tricode ?? null,
    player_2_role: event.role,
    points: event.points,
    description: event.description,
    data_source: "bigdataball",
    source_file_path: file,
    processed_at: processedAt,
  };
}
