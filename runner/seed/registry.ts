/**
 * The player registry and its aliases for the synthetic season (nba_reference), as spec 9.5 fills
 * them: one registry row per player, team and season seen, with the universal id
 * <player_lookup>_001 (a second player sharing a lookup, told apart by NBA.com person id, gets
 * _002), and a few aliases mapping other spellings to the registry's lookup:
 * - a nickname (or formal first name) of a starter, which The Odds API prints instead of the
 *   box scores' name: his odds props carry the alias lookup, so resolving aliases matters;
 * - a suffix dropped by another source ("Jackson Jr." spelled "Jackson"), active, in no seeded row;
 * - an alias no longer used (is_active FALSE), in no seeded row.
 */
import { addDays } from "../dates.ts";
import type { RawRow } from "../load/rows.ts";
import { playerLookup } from "../nba/player_lookup.ts";
import { TEAMS, type Team } from "../nba/teams.ts";
import type { SeasonCalendar } from "./calendar.ts";
import { processedAt } from "./rows.ts";
import type { Player, Roster } from "./rosters.ts";

/** First names and the other first name a bookmaker may print. */
const OTHER_FIRST_NAMES: Record<string, string> = {
  Josh: "Joshua",
  Nate: "Nathan",
  Chris: "Christopher",
  Zach: "Zachary",
  Reggie: "Reginald",
  Cameron: "Cam",
  Gabriel: "Gabe",
  Dominic: "Dom",
  Isaiah: "Zay",
  Anthony: "Tony",
};

export interface SeededAlias {
  aliasLookup: string;
  /** The name as the source using the alias prints it. */
  aliasName: string;
  player: Player;
  aliasType: "nickname" | "source_spelling";
  isActive: boolean;
  /** The Odds API player props print this player under the alias. */
  usedByOddsProps: boolean;
}

export function firstName(player: Player): string {
  return player.name.slice(0, player.name.length - player.lastName.length).trim();
}

/**
 * The season's aliases, chosen from the opening rosters so that no alias is any player's lookup:
 * the nickname one from the best players of each team (rotation rank < 3), who play most nights.
 */
export function chooseAliases(rosters: readonly Roster[]): SeededAlias[] {
  const players = rosters.flatMap((roster) => roster.players);
  const taken = new Set(players.map((player) => player.lookup));
  const aliases: SeededAlias[] = [];
  const add = (alias: Omit<SeededAlias, "aliasLookup">): boolean => {
    const aliasLookup = playerLookup(alias.aliasName);
    if (taken.has(aliasLookup) || aliasLookup === "") return false;
    taken.add(aliasLookup);
    aliases.push({ aliasLookup, ...alias });
    return true;
  };
  const nicknamed = (player: Player) => {
    const other = OTHER_FIRST_NAMES[firstName(player)];
    return other ? `${other} ${player.lastName}` : undefined;
  };
  const stars = players.filter((player) => player.rotationRank < 3);
  const withNickname = stars.filter((player) => nicknamed(player) !== undefined);
  // The used alias: a nickname when a star has one, else his initial and last name ("J. Smith").
  const used = [...withNickname.map((player) => ({ player, name: nicknamed(player) as string })), ...stars.map((player) => ({ player, name: `${firstName(player).slice(0, 1)}. ${player.lastName}` }))];
  for (const { player, name } of used) {
    if (add({ aliasName: name, player, aliasType: "nickname", isActive: true, usedByOddsProps: true })) break;
  }
  for (const player of players) {
    if (!/ Jr\.$/.test(player.name)) continue;
    if (add({ aliasName: player.name.replace(/ Jr\.$/, ""), player, aliasType: "source_spelling", isActive: true, usedByOddsProps: false })) break;
  }
  for (const player of players.filter((candidate) => candidate.rotationRank >= 3)) {
    const name = nicknamed(player);
    if (name && add({ aliasName: name, player, aliasType: "nickname", isActive: false, usedByOddsProps: false })) break;
  }
  return aliases;
}

export function aliasRows(aliases: readonly SeededAlias[], calendar: SeasonCalendar): RawRow[] {
  return aliases.map((alias) => ({
    alias_lookup: alias.aliasLookup,
    nba_canonical_lookup: alias.player.lookup,
    alias_type: alias.aliasType,
    is_active: alias.isActive,
    processed_at: processedAt(addDays(calendar.openingDay, -1)),
  }));
}

/**
 * Universal ids of the season's players: <lookup>_001, or _002, _003... for the later person ids
 * of players who share a lookup.
 */
export function universalIds(rosters: readonly Roster[]): Map<Player["nbaPlayerId"], string> {
  const byLookup = new Map<string, number[]>();
  for (const player of rosters.flatMap((roster) => roster.players)) {
    const ids = byLookup.get(player.lookup) ?? [];
    if (!ids.includes(player.nbaPlayerId)) ids.push(player.nbaPlayerId);
    byLookup.set(player.lookup, ids);
  }
  const universal = new Map<number, string>();
  for (const [lookup, ids] of byLookup) {
    ids.sort((a, b) => a - b).forEach((id, index) => universal.set(id, `${lookup}_${String(index + 1).padStart(3, "0")}`));
  }
  return universal;
}

export interface SeenOnTeam {
  player: Player;
  teamIndex: number;
  /** The first date of the season he was on that team: opening day, or the day after the deadline. */
  since: string;
}

/** One registry row per player and team seen on the seeded rosters, in the order first seen. */
export function registryRows(seen: readonly SeenOnTeam[], universal: Map<number, string>, seasonYear: number): RawRow[] {
  return seen.map(({ player, teamIndex, since }) => ({
    universal_player_id: universal.get(player.nbaPlayerId) as string,
    player_lookup: player.lookup,
    player_full_name: player.name,
    nba_person_id: player.nbaPlayerId,
    team_abbr: (TEAMS[teamIndex] as Team).tricode,
    season_year: seasonYear,
    first_seen_source: "espn_team_rosters",
    processed_at: processedAt(since),
  }));
}
