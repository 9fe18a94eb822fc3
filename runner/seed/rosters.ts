/**
 * Synthetic rosters: 18 players per team as the NBA allows (15 standard contracts and 3 two-way),
 * with made-up names (some with diacritics, apostrophes, initials and Jr./Sr./II/III suffixes, so
 * that player_lookup normalisation is exercised), positions and the tendencies the box-score
 * simulation draws from. Every player_lookup is unique across the league, so two players never
 * share a key on any day.
 */
import { playerLookup } from "../nba/player_lookup.ts";
import { TEAMS, type Team } from "../nba/teams.ts";
import { Random } from "./random.ts";

export const STANDARD_CONTRACTS = 15;
export const TWO_WAY_CONTRACTS = 3;
export const ROSTER_SIZE = STANDARD_CONTRACTS + TWO_WAY_CONTRACTS;

export type Position = "G" | "G-F" | "F-G" | "F" | "F-C" | "C-F" | "C";

/** Per-minute tendencies relative to an average player; the simulation turns them into shares. */
export interface Tendencies {
  /** Share of the team's plays used per minute on the floor. */
  usage: number;
  /** Share of field-goal attempts that are threes. */
  threeRate: number;
  twoPct: number;
  threePct: number;
  /** Free-throw attempts per field-goal attempt. */
  freeThrowRate: number;
  freeThrowPct: number;
  rebounding: number;
  offensiveRebounding: number;
  passing: number;
  stealing: number;
  blocking: number;
  /** Turnover proneness (grows with usage: the ball is in his hands more). */
  turnovers: number;
  fouling: number;
}

export interface Player {
  /** NBA.com-style person id, stable for the season. */
  nbaPlayerId: number;
  bdlPlayerId: number;
  name: string;
  /** The gamebook prints inactive players by last name (with suffix): "Jackson Jr.". */
  lastName: string;
  lookup: string;
  position: Position;
  twoWay: boolean;
  /** Minutes he gets on a normal night when he plays (before the game's own noise). */
  baseMinutes: number;
  /** 0 = best player of his team; the coach's order of preference. */
  rotationRank: number;
  tendencies: Tendencies;
}

export interface Roster {
  team: Team;
  players: Player[];
}

const FIRST_NAMES = [
  "Aaron", "Adrian", "Alec", "Andre", "Anthony", "Bennett", "Brandon", "Caleb", "Cameron", "Carter",
  "Chris", "Cole", "Corey", "Damian", "Darius", "Dante", "Deandre", "Derrick", "Devin", "Dillon",
  "Dominic", "Donovan", "Dwayne", "Elijah", "Eric", "Evan", "Gabriel", "Grant", "Hunter", "Isaac",
  "Isaiah", "Jalen", "Jamal", "Jaylen", "Jeremy", "Jordan", "Josh", "Julian", "Justin", "Keegan",
  "Kendall", "Kevin", "Kyle", "Lamar", "Landry", "Malik", "Marcus", "Mason", "Micah", "Miles",
  "Nate", "Noah", "Omari", "Quentin", "Reggie", "Rashad", "Shane", "Terrence", "Trey", "Tyrese",
  "Victor", "Walker", "Xavier", "Zach", "José", "Théo", "Dāvis", "Nikolà", "Bojan", "Jusuf",
  "Dario", "Goran", "Luka", "Killian", "Mikal", "Ömer", "Álvaro", "Rui", "Kristaps", "Jonas",
  "P.J.", "T.J.", "De'Andre", "Ja'Kobe", "D'Angelo", "Sékou",
];

const LAST_NAMES = [
  "Adams", "Allen", "Baker", "Barnes", "Bell", "Brooks", "Bryant", "Carter", "Coleman", "Collins",
  "Cooper", "Davis", "Dixon", "Edwards", "Ellis", "Fields", "Fisher", "Foster", "Freeman", "Gibson",
  "Grant", "Graves", "Green", "Hamilton", "Harper", "Harris", "Hayes", "Henderson", "Hill", "Holmes",
  "Howard", "Hudson", "Hunter", "Jackson", "Jenkins", "Johnson", "Jordan", "Kelly", "King", "Lawson",
  "Lewis", "Marshall", "Mason", "Matthews", "Miller", "Mitchell", "Moore", "Morgan", "Morris", "Murray",
  "Nelson", "Owens", "Palmer", "Parker", "Patterson", "Perry", "Porter", "Powell", "Reed", "Richardson",
  "Roberts", "Robinson", "Ross", "Russell", "Sanders", "Simmons", "Spencer", "Stewart", "Sullivan", "Taylor",
  "Thomas", "Thompson", "Tucker", "Turner", "Walker", "Wallace", "Warren", "Washington", "Watson", "Wells",
  "White", "Williams", "Wilson", "Wright", "Young", "O'Neale", "McDaniel", "DiVincenzo", "Van Horn",
  "Dončić", "Jokić", "Bertāns", "Šarić", "Vučević", "Nurkić", "Valančiūnas", "Hernangómez", "Şengün",
  "Yıldırım", "Müller", "Schröder", "Okonkwo", "Adébáyò", "Zubčić", "Kovačević", "Þórsson", "Łukasz",
];

const SUFFIXES: readonly [string, number][] = [
  ["Jr.", 0.05],
  ["Sr.", 0.008],
  ["II", 0.012],
  ["III", 0.01],
];

