/**
 * NBA.com live play-by-play (the scraper's `{metadata, playByPlay: {game: {gameId, actions[]}}}`)
 * → nba_raw.nbac_play_by_play: one row per action (spec 9.1).
 *
 * A field goal is an action with `isFieldGoal` 1 (`actionType` 2pt/3pt), a free throw an action
 * `freethrow`; made or missed is `shotResult`, the distance `shotDistance` in feet (0.0 is at the
 * rim, a real distance; `x`/`y` are court percentages and are not read). The payload names players
 * by person id and last name only, and carries neither the date nor the home team, so it is read
 * in two steps like the boxscore: `readNbacPlayByPlay` validates it and says which game, teams and
 * persons it covers; the loader then finds the date and sides (schedule, or the person's options)
 * and the persons' full names (the game's box score, else the NBA.com player index), and
 * `nbacPlayByPlayRows` builds the rows. Both steps are pure. A person id without a name keeps
 * NULL name and lookup, and the load says so (`unresolvedNote`).
 */
import { z } from "zod";
import { playerLookup } from "../../nba/player_lookup.ts";
import { toTricode } from "../../nba/teams.ts";
import { nbaGameId, PayloadProblems, ProblemList, show, type PathSegment } from "../problems.ts";
import { metaColumns, seasonYear, systemGameId, type FileMeta, type RawRow, type RowsByTable } from "../rows.ts";
import type { BoxscoreGame } from "./nbac-boxscore.ts";

export const NBAC_PLAY_BY_PLAY_TABLES = ["nbac_play_by_play"] as const;

const FIELD_GOAL_TYPES: Record<string, "2PT" | "3PT"> = { "2pt": "2PT", "3pt": "3PT" };
const FREE_THROW = "freethrow";

/** ISO 8601 duration of the game clock, "PT11M41.00S": seconds left in the period. */
const clock = z
  .string()
  .regex(/^PT\d+M\d+(\.\d+)?S$/, { error: (issue) => `expected a game clock like "PT11M41.00S", got ${show(issue.input)}` })
  .transform((value) => {
    const [, minutes, seconds] = /^PT(\d+)M(\d+(?:\.\d+)?)S$/.exec(value) as RegExpExecArray;
    return Math.round((Number(minutes) * 60 + Number(seconds)) * 100) / 100;
  });

const personId = z.number().int().min(0);

const Action = z.object({
  // The game order of the action. actionNumber is the order actions were entered: an action
  // edited later (a shot re-entered after its free throw) is renumbered and no longer in order.
  orderNumber: z.number().int().min(0),
  clock,
  period: z.number().int().min(1),
  teamTricode: z.string().nullish(),
  actionType: z.string().min(1, { error: "expected an action type, got an empty string" }),
  subType: z.string().nullish(),
  isFieldGoal: z.union([z.literal(0), z.literal(1)]),
  shotResult: z.enum(["Made", "Missed"]).nullish(),
  shotDistance: z.number().min(0).nullish(),
  personId: personId.nullish(),
  assistPersonId: personId.nullish(),
  blockPersonId: personId.nullish(),
  description: z.string().nullish(),
});
type Action = z.infer<typeof Action>;

const Payload = z.object({
  metadata: z.object({ game_id: z.string().nullish(), gameId: z.string().nullish() }).nullish(),
  playByPlay: z.object({
    game: z.object({
      gameId: nbaGameId,
      actions: z.array(z.unknown()),
    }),
  }),
});

/** A validated action with its team as an NBA.com tricode. */
export interface PlayByPlayAction extends Action {
  team: string | null;
}

/** A validated play-by-play: one game, its two teams, every action, the persons it names. */
export interface NbacPlayByPlay {
  nbaGameId: string;
  /** The two teams' NBA.com tricodes, in order of first appearance. */
  teams: [string, string];
  actions: PlayByPlayAction[];
  /** Every person id an action names as actor, assister or blocker, in order of first appearance. */
  personIds: number[];
}

