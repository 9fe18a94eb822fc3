/**
 * One game's box score, simulated from its own random stream (seed + game id), so a game comes
 * out the same whichever dates are seeded. Team totals are drawn first (shots, makes, free
 * throws, rebounds from the misses, steals from the opponent's turnovers, blocks from its missed
 * shots), then every counting stat is dealt out to the players who played, weighted by their
 * minutes and tendencies. So by construction:
 * - team totals are the sums of the players, except turnovers, which add the team's own;
 * - FGM <= FGA, 3PM <= 3PA, FTM <= FTA per player; points = 2 FGM + 3PM + FTM; REB = OREB + DREB;
 * - player seconds add up to exactly 5 x game length (240:00, 265:00 with one overtime...);
 * - player plus/minus adds up to 5 x the margin, the team plus/minus is the margin, no ties.
 */
import type { PlayerAvailability } from "./availability.ts";
import { Random } from "./random.ts";
import type { Player } from "./rosters.ts";
import type { ScheduledGame } from "./schedule.ts";

export const PLAYERS_ON_FLOOR = 5;
export const REGULATION_MINUTES = 48;
export const OVERTIME_MINUTES = 5;
export const MAX_PERSONAL_FOULS = 6;
/** Share of games that go to overtime (the NBA's is about 6 %). */
export const OVERTIME_RATE = 0.06;
/** Team points per 48 minutes stay in a realistic band (2024-25 averaged 114; 80 and 150 are rare). */
const MIN_TEAM_POINTS = 85;
const MAX_TEAM_POINTS = 145;

export interface StatLine {
  fgm: number;
  fga: number;
  fg3m: number;
  fg3a: number;
  ftm: number;
  fta: number;
  oreb: number;
  dreb: number;
  ast: number;
  stl: number;
  blk: number;
  tov: number;
  pf: number;
}

export const STAT_KEYS = ["fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb", "ast", "stl", "blk", "tov", "pf"] as const;

export function points(line: StatLine): number {
  return 2 * line.fgm + line.fg3m + line.ftm;
}

export interface PlayerLine {
  player: Player;
  status: "active" | "dnp" | "inactive";
  /** Gamebook text for a DNP or inactive player. */
  reason: string | null;
  starter: boolean;
  /** Seconds on the floor; 0 unless active. */
  seconds: number;
  stats: StatLine | null;
  plusMinus: number | null;
}

export interface TeamResult {
  teamIndex: number;
  isHome: boolean;
  lines: PlayerLine[];
  /** Team totals: the players' sums, turnovers including the team's own. */
  totals: StatLine;
  teamTurnovers: number;
  points: number;
  /** Points minus the opponent's points. */
  plusMinus: number;
}

