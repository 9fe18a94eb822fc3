/**
 * The synthetic regular-season schedule: 1,230 games, 82 per team (41 home, 41 away), spread
 * over the game days of the season calendar with 5 to 15 games a day, never two games for a team
 * on one day and never three days in a row.
 *
 * Matchups: a double round robin (every pair once at each arena, 58 games a team) plus 24 more
 * rounds taken from a third round robin (each team 12 home, 12 away), i.e. 82 rounds in which
 * every team plays exactly once. Rounds are played in order per team; a game is ready when it is
 * the next game of both its teams, so the ready games of a day never share a team, and the
 * games of the lowest unfinished round are always ready (the schedule cannot deadlock).
 */
import { TEAMS } from "../nba/teams.ts";
import { addDays } from "../dates.ts";
import { gameDays, weekday, type SeasonCalendar } from "./calendar.ts";
import { Random } from "./random.ts";

export interface ScheduledGame {
  /** NBA.com numeric id, 002YY + sequence in date order: 0022400001 ... 0022401230. */
  nbaGameId: string;
  gameDate: string;
  /** Indexes into TEAMS. */
  home: number;
  away: number;
  /** Scheduled tip-off, Eastern wall-clock time "HH:MM". */
  tipoffEt: string;
  isPrimetime: boolean;
}

const TEAM_COUNT = TEAMS.length;
const GAMES_PER_TEAM = 82;
export const MIN_GAMES_PER_DAY = 5;
export const MAX_GAMES_PER_DAY = TEAM_COUNT / 2;

interface Matchup {
  home: number;
  away: number;
  round: number;
}

/** Circle method: TEAM_COUNT - 1 rounds of TEAM_COUNT / 2 disjoint pairs. */
function roundRobin(order: readonly number[]): [number, number][][] {
  const rounds: [number, number][][] = [];
  const rotating = order.slice(1);
  for (let round = 0; round < TEAM_COUNT - 1; round++) {
    const pairs: [number, number][] = [[order[0] as number, rotating[0] as number]];
    for (let i = 1; i < TEAM_COUNT / 2; i++) {
      pairs.push([rotating[i] as number, rotating[rotating.length - i] as number]);
    }
    rounds.push(round % 2 === 0 ? pairs : pairs.map(([a, b]) => [b, a]));
    rotating.unshift(rotating.pop() as number);
  }
  return rounds;
}

/**
 * Orients the union of two disjoint perfect matchings (a set of even cycles) so that every team
 * is home once and away once: walk each cycle and make each team host the next one.
 */
function orientCycles(first: [number, number][], second: [number, number][]): [number, number][] {
  const partner = [new Map<number, number>(), new Map<number, number>()];
  for (const [a, b] of first) {
    partner[0]?.set(a, b).set(b, a);
  }
  for (const [a, b] of second) {
    partner[1]?.set(a, b).set(b, a);
  }
  const visited = new Set<number>();
  const games: [number, number][] = [];
  for (const [start] of first) {
    if (visited.has(start)) continue;
    let team = start;
    let side = 0;
    while (!visited.has(team)) {
      visited.add(team);
      const next = partner[side]?.get(team) as number;
      games.push([team, next]);
      team = next;
      side = 1 - side;
    }
  }
  return games;
}

function buildMatchups(random: Random): Matchup[] {
  const first = roundRobin(random.shuffle(TEAMS.map((_, index) => index)));
  const third = random.shuffle(roundRobin(random.shuffle(TEAMS.map((_, index) => index)))).slice(0, GAMES_PER_TEAM - 2 * (TEAM_COUNT - 1));
  const rounds: [number, number][][] = [...first, ...first.map((pairs) => pairs.map(([a, b]): [number, number] => [b, a]))];
  for (let i = 0; i + 1 < third.length; i += 2) {
    const oriented = orientCycles(third[i] as [number, number][], third[i + 1] as [number, number][]);
    // Each team hosts once in `oriented`: split it into two rounds where every team plays once.
    const roundA: [number, number][] = [];
    const roundB: [number, number][] = [];
    for (const pair of oriented) {
      const inFirst = (third[i] as [number, number][]).some(([a, b]) => (a === pair[0] && b === pair[1]) || (a === pair[1] && b === pair[0]));
      (inFirst ? roundA : roundB).push(pair);
    }
    rounds.push(roundA, roundB);
  }
  // Keep the two meetings of a pair apart: the second legs come after all the first legs, and the
  // extra rounds are mixed in anywhere.
  const order = random.shuffle(rounds.map((_, index) => index)).sort((a, b) => legRank(a) - legRank(b));
  function legRank(index: number): number {
    if (index < TEAM_COUNT - 1) return index * 2;
    if (index < 2 * (TEAM_COUNT - 1)) return (index - (TEAM_COUNT - 1)) * 2 + 2 * (TEAM_COUNT - 1) + 1;
    // Extra rounds: spread evenly through the season.
    const extra = index - 2 * (TEAM_COUNT - 1);
    return Math.floor(((extra + 0.5) * 4 * (TEAM_COUNT - 1)) / (GAMES_PER_TEAM - 2 * (TEAM_COUNT - 1)));
  }
  return order.flatMap((roundIndex, position) =>
    (rounds[roundIndex] as [number, number][]).map(([home, away]) => ({ home, away, round: position })),
  );
}

/** Relative number of games by day of the week (NBA slates are light on Thursdays and Sundays). */
const WEEKDAY_WEIGHT = [0.85, 1.0, 0.95, 1.25, 0.7, 1.2, 1.05];