/** Position of each roster slot: a starting five, then a balanced bench. */
const SLOT_POSITIONS: readonly Position[][] = [
  ["G"], ["G", "G-F"], ["F", "F-G"], ["F", "F-C"], ["C", "C-F"],
  ["G"], ["F"], ["C", "F-C"], ["G-F", "G"],
  ["G"], ["F"], ["C"],
  ["G", "F"], ["F", "C"], ["G", "F-C"],
  ["G"], ["F"], ["C", "F"],
];

/** Minutes on a normal night by roster slot: starters, rotation, bench, deep bench, two-way. */
function slotMinutes(slot: number, random: Random): number {
  if (slot < 5) return random.between(29, 36);
  if (slot < 9) return random.between(17, 26);
  if (slot < 12) return random.between(9, 16);
  if (slot < STANDARD_CONTRACTS) return random.between(4, 9);
  return random.between(3, 7);
}

const BASE: Record<"G" | "F" | "C", Omit<Tendencies, "usage">> = {
  G: {
    threeRate: 0.48, twoPct: 0.5, threePct: 0.365, freeThrowRate: 0.23, freeThrowPct: 0.83,
    rebounding: 0.75, offensiveRebounding: 0.5, passing: 2.3, stealing: 1.2, blocking: 0.4,
    turnovers: 1.2, fouling: 0.9,
  },
  F: {
    threeRate: 0.4, twoPct: 0.53, threePct: 0.355, freeThrowRate: 0.25, freeThrowPct: 0.78,
    rebounding: 1.3, offensiveRebounding: 1.1, passing: 1.1, stealing: 1.0, blocking: 1.0,
    turnovers: 0.9, fouling: 1.0,
  },
  C: {
    threeRate: 0.12, twoPct: 0.6, threePct: 0.32, freeThrowRate: 0.36, freeThrowPct: 0.68,
    rebounding: 2.4, offensiveRebounding: 2.6, passing: 0.9, stealing: 0.7, blocking: 2.6,
    turnovers: 1.0, fouling: 1.35,
  },
};

function baseTendencies(position: Position): Omit<Tendencies, "usage"> {
  const [first, second] = position.split("-") as ("G" | "F" | "C")[];
  const primary = BASE[first as "G" | "F" | "C"];
  if (!second) return primary;
  // A hybrid leans 2:1 toward the position written first.
  const other = BASE[second];
  const mixed = {} as Record<keyof typeof primary, number>;
  for (const key of Object.keys(primary) as (keyof typeof primary)[]) mixed[key] = (2 * primary[key] + other[key]) / 3;
  return mixed;
}

function tendencies(position: Position, slot: number, random: Random): Tendencies {
  const base = baseTendencies(position);
  const vary = (value: number, spread: number) => Math.max(0.01, value * random.normal(1, spread));
  // The best player of a team uses far more plays than a bench player.
  const usage = slot === 0 ? random.between(1.45, 1.8) : slot < 3 ? random.between(1.05, 1.35) : random.between(0.7, 1.05);
  return {
    usage,
    threeRate: Math.min(0.8, vary(base.threeRate, 0.2)),
    twoPct: Math.min(0.68, Math.max(0.4, random.normal(base.twoPct, 0.03))),
    threePct: Math.min(0.45, Math.max(0.25, random.normal(base.threePct, 0.025))),
    freeThrowRate: vary(base.freeThrowRate, 0.2),
    freeThrowPct: Math.min(0.93, Math.max(0.5, random.normal(base.freeThrowPct, 0.05))),
    rebounding: vary(base.rebounding, 0.15),
    offensiveRebounding: vary(base.offensiveRebounding, 0.2),
    passing: vary(base.passing, 0.2) * (slot === 0 ? 1.3 : 1),
    stealing: vary(base.stealing, 0.2),
    blocking: vary(base.blocking, 0.25),
    turnovers: vary(base.turnovers, 0.15) * usage,
    fouling: vary(base.fouling, 0.15),
  };
}

function drawName(random: Random): { name: string; lastName: string } {
  const first = random.pick(FIRST_NAMES);
  const last = random.pick(LAST_NAMES);
  let suffix = "";
  const roll = random.next();
  let cumulative = 0;
  for (const [candidate, probability] of SUFFIXES) {
    cumulative += probability;
    if (roll < cumulative) {
      suffix = candidate;
      break;
    }
  }
  const lastName = suffix ? `${last} ${suffix}` : last;
  return { name: `${first} ${lastName}`, lastName };
}

/** The opening-night rosters of the 30 teams, in TEAMS order. */
export function buildRosters(seed: number, seasonYear: number): Roster[] {
  const random = Random.of(seed, seasonYear, "rosters");
  const taken = new Set<string>();
  let nextId = 1_630_000 + (seasonYear % 100) * 1000;
  return TEAMS.map((team) => {
    const players: Player[] = [];
    for (let slot = 0; slot < ROSTER_SIZE; slot++) {
      let drawn = drawName(random);
      while (taken.has(playerLookup(drawn.name))) drawn = drawName(random);
      const lookup = playerLookup(drawn.name);
      taken.add(lookup);
      const position: Position = random.pick(SLOT_POSITIONS[slot] ?? ["F"]);
      nextId += random.int(1, 40);
      players.push({
        nbaPlayerId: nextId,
        bdlPlayerId: 17_000_000 + nextId - 1_600_000,
        name: drawn.name,
        lastName: drawn.lastName,
        lookup,
        position,
        twoWay: slot >= STANDARD_CONTRACTS,
        baseMinutes: slotMinutes(slot, random),
        rotationRank: slot,
        tendencies: tendencies(position, slot, random),
      });
    }
    return { team, players };
  });
}
