/**
 * ESPN roster snapshots for the synthetic season (espn_team_rosters): every team's whole roster
 * (the 18 players of the box scores' rosters, two-way players included) on every seeded date,
 * taken at 8 AM Eastern, so the players who play for a team on a date are always on its roster
 * of that date. Traded players move with SeasonRosters: on their new team from the day after the
 * trade deadline, the first date they play for it. Each player has a birth date, and his age is
 * the whole years from it to the snapshot's date (it changes on his birthday). A player out
 * injured for his team's next game (within two days) is listed "out". ESPN prints its own team
 * codes (NY, GS, SA...), mapped to NBA.com tricodes in team_abbr.
 */
import { addDays } from "../dates.ts";
import type { RawRow } from "../load/rows.ts";
import { TEAMS, type Team } from "../nba/teams.ts";
import type { PlayerAvailability, SeasonAvailability, SeasonRosters } from "./availability.ts";
import { easternToUtc } from "./lines.ts";
import { Random } from "./random.ts";
import type { Player, Position } from "./rosters.ts";
import type { ScheduledGame } from "./schedule.ts";

const SCRAPE_HOUR = 8;

/** ESPN's codes where they differ from NBA.com's tricodes. */
const ESPN_CODES: Record<string, string> = { GSW: "GS", NOP: "NO", NYK: "NY", SAS: "SA", UTA: "UTAH", WAS: "WSH" };

const ESPN_POSITIONS: Record<Position, readonly string[]> = {
  G: ["PG", "SG"],
  "G-F": ["SG"],
  "F-G": ["SF"],
  F: ["SF", "PF"],
  "F-C": ["PF"],
  "C-F": ["C"],
  C: ["C"],
};

export interface EspnPlayer {
  espnId: string;
  jersey: string;
  position: string;
  birthDate: string;
}

/** A player's ESPN details, from his own stream: the same whichever dates are seeded. */
export function espnPlayer(seed: number, seasonYear: number, player: Player): EspnPlayer {
  const random = Random.of(seed, "espn_player", player.nbaPlayerId);
  const ageAtOpening = random.int(19, 36);
  return {
    espnId: String(4_000_000 + (player.nbaPlayerId - 1_600_000) * 3),
    jersey: String(random.int(0, 99)),
    position: random.pick(ESPN_POSITIONS[player.position]),
    birthDate: addDays(`${seasonYear - ageAtOpening}-10-01`, -random.int(0, 364)),
  };
}

/** Whole years from `birthDate` to `date`. */
export function ageOn(birthDate: string, date: string): number {
  const years = Number(date.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return date.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

/** Each team's games in date order, with its side's availability. */
function gamesByTeam(schedule: readonly ScheduledGame[], availability: SeasonAvailability): { date: string; players: PlayerAvailability[] }[][] {
  const byTeam: { date: string; players: PlayerAvailability[] }[][] = TEAMS.map(() => []);
  for (const game of schedule) {
    const night = availability.get(game.nbaGameId);
    if (!night) continue;
    byTeam[game.home]?.push({ date: game.gameDate, players: night.home });
    byTeam[game.away]?.push({ date: game.gameDate, players: night.away });
  }
  return byTeam;
}

export function espnRosterRows(
  seed: number,
  seasonYear: number,
  rosters: SeasonRosters,
  schedule: readonly ScheduledGame[],
  availability: SeasonAvailability,
  dates: readonly string[],
): RawRow[] {
  const games = gamesByTeam(schedule, availability);
  const details = new Map<number, EspnPlayer>();
  const next = TEAMS.map(() => 0);
  const rows: RawRow[] = [];
  for (const date of dates) {
    const scraped = easternToUtc(date, `${String(SCRAPE_HOUR).padStart(2, "0")}:05`).toISOString();
    TEAMS.forEach((team: Team, teamIndex) => {
      const teamGames = games[teamIndex] as { date: string; players: PlayerAvailability[] }[];
      while ((next[teamIndex] as number) < teamGames.length && (teamGames[next[teamIndex] as number] as { date: string }).date < date) next[teamIndex] = (next[teamIndex] as number) + 1;
      const upcoming = teamGames[next[teamIndex] as number];
      const soon = upcoming && upcoming.date <= addDays(date, 2) ? upcoming.players : [];
      const injured = new Set(
        soon.filter((entry) => entry.availability.status !== "available" && entry.availability.reason.includes("Injury/Illness")).map((entry) => entry.player.lookup),
      );
      for (const player of rosters.on(teamIndex, date)) {
        let espn = details.get(player.nbaPlayerId);
        if (!espn) {
          espn = espnPlayer(seed, seasonYear, player);
          details.set(player.nbaPlayerId, espn);
        }
        rows.push({
          roster_date: date,
          scrape_hour: SCRAPE_HOUR,
          season_year: seasonYear,
          team_abbr: team.tricode,
          espn_team_abbr: ESPN_CODES[team.tricode] ?? team.tricode,
          espn_player_id: espn.espnId,
          player_full_name: player.name,
          player_lookup: player.lookup,
          jersey_number: espn.jersey,
          position: espn.position,
          age: ageOn(espn.birthDate, date),
          birth_date: espn.birthDate,
          injury_status: injured.has(player.lookup) ? "out" : null,
          source_file_path: `seed://${seed}/espn_team_rosters/${date}/${ESPN_CODES[team.tricode] ?? team.tricode}.json`,
          processed_at: scraped,
        });
      }
    });
  }
  return rows;
}
