/**
 * Who is available for each team in each game of the season: injuries that last several games,
 * one-night rests and personal absences, two-way players sent to the G League, and a few trades
 * at the deadline. It walks the whole season in date order from one named random stream, so a
 * game's availability is the same whichever dates are seeded.
 *
 * The texts follow the NBA.com gamebook: inactive players carry the bare reason ("Injury/Illness -
 * Left Ankle; Sprain", "G League - Two-Way", "Rest"), players who dressed but did not play carry a
 * "DNP - " or "NWT - " (not with team) prefix.
 */
import type { SeasonCalendar } from "./calendar.ts";
import { Random } from "./random.ts";
import type { Player, Roster } from "./rosters.ts";
import type { ScheduledGame } from "./schedule.ts";

export type Availability =
  /** Dressed: the coach decides on the night whether he plays. */
  | { status: "available" }
  /** Dressed or with the team but out (listed among the DNPs). */
  | { status: "dnp"; reason: string }
  | { status: "inactive"; reason: string };

export interface PlayerAvailability {
  player: Player;
  availability: Availability;
}

/** Per game id: the away team's and the home team's lists, in rotation order. */
export type SeasonAvailability = Map<string, { away: PlayerAvailability[]; home: PlayerAvailability[] }>;

/** Fewest players a team dresses; two-way players are called up to reach it. */
const MIN_DRESSED = 9;
const TRADES_AT_DEADLINE = 4;

const SIDES = ["Left", "Right"];
const BODY_PARTS = ["Ankle", "Knee", "Hamstring", "Calf", "Foot", "Hip", "Wrist", "Shoulder", "Groin", "Quadriceps", "Achilles", "Hand", "Thumb", "Elbow"];
const CONDITIONS = ["Sprain", "Strain", "Soreness", "Contusion", "Tendinitis", "Injury Recovery", "Injury Management", "Surgery"];
const UNSIDED = ["Low Back; Spasms", "Illness", "Concussion Protocol", "Lumbar; Disc Bulge", "Non-COVID Illness"];

function injuryText(random: Random): string {
  if (random.chance(0.2)) return `Injury/Illness - ${random.pick(UNSIDED)}`;
  return `Injury/Illness - ${random.pick(SIDES)} ${random.pick(BODY_PARTS)}; ${random.pick(CONDITIONS)}`;
}

interface Absence {
  gamesLeft: number;
  availability: Availability;
}

/**
 * Rosters as of each date: the opening rosters, then after the trade deadline a few swaps of
 * rotation players between teams (each takes the other's place in the rotation).
 */
export class SeasonRosters {
  private readonly afterDeadline: Player[][];

  constructor(
    private readonly opening: readonly Roster[],
    private readonly deadline: string,
    seed: number,
    seasonYear: number,
  ) {
    this.afterDeadline = opening.map((roster) => [...roster.players]);
    const random = Random.of(seed, seasonYear, "trades");
    const teams = random.shuffle(opening.map((_, index) => index)).slice(0, TRADES_AT_DEADLINE * 2);
    for (let i = 0; i + 1 < teams.length; i += 2) {
      const [a, b] = [teams[i] as number, teams[i + 1] as number];
      const slot = random.int(4, 12);
      const rosterA = this.afterDeadline[a] as Player[];
      const rosterB = this.afterDeadline[b] as Player[];
      const playerA = rosterA[slot] as Player;
      const playerB = rosterB[slot] as Player;
      rosterA[slot] = { ...playerB, rotationRank: slot };
      rosterB[slot] = { ...playerA, rotationRank: slot };
    }
  }

  /** The roster of team `teamIndex` for a game on `date`. */
  on(teamIndex: number, date: string): Player[] {
    const rosters = date > this.deadline ? this.afterDeadline : this.opening.map((roster) => roster.players);
    return rosters[teamIndex] as Player[];
  }

  /** Players who changed teams at the deadline: lookup -> [from, to] team indexes. */
  traded(): Map<string, [number, number]> {
    const moves = new Map<string, [number, number]>();
    this.opening.forEach((roster, from) => {
      for (const player of roster.players) {
        const to = this.afterDeadline.findIndex((players) => players.some((candidate) => candidate.lookup === player.lookup));
        if (to !== from) moves.set(player.lookup, [from, to]);
      }
    });
    return moves;
  }
}

export function buildAvailability(seed: number, calendar: SeasonCalendar, rosters: SeasonRosters, schedule: readonly ScheduledGame[]): SeasonAvailability {
  const random = Random.of(seed, calendar.seasonYear, "availability");
  const absences = new Map<string, Absence>();
  const result: SeasonAvailability = new Map();

  const teamNight = (teamIndex: number, date: string): PlayerAvailability[] => {
    const list = rosters.on(teamIndex, date).map((player) => ({ player, availability: nightFor(player) }));
    // A team dresses at least MIN_DRESSED: call up two-way players sent down for the night.
    let dressed = list.filter((entry) => entry.availability.status === "available").length;
    for (const entry of list) {
      if (dressed >= MIN_DRESSED) break;
      if (entry.player.twoWay && entry.availability.status === "inactive" && entry.availability.reason.startsWith("G League")) {
        entry.availability = { status: "available" };
        dressed++;
      }
    }
    // Still short (a wave of injuries): absent players return, in rotation order, until it is reached.
    for (const entry of list) {
      if (dressed >= MIN_DRESSED) break;
      if (entry.availability.status !== "available") {
        entry.availability = { status: "available" };
        dressed++;
      }
    }
    return list;
  };

  const nightFor = (player: Player): Availability => {
    const absence = absences.get(player.lookup);
    if (absence && absence.gamesLeft > 0) {
      absence.gamesLeft--;
      return absence.availability;
    }
    const roll = random.next();
    if (roll < 0.02) {
      // A new injury: out for this game and a few more (mean about six games).
      let games = 1;
      while (games < 30 && random.chance(0.84)) games++;
      const text = injuryText(random);
      const availability: Availability = random.chance(0.75)
        ? { status: "inactive", reason: text }
        : { status: "dnp", reason: `${random.chance(0.6) ? "NWT" : "DNP"} - ${text}` };
      absences.set(player.lookup, { gamesLeft: games - 1, availability });
      return availability;
    }
    if (roll < 0.026) return { status: "inactive", reason: random.pick(["Rest", "Injury/Illness - Injury Management; Rest"]) };
    if (roll < 0.029) return random.chance(0.5) ? { status: "inactive", reason: "Personal" } : { status: "dnp", reason: "NWT - Personal Reasons" };
    if (roll < 0.0305) return { status: "dnp", reason: "NWT - Not With Team" };
    if (player.twoWay) {
      const assignment = random.next();
      if (assignment < 0.7) return { status: "inactive", reason: "G League - Two-Way" };
      if (assignment < 0.8) return { status: "inactive", reason: "G League - On Assignment" };
    }
    return { status: "available" };
  };

  for (const game of schedule) {
    result.set(game.nbaGameId, { away: teamNight(game.away, game.gameDate), home: teamNight(game.home, game.gameDate) });
  }
  return result;
}
