/**
 * Injury reports for the synthetic season, as the NBA.com injury report loader writes them
 * (nbac_injury_report), consistent with who the box scores say was available: every player out
 * for the night (injured, resting, personal reasons, not with the team, or sent to the G League)
 * is listed Out with the gamebook's reason, and a few players who played are listed Probable,
 * Questionable or Doubtful. Two reports per game: the 5 PM report of the day before, where some
 * of the players out are still Questionable or Doubtful, and the 5 PM report of game day, the
 * latest. A few rows have a low parsing confidence. Names are printed "Last, First" as in the
 * PDF. Each game draws from its own stream.
 */
import type { RawRow } from "../load/rows.ts";
import { TEAMS, type Team } from "../nba/teams.ts";
import { addDays } from "../dates.ts";
import type { PlayerAvailability } from "./availability.ts";
import { Random } from "./random.ts";
import type { SeededGame } from "./rows.ts";

/** Hour (Eastern) of both reports of a game. */
const REPORT_HOUR = 17;

const team = (index: number): Team => TEAMS[index] as Team;

/** "Payton II, Gary": the last name (with its suffix), a comma, the first name. */
export function printedName(name: string, lastName: string): string {
  return `${lastName}, ${name.slice(0, name.length - lastName.length).trim()}`;
}

function reasonOf(entry: PlayerAvailability): string | null {
  const { availability } = entry;
  if (availability.status === "available") return null;
  // The report prints the reason without the gamebook's "DNP - " / "NWT - " prefix.
  return availability.reason.replace(/^(DNP|NWT) - /, "");
}

function category(reason: string): string {
  if (/^injury\/illness/i.test(reason)) return "injury";
  if (/g league/i.test(reason)) return "g_league";
  if (/not with team/i.test(reason)) return "not_with_team";
  if (/personal/i.test(reason)) return "personal";
  if (/\brest\b/i.test(reason)) return "rest";
  return "other";
}

interface Listed {
  entry: PlayerAvailability;
  side: Team;
  status: "out" | "questionable" | "doubtful" | "probable";
  /** Status in the report of the day before; undefined: not listed then. */
  earlier: "out" | "questionable" | "doubtful" | "probable" | undefined;
  reason: string;
}

export function injuryReportRows(game: SeededGame, night: { away: PlayerAvailability[]; home: PlayerAvailability[] }, seed: number): RawRow[] {
  const random = Random.of(seed, "injury_report", game.schedule.nbaGameId);
  const home = team(game.schedule.home);
  const away = team(game.schedule.away);
  const listed: Listed[] = [];
  for (const [side, entries] of [
    [away, night.away],
    [home, night.home],
  ] as const) {
    for (const entry of entries) {
      const reason = reasonOf(entry);
      if (reason !== null) {
        const injured = category(reason) === "injury";
        const earlier = injured && random.chance(0.3) ? random.pick(["questionable", "doubtful"] as const) : "out";
        listed.push({ entry, side, status: "out", earlier, reason });
      } else if (random.chance(0.04)) {
        // Played through it: listed with a knock, cleared or not in time.
        const status = random.pick(["probable", "probable", "questionable", "doubtful"] as const);
        listed.push({ entry, side, status, earlier: random.chance(0.5) ? status : undefined, reason: `Injury/Illness - ${random.pick(["Left", "Right"])} Ankle; Soreness` });
      }
    }
  }
  // Every game is on the report: a slate with nobody listed still names a probable player.
  if (listed.length === 0 && night.home[0]) {
    listed.push({ entry: night.home[0], side: home, status: "probable", earlier: "probable", reason: "Injury/Illness - Low Back; Soreness" });
  }

  const gameDate = game.schedule.gameDate;
  const [hours, minutes] = game.schedule.tipoffEt.split(":").map(Number) as [number, number];
  const gameTime = `${String(((hours + 11) % 12) + 1).padStart(2, "0")}:${String(minutes).padStart(2, "0")} (ET)`;
  const rows: RawRow[] = [];
  const report = (reportDate: string, player: Listed, status: Listed["status"]) => {
    // One row in twenty is parsed with a low confidence (a line the parser merged).
    const confidence = random.chance(0.05) ? 0.6 : random.pick([0.9, 1.0]);
    rows.push({
      report_date: reportDate,
      report_hour: REPORT_HOUR,
      game_date: gameDate,
      game_time: gameTime,
      game_id: game.gameId,
      matchup: `${away.tricode}@${home.tricode}`,
      away_team: away.tricode,
      home_team: home.tricode,
      team: player.side.tricode,
      player_name_original: printedName(player.entry.player.name, player.entry.player.lastName),
      player_full_name: player.entry.player.name,
      player_lookup: player.entry.player.lookup,
      injury_status: status,
      reason: player.reason,
      reason_category: category(player.reason),
      confidence_score: confidence,
      overall_report_confidence: 0.97,
      run_id: `seed-${seed}`,
      source_file_path: `seed://${seed}/nbac_injury_report/${reportDate}/${REPORT_HOUR}.json`,
      processed_at: `${reportDate}T${REPORT_HOUR + 5}:05:00.000Z`,
    });
  };
  for (const player of listed) if (player.earlier) report(addDays(gameDate, -1), player, player.earlier);
  for (const player of listed) report(gameDate, player, player.status);
  return rows;
}