export interface GameResult {
  overtimePeriods: number;
  away: TeamResult;
  home: TeamResult;
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

interface TeamShooting {
  fg2a: number;
  fg2m: number;
  fg3a: number;
  fg3m: number;
  fta: number;
  ftm: number;
  tov: number;
  teamTurnovers: number;
  pf: number;
  assistRate: number;
  offensiveReboundRate: number;
}

function drawShooting(random: Random, scale: number): TeamShooting {
  const fga = Math.round(clamp(random.normal(88.5, 4.5), 80, 104) * scale);
  const fg3a = Math.round(fga * clamp(random.normal(0.41, 0.04), 0.3, 0.52));
  const fg2a = fga - fg3a;
  const fta = Math.round(clamp(random.normal(21.5, 5), 8, 40) * scale);
  const tov = Math.round(clamp(random.normal(13.8, 3.2), 5, 25) * scale);
  return {
    fg2a,
    fg2m: random.binomial(fg2a, clamp(random.normal(0.545, 0.03), 0.44, 0.64)),
    fg3a,
    fg3m: random.binomial(fg3a, clamp(random.normal(0.36, 0.035), 0.24, 0.48)),
    fta,
    ftm: random.binomial(fta, clamp(random.normal(0.78, 0.05), 0.55, 0.95)),
    tov,
    // Team turnovers (shot-clock and 8-second violations...) are not charged to a player.
    teamTurnovers: Math.min(tov, random.weightedIndex([0.55, 0.33, 0.12])),
    pf: Math.round(clamp(random.normal(18.5, 3.5), 9, 30) * scale),
    assistRate: clamp(random.normal(0.63, 0.06), 0.45, 0.8),
    offensiveReboundRate: clamp(random.normal(0.245, 0.04), 0.14, 0.36),
  };
}

const shootingPoints = (s: TeamShooting) => 2 * s.fg2m + 3 * s.fg3m + s.ftm;

/**
 * Deals `total` units among players by weight, one at a time; `cap` bounds a player's count.
 * Weights must leave room for the total (the callers guarantee it).
 */
function deal(random: Random, total: number, weights: number[], cap = Number.POSITIVE_INFINITY): number[] {
  const counts = weights.map(() => 0);
  if (cap === Number.POSITIVE_INFINITY) {
    // Without a cap the weights never change: one cumulative table serves every unit.
    const cumulative: number[] = [];
    let sum = 0;
    for (const weight of weights) cumulative.push((sum += Math.max(0, weight)));
    if (total > 0 && sum <= 0) throw new Error("no player can take the remaining units");
    for (let unit = 0; unit < total; unit++) {
      const target = random.next() * sum;
      let index = 0;
      while (index < cumulative.length - 1 && (cumulative[index] as number) <= target) index++;
      counts[index] = (counts[index] as number) + 1;
    }
    return counts;
  }
  const live = [...weights];
  for (let unit = 0; unit < total; unit++) {
    const index = random.weightedIndex(live);
    if (index < 0) throw new Error("no player can take the remaining units");
    counts[index] = (counts[index] as number) + 1;
    if ((counts[index] as number) >= cap) live[index] = 0;
  }
  return counts;
}

/** Deals `made` makes among the players' attempts: each make goes to an unmade attempt. */
function dealMakes(random: Random, made: number, attempts: number[], accuracy: number[]): number[] {
  const makes = attempts.map(() => 0);
  // Weight of a player: his attempts not yet made x his accuracy.
  const weights = attempts.map((count, i) => count * (accuracy[i] as number));
  for (let unit = 0; unit < made; unit++) {
    const index = random.weightedIndex(weights);
    if (index < 0) throw new Error("more makes than attempts");
    makes[index] = (makes[index] as number) + 1;
    weights[index] = ((attempts[index] as number) - (makes[index] as number)) * (accuracy[index] as number);
  }
  return makes;
}

/**
 * Integers with exactly the given sum, each the floor or ceiling of its real share (largest
 * remainder), so rounding never loses or invents a second or a point.
 */
function apportion(shares: number[], sum: number): number[] {
  const floors = shares.map(Math.floor);
  let left = sum - floors.reduce((a, b) => a + b, 0);
  const order = shares.map((share, i) => ({ i, fraction: share - Math.floor(share) })).sort((a, b) => b.fraction - a.fraction || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i] = (floors[i] as number) + 1;
    left--;
  }
  return floors;
}

/** Seconds per player adding up to exactly `totalSeconds`, none above `maxSeconds`, none below a minute. */
function dealMinutes(random: Random, players: Player[], totalSeconds: number, maxSeconds: number): number[] {
  const weights = players.map((player) => player.baseMinutes * clamp(random.normal(1, 0.14), 0.55, 1.45));
  const shares = weights.map(() => 0);
  let open = players.map((_, i) => i);
  let budget = totalSeconds;
  // Water-filling: players whose share exceeds the cap get the cap, the rest share what is left.
  for (;;) {
    const weightSum = open.reduce((sum, i) => sum + (weights[i] as number), 0);
    const over = open.filter((i) => ((weights[i] as number) / weightSum) * budget > maxSeconds);
    if (over.length === 0) {
      for (const i of open) shares[i] = Math.max(60, ((weights[i] as number) / weightSum) * budget);
      break;
    }
    for (const i of over) {
      shares[i] = maxSeconds;
      budget -= maxSeconds;
    }
    open = open.filter((i) => !over.includes(i));
  }
  // The one-minute floor may have added seconds: take them back from the biggest shares.
  const excess = shares.reduce((a, b) => a + b, 0) - totalSeconds;
  if (excess > 0) {
    const biggest = shares.reduce((best, share, i) => (share > (shares[best] as number) ? i : best), 0);
    shares[biggest] = (shares[biggest] as number) - excess;
  }
  return apportion(shares, totalSeconds);
}

/** Starters first, then the bench in the coach's order; a little noise in who gets the nod. */
function rotationOrder(random: Random, available: PlayerAvailability[]): Player[] {
  return available
    .map((entry) => ({ player: entry.player, rank: entry.player.rotationRank + random.normal(0, 0.9) }))
    .sort((a, b) => a.rank - b.rank)
    .map((entry) => entry.player);
}