/** The live play-by-play scraper output: `playByPlay.game.actions[]`. */
export function looksLikeNbacPlayByPlay(payload: unknown): boolean {
  if (typeof payload !== "object" || payload === null || !("playByPlay" in payload)) return false;
  const pbp = payload.playByPlay;
  if (typeof pbp !== "object" || pbp === null || !("game" in pbp)) return false;
  const game = pbp.game;
  return typeof game === "object" && game !== null && "actions" in game && Array.isArray(game.actions);
}

/** A person id, or null for none (the payload writes 0 for a team or game event). */
const someone = (id: number | null | undefined): number | null => (id ? id : null);

export function readNbacPlayByPlay(payload: unknown): NbacPlayByPlay {
  const problems = new ProblemList();
  const parsed = problems.parse(Payload, payload);
  problems.throwIfAny();
  if (!parsed) throw new PayloadProblems(problems.problems);
  const id = parsed.playByPlay.game.gameId;
  for (const key of ["game_id", "gameId"] as const) {
    const named = parsed.metadata?.[key];
    if (named && named !== id) problems.add(["metadata", key], `names game ${show(named)}, but playByPlay.game.gameId is ${show(id)}`);
  }

  const actions: PlayByPlayAction[] = [];
  const teams: string[] = [];
  const seen = new Map<number, number>();
  parsed.playByPlay.game.actions.forEach((raw, index) => {
    const prefix: PathSegment[] = ["playByPlay", "game", "actions", index];
    const action = problems.parse(Action, raw, prefix);
    if (!action) return;
    const at = (field: string): PathSegment[] => [...prefix, field];
    const before = problems.problems.length;
    const earlier = seen.get(action.orderNumber);
    if (earlier !== undefined) problems.add(at("orderNumber"), `${action.orderNumber} is also the order number of actions[${earlier}]`);
    seen.set(action.orderNumber, index);
    let team: string | null = null;
    if (action.teamTricode) {
      team = toTricode(action.teamTricode) ?? null;
      if (!team) problems.add(at("teamTricode"), `not an NBA team code: ${show(action.teamTricode)}`);
      else if (!teams.includes(team)) teams.push(team);
    }
    const fieldGoalType = FIELD_GOAL_TYPES[action.actionType];
    if ((action.isFieldGoal === 1) !== (fieldGoalType !== undefined)) {
      problems.add(at("isFieldGoal"), `${action.isFieldGoal} on a ${show(action.actionType)} action: field goals are the 2pt and 3pt actions`);
    }
    const isShot = fieldGoalType !== undefined || action.actionType === FREE_THROW;
    if (isShot && !action.shotResult) problems.add(at("shotResult"), `missing on a ${action.actionType} action (expected "Made" or "Missed")`);
    if (isShot && (!someone(action.personId) || !team)) problems.add(prefix, `a ${action.actionType} action without a shooter or a team`);
    if (someone(action.assistPersonId) && someone(action.blockPersonId)) problems.add(prefix, "names both an assist and a block: at most one second player per action");
    if ((someone(action.assistPersonId) || someone(action.blockPersonId)) && fieldGoalType === undefined) {
      problems.add(prefix, `an assist or block on a ${show(action.actionType)} action: only field goals have one`);
    }
    if (problems.problems.length === before) actions.push({ ...action, team });
  });
  if (teams.length !== 2) problems.add(["playByPlay", "game", "actions"], `expected the actions of two teams, got ${teams.length === 0 ? "none" : teams.join(", ")}`);
  problems.throwIfAny();

  const personIds = new Set<number>();
  for (const action of actions) {
    for (const person of [action.personId, action.assistPersonId, action.blockPersonId]) {
      const named = someone(person);
      if (named !== null) personIds.add(named);
    }
  }
  return { nbaGameId: id, teams: teams as [string, string], actions, personIds: [...personIds] };
}

export interface NbacPlayByPlayRows {
  rows: RowsByTable;
  unresolved: Unresolved;
}

/** Person ids without a name, and how many actions name one of them. */
export interface Unresolved {
  actions: number;
  personIds: number[];
}

/**
 * The rows of a validated play-by-play once its date and sides are known; `names` maps person ids
 * to full names (the box score's first, then the player index's).
 */