/** Places the matchups on game days; undefined when the draw cannot fit (the caller redraws). */
function placeOnDays(matchups: Matchup[], days: string[], random: Random): Map<Matchup, string> | undefined {
  const byTeam: Matchup[][] = TEAMS.map(() => []);
  for (const matchup of matchups) {
    byTeam[matchup.home]?.push(matchup);
    byTeam[matchup.away]?.push(matchup);
  }
  for (const games of byTeam) games.sort((a, b) => a.round - b.round);
  const nextIndex = TEAMS.map(() => 0);
  const lastPlayed: (string | undefined)[][] = TEAMS.map(() => [undefined, undefined]);
  const placed = new Map<Matchup, string>();
  let remaining = matchups.length;

  for (let dayIndex = 0; dayIndex < days.length; dayIndex++) {
    const day = days[dayIndex] as string;
    const daysLeft = days.length - dayIndex;
    const yesterday = addDays(day, -1);
    const twoDaysAgo = addDays(day, -2);
    const ready: Matchup[] = [];
    for (let team = 0; team < TEAM_COUNT; team++) {
      const game = byTeam[team]?.[nextIndex[team] as number];
      if (game && game.home === team && byTeam[game.away]?.[nextIndex[game.away] as number] === game) ready.push(game);
    }
    const playedOn = (team: number, date: string) => lastPlayed[team]?.includes(date) ?? false;
    const restState = (game: Matchup) => {
      const backToBack = Number(playedOn(game.home, yesterday)) + Number(playedOn(game.away, yesterday));
      const thirdNight = [game.home, game.away].some((team) => playedOn(team, yesterday) && playedOn(team, twoDaysAgo));
      return { backToBack, thirdNight };
    };
    const candidates = ready
      .filter((game) => !restState(game).thirdNight)
      .map((game) => ({ game, rank: game.round * 10 + restState(game).backToBack * 4 + random.next() }))
      .sort((a, b) => a.rank - b.rank);

    let target: number;
    if (daysLeft === 1) target = remaining;
    else {
      const pace = remaining / daysLeft;
      target = Math.round(pace * (WEEKDAY_WEIGHT[weekday(day)] as number) * random.between(0.65, 1.45));
      // Never fall so far behind that the remaining days could not hold the remaining games.
      target = Math.max(target, remaining - (daysLeft - 1) * (MAX_GAMES_PER_DAY - 4));
      // ...nor so far ahead that a later game day would be left with fewer than the minimum.
      target = Math.min(target, remaining - (daysLeft - 1) * MIN_GAMES_PER_DAY);
    }
    target = Math.min(MAX_GAMES_PER_DAY, Math.max(MIN_GAMES_PER_DAY, target));
    const chosen = candidates.slice(0, target).map((candidate) => candidate.game);
    if (chosen.length < MIN_GAMES_PER_DAY) return undefined;
    for (const game of chosen) {
      placed.set(game, day);
      for (const team of [game.home, game.away]) {
        nextIndex[team] = (nextIndex[team] as number) + 1;
        lastPlayed[team] = [day, lastPlayed[team]?.[0]];
      }
    }
    remaining -= chosen.length;
    if (remaining === 0) break;
  }
  return remaining === 0 ? placed : undefined;
}

/** Eastern tip-off by the home arena's time zone; weekend matinees now and then. */
const TIMEZONE_OFFSET: Record<string, number> = {
  CHI: 1, DAL: 1, HOU: 1, MEM: 1, MIL: 1, MIN: 1, NOP: 1, OKC: 1, SAS: 1,
  DEN: 2, UTA: 2, PHX: 2,
  GSW: 3, LAC: 3, LAL: 3, POR: 3, SAC: 3,
};

function tipoff(homeTricode: string, date: string, random: Random): string {
  const day = weekday(date);
  if ((day === 0 || day === 6) && random.chance(0.15)) return random.pick(["13:00", "15:30", "18:00"]);
  const offset = TIMEZONE_OFFSET[homeTricode] ?? 0;
  const local = random.pick(offset === 3 ? ["19:00", "19:00", "19:30"] : ["19:00", "19:00", "19:30", "19:30", "20:00"]);
  const [hours, minutes] = local.split(":") as [string, string];
  return `${String(Number(hours) + offset).padStart(2, "0")}:${minutes}`;
}

/** The whole regular season of `calendar`, in date and tip-off order. */
export function buildSchedule(seed: number, calendar: SeasonCalendar): ScheduledGame[] {
  const days = gameDays(calendar);
  for (let attempt = 0; ; attempt++) {
    const random = Random.of(seed, calendar.seasonYear, "schedule", attempt);
    const matchups = buildMatchups(random);
    const placed = placeOnDays(matchups, days, random);
    if (!placed) {
      if (attempt >= 50) throw new Error(`no schedule found for season ${calendar.seasonYear} with seed ${seed}`);
      continue;
    }
    const games = matchups.map((matchup) => {
      const gameDate = placed.get(matchup) as string;
      const homeTricode = TEAMS[matchup.home]?.tricode as string;
      return {
        gameDate,
        home: matchup.home,
        away: matchup.away,
        tipoffEt: tipoff(homeTricode, gameDate, random),
        isPrimetime: random.chance(0.12),
      };
    });
    games.sort(
      (a, b) =>
        a.gameDate.localeCompare(b.gameDate) ||
        a.tipoffEt.localeCompare(b.tipoffEt) ||
        (TEAMS[a.home]?.tricode as string).localeCompare(TEAMS[b.home]?.tricode as string),
    );
    const prefix = `002${String(calendar.seasonYear % 100).padStart(2, "0")}`;
    return games.map((game, index) => ({ nbaGameId: `${prefix}${String(index + 1).padStart(5, "0")}`, ...game }));
  }
}