function coachDecision(random: Random): string {
  return random.chance(0.2) ? "DNP - Coach's decision" : "DNP - Coach's Decision";
}

interface TeamDraw {
  teamIndex: number;
  isHome: boolean;
  list: PlayerAvailability[];
  playing: Player[];
  shooting: TeamShooting;
}

function teamLines(random: Random, draw: TeamDraw, opponent: TeamShooting, overtime: number, margin: number): TeamResult {
  const gameMinutes = REGULATION_MINUTES + OVERTIME_MINUTES * overtime;
  const playing = draw.playing;
  const totalSeconds = PLAYERS_ON_FLOOR * gameMinutes * 60;
  // A heavy-minutes night tops out a few minutes short of the whole game.
  const maxSeconds = Math.max((gameMinutes - 4) * 60, Math.ceil(totalSeconds / playing.length));
  const seconds = dealMinutes(random, playing, totalSeconds, maxSeconds);
  const t = (player: Player) => player.tendencies;
  const on = (i: number) => (seconds[i] as number) / 60;
  const s = draw.shooting;

  const fg2a = deal(random, s.fg2a, playing.map((p, i) => on(i) * t(p).usage * (1 - t(p).threeRate)));
  const fg3a = deal(random, s.fg3a, playing.map((p, i) => on(i) * t(p).usage * t(p).threeRate));
  const fg2m = dealMakes(random, s.fg2m, fg2a, playing.map((p) => t(p).twoPct));
  const fg3m = dealMakes(random, s.fg3m, fg3a, playing.map((p) => t(p).threePct));
  const fta = deal(random, s.fta, playing.map((p, i) => on(i) * t(p).usage * t(p).freeThrowRate));
  const ftm = dealMakes(random, s.ftm, fta, playing.map((p) => t(p).freeThrowPct));

  const fgm = s.fg2m + s.fg3m;
  const misses = s.fg2a + s.fg3a - fgm;
  const opponentMisses = opponent.fg2a + opponent.fg3a - opponent.fg2m - opponent.fg3m;
  const opponentOffensive = Math.round(opponentMisses * opponent.offensiveReboundRate);
  const oreb = deal(random, Math.round(misses * s.offensiveReboundRate), playing.map((p, i) => on(i) * t(p).offensiveRebounding));
  // Defensive boards: the opponent's misses it did not get back, plus live free-throw misses,
  // less the ones that go out of bounds (team rebounds, not in the players' columns).
  const liveMisses = opponentMisses - opponentOffensive + Math.round((opponent.fta - opponent.ftm) * 0.4);
  const dreb = deal(random, random.binomial(liveMisses, 0.9), playing.map((p, i) => on(i) * t(p).rebounding));
  const ast = deal(random, random.binomial(fgm, s.assistRate), playing.map((p, i) => on(i) * t(p).passing));
  const stl = deal(random, random.binomial(opponent.tov - opponent.teamTurnovers, 0.55), playing.map((p, i) => on(i) * t(p).stealing));
  const opponentMissedTwos = opponent.fg2a - opponent.fg2m;
  const opponentMissedThrees = opponent.fg3a - opponent.fg3m;
  const blk = deal(
    random,
    random.binomial(opponentMissedTwos, 0.17) + random.binomial(opponentMissedThrees, 0.02),
    playing.map((p, i) => on(i) * t(p).blocking),
  );
  const tov = deal(random, s.tov - s.teamTurnovers, playing.map((p, i) => on(i) * t(p).turnovers));
  const pf = deal(random, Math.min(s.pf, MAX_PERSONAL_FOULS * playing.length), playing.map((p, i) => on(i) * t(p).fouling), MAX_PERSONAL_FOULS);

  // Plus/minus: each player's share of the margin for his minutes, plus how the game went while
  // he was on (noise that cancels out over the team), rounded to add up to 5 x margin.
  const noise = playing.map((_, i) => random.normal(0, 5.5 * Math.sqrt(on(i) / REGULATION_MINUTES)));
  const noiseSum = noise.reduce((a, b) => a + b, 0);
  const pmShares = playing.map((_, i) => {
    const share = (seconds[i] as number) / totalSeconds;
    return PLAYERS_ON_FLOOR * margin * share + (noise[i] as number) - noiseSum * share;
  });
  const plusMinus = apportion(pmShares, PLAYERS_ON_FLOOR * margin);

  const starters = new Set(playing.slice(0, PLAYERS_ON_FLOOR).map((player) => player.lookup));
  const byLookup = new Map<string, PlayerLine>();
  playing.forEach((player, i) => {
    const at = (values: number[]) => values[i] as number;
    byLookup.set(player.lookup, {
      player,
      status: "active",
      reason: null,
      starter: starters.has(player.lookup),
      seconds: at(seconds),
      stats: {
        fgm: at(fg2m) + at(fg3m),
        fga: at(fg2a) + at(fg3a),
        fg3m: at(fg3m),
        fg3a: at(fg3a),
        ftm: at(ftm),
        fta: at(fta),
        oreb: at(oreb),
        dreb: at(dreb),
        ast: at(ast),
        stl: at(stl),
        blk: at(blk),
        tov: at(tov),
        pf: at(pf),
      },
      plusMinus: at(plusMinus),
    });
  });

  const lines = draw.list.map((entry): PlayerLine => {
    const played = byLookup.get(entry.player.lookup);
    if (played) return played;
    const { availability } = entry;
    const base = { player: entry.player, starter: false, seconds: 0, stats: null, plusMinus: null };
    if (availability.status === "inactive") return { ...base, status: "inactive", reason: availability.reason };
    return { ...base, status: "dnp", reason: availability.status === "dnp" ? availability.reason : coachDecision(random) };
  });

  const totals = Object.fromEntries(STAT_KEYS.map((key) => [key, 0])) as unknown as StatLine;
  for (const line of lines) {
    if (!line.stats) continue;
    for (const key of STAT_KEYS) totals[key] += line.stats[key];
  }
  totals.tov += s.teamTurnovers;
  return {
    teamIndex: draw.teamIndex,
    isHome: draw.isHome,
    lines,
    totals,
    teamTurnovers: s.teamTurnovers,
    points: points(totals),
    plusMinus: margin,
  };
}

