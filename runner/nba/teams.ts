/**
 * The 30 NBA teams as NBA.com names them (tricode, team id, city, nickname), and the other codes
 * upstream sources use for them (spec section 0). Phase 2 data is always keyed by NBA.com tricode.
 */

export interface Team {
  tricode: string;
  teamId: number;
  city: string;
  nickname: string;
}

export const TEAMS: readonly Team[] = [
  { tricode: "ATL", teamId: 1610612737, city: "Atlanta", nickname: "Hawks" },
  { tricode: "BOS", teamId: 1610612738, city: "Boston", nickname: "Celtics" },
  { tricode: "BKN", teamId: 1610612751, city: "Brooklyn", nickname: "Nets" },
  { tricode: "CHA", teamId: 1610612766, city: "Charlotte", nickname: "Hornets" },
  { tricode: "CHI", teamId: 1610612741, city: "Chicago", nickname: "Bulls" },
  { tricode: "CLE", teamId: 1610612739, city: "Cleveland", nickname: "Cavaliers" },
  { tricode: "DAL", teamId: 1610612742, city: "Dallas", nickname: "Mavericks" },
  { tricode: "DEN", teamId: 1610612743, city: "Denver", nickname: "Nuggets" },
  { tricode: "DET", teamId: 1610612765, city: "Detroit", nickname: "Pistons" },
  { tricode: "GSW", teamId: 1610612744, city: "Golden State", nickname: "Warriors" },
  { tricode: "HOU", teamId: 1610612745, city: "Houston", nickname: "Rockets" },
  { tricode: "IND", teamId: 1610612754, city: "Indiana", nickname: "Pacers" },
  { tricode: "LAC", teamId: 1610612746, city: "LA", nickname: "Clippers" },
  { tricode: "LAL", teamId: 1610612747, city: "Los Angeles", nickname: "Lakers" },
  { tricode: "MEM", teamId: 1610612763, city: "Memphis", nickname: "Grizzlies" },
  { tricode: "MIA", teamId: 1610612748, city: "Miami", nickname: "Heat" },
  { tricode: "MIL", teamId: 1610612749, city: "Milwaukee", nickname: "Bucks" },
  { tricode: "MIN", teamId: 1610612750, city: "Minnesota", nickname: "Timberwolves" },
  { tricode: "NOP", teamId: 1610612740, city: "New Orleans", nickname: "Pelicans" },
  { tricode: "NYK", teamId: 1610612752, city: "New York", nickname: "Knicks" },
  { tricode: "OKC", teamId: 1610612760, city: "Oklahoma City", nickname: "Thunder" },
  { tricode: "ORL", teamId: 1610612753, city: "Orlando", nickname: "Magic" },
  { tricode: "PHI", teamId: 1610612755, city: "Philadelphia", nickname: "76ers" },
  { tricode: "PHX", teamId: 1610612756, city: "Phoenix", nickname: "Suns" },
  { tricode: "POR", teamId: 1610612757, city: "Portland", nickname: "Trail Blazers" },
  { tricode: "SAC", teamId: 1610612758, city: "Sacramento", nickname: "Kings" },
  { tricode: "SAS", teamId: 1610612759, city: "San Antonio", nickname: "Spurs" },
  { tricode: "TOR", teamId: 1610612761, city: "Toronto", nickname: "Raptors" },
  { tricode: "UTA", teamId: 1610612762, city: "Utah", nickname: "Jazz" },
  { tricode: "WAS", teamId: 1610612764, city: "Washington", nickname: "Wizards" },
];

/** Codes other sources use (Basketball-Reference, ESPN, balldontlie history) -> NBA.com tricode. */
const ALIASES: Record<string, string> = {
  BRK: "BKN",
  CHO: "CHA",
  PHO: "PHX",
  NY: "NYK",
  UTAH: "UTA",
  GS: "GSW",
  NO: "NOP",
  SA: "SAS",
  WSH: "WAS",
};

const BY_TRICODE = new Map(TEAMS.map((team) => [team.tricode, team]));
const BY_FULL_NAME = new Map(TEAMS.map((team) => [`${team.city} ${team.nickname}`.toLowerCase(), team]));
// "Los Angeles Clippers" is how most sources spell NBA.com's "LA Clippers".
BY_FULL_NAME.set("los angeles clippers", BY_TRICODE.get("LAC") as Team);

/** The NBA.com tricode for a code any source uses, or undefined when it is not an NBA team. */
export function toTricode(code: string): string | undefined {
  const upper = code.trim().toUpperCase();
  if (BY_TRICODE.has(upper)) return upper;
  return ALIASES[upper];
}

/** The team for a full name such as "Memphis Grizzlies", or undefined. */
export function teamByFullName(name: string): Team | undefined {
  return BY_FULL_NAME.get(name.trim().toLowerCase());
}