export function nbacPlayByPlayRows(pbp: NbacPlayByPlay, game: BoxscoreGame, names: ReadonlyMap<number, string>, meta: FileMeta): NbacPlayByPlayRows {
  if ([game.homeTricode, game.awayTricode].sort().join(",") !== [...pbp.teams].sort().join(",")) {
    throw new PayloadProblems([
      {
        path: "playByPlay.game.actions",
        reason: `game ${pbp.nbaGameId} is ${game.awayTricode} at ${game.homeTricode}, but the play-by-play's teams are ${pbp.teams.join(" and ")}`,
      },
    ]);
  }
  const unresolvedIds = new Set<number>();
  let unresolvedActions = 0;
  const person = (id: number | null): { name: string | null; lookup: string | null } => {
    if (id === null) return { name: null, lookup: null };
    const name = names.get(id);
    const lookup = name === undefined ? "" : playerLookup(name);
    return lookup ? { name: name as string, lookup } : { name: null, lookup: null };
  };
  const otherTeam = (team: string) => (team === game.homeTricode ? game.awayTricode : game.homeTricode);
  const gameColumns: RawRow = {
    game_id: systemGameId(game.gameDate, game.awayTricode, game.homeTricode),
    nba_game_id: pbp.nbaGameId,
    game_date: game.gameDate,
    season_year: seasonYear(game.gameDate),
    home_team_abbr: game.homeTricode,
    away_team_abbr: game.awayTricode,
  };
  const rows = pbp.actions.map((action): RawRow => {
    const fieldGoalType = FIELD_GOAL_TYPES[action.actionType];
    const isFreeThrow = action.actionType === FREE_THROW;
    const shotType = fieldGoalType ?? (isFreeThrow ? "FT" : null);
    const made = shotType && action.shotResult ? action.shotResult === "Made" : null;
    const points = made ? (fieldGoalType === "3PT" ? 3 : fieldGoalType === "2PT" ? 2 : 1) : 0;
    const player1Id = someone(action.personId);
    const assist = someone(action.assistPersonId);
    const block = someone(action.blockPersonId);
    const player2Id = assist ?? block;
    const player1 = person(player1Id);
    const player2 = person(player2Id);
    const unnamed = ([[player1Id, player1], [player2Id, player2]] as const).filter(([id, resolved]) => id !== null && resolved.lookup === null);
    for (const [id] of unnamed) unresolvedIds.add(id as number);
    if (unnamed.length > 0) unresolvedActions += 1;
    return {
      ...gameColumns,
      event_sequence: action.orderNumber,
      period: action.period,
      period_seconds_remaining: action.clock,
      event_type: action.actionType,
      event_subtype: action.subType?.trim() || null,
      is_field_goal: action.isFieldGoal === 1,
      shot_type: shotType,
      shot_made: made,
      shot_distance: fieldGoalType ? (action.shotDistance ?? null) : null,
      player_1_id: player1Id,
      player_1_name: player1.name,
      player_1_lookup: player1.lookup,
      player_1_team_abbr: action.team,
      player_2_id: player2Id,
      player_2_lookup: player2.lookup,
      player_2_team_abbr: player2Id === null || action.team === null ? null : assist !== null ? action.team : otherTeam(action.team),
      player_2_role: assist !== null ? "assist" : block !== null ? "block" : null,
      points,
      description: action.description?.trim() || null,
      ...metaColumns(meta),
    };
  });
  return { rows: { nbac_play_by_play: rows }, unresolved: { actions: unresolvedActions, personIds: [...unresolvedIds].sort((a, b) => a - b) } };
}

/** What the load says about person ids it could not name, or undefined when it named them all. */
export function unresolvedNote(unresolved: Unresolved): string | undefined {
  const { actions, personIds } = unresolved;
  if (personIds.length === 0) return undefined;
  return (
    `${actions} action${actions === 1 ? "" : "s"} name ${personIds.length} NBA.com person id${personIds.length === 1 ? "" : "s"} ` +
    `found in neither the game's box score nor the player index (${personIds.join(", ")}): their player name and lookup are NULL; ` +
    "load the game's nbac-boxscore or an nbac-player-list index, then this file again"
  );
}