/** How many of the dressed players get minutes tonight. */
function rotationSize(random: Random, dressed: number): number {
  const wanted = 9 + random.weightedIndex([0.25, 0.36, 0.24, 0.1, 0.05]);
  return Math.min(dressed, wanted);
}

function overtimePeriods(random: Random): number {
  if (!random.chance(OVERTIME_RATE)) return 0;
  if (!random.chance(0.12)) return 1;
  return random.chance(0.9) ? 2 : 3;
}

export function simulateGame(seed: number, game: ScheduledGame, availability: { away: PlayerAvailability[]; home: PlayerAvailability[] }): GameResult {
  const random = Random.of(seed, "game", game.nbaGameId);
  const overtime = overtimePeriods(random);
  const scale = (REGULATION_MINUTES + OVERTIME_MINUTES * overtime) / REGULATION_MINUTES;

  // Redraw the teams' shooting until the score fits the game: never a tie, and an overtime game
  // (tied after regulation) ends close.
  let away: TeamShooting;
  let home: TeamShooting;
  for (let attempt = 0; ; attempt++) {
    away = drawShooting(random, scale);
    home = drawShooting(random, scale);
    const margin = shootingPoints(home) - shootingPoints(away);
    const plausible = [home, away].every((team) => {
      const perRegulation = shootingPoints(team) / scale;
      return perRegulation >= MIN_TEAM_POINTS && perRegulation <= MAX_TEAM_POINTS;
    });
    if (plausible && margin !== 0 && (overtime === 0 || Math.abs(margin) <= 4 + 4 * overtime)) break;
    if (attempt > 500) throw new Error(`game ${game.nbaGameId}: no final score found`);
  }

  const draws = ([["away", away], ["home", home]] as const).map(([side, shooting]): TeamDraw => {
    const list = availability[side];
    const dressed = list.filter((entry) => entry.availability.status === "available");
    const playing = rotationOrder(random, dressed).slice(0, rotationSize(random, dressed.length));
    return { teamIndex: side === "home" ? game.home : game.away, isHome: side === "home", list, playing, shooting };
  });
  const [awayDraw, homeDraw] = draws as [TeamDraw, TeamDraw];
  const margin = shootingPoints(home) - shootingPoints(away);
  return {
    overtimePeriods: overtime,
    away: teamLines(random, awayDraw, home, overtime, -margin),
    home: teamLines(random, homeDraw, away, overtime, margin),
  };
}
