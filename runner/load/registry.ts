/**
 * Upkeep of nba_reference.nba_players_registry (spec 2.3 registry filter, decision 9.5): after a
 * load writes player rows (the NBA.com player index, gamebooks, NBA.com and balldontlie box
 * scores), every (player, team, season) they name that the registry does not have yet is added,
 * with the player's universal id.
 *
 * Ids: a lookup's first player is `<player_lookup>_001`, and keeps that id for every team and
 * season. Players are told apart by NBA.com person id only (the index's nba_person_id, the box
 * scores' nba_player_id): a second person with the same lookup gets `_002`, then `_003`, never an
 * id already given. A row without a person id belongs to its lookup's only player; when the lookup
 * has several, it is ambiguous and nothing is invented: it is reported, unless the registry already
 * has that lookup for that team and season. A lookup registered once without a person id (first
 * seen in a gamebook) takes the person id of the first source that gives exactly one for it, so
 * that a later, different person gets `_002` instead of the first player's id. A row named by a
 * last name only (gamebook inactive lists) and a row without a team (a free agent in the index)
 * are not registered, and counted in a note.
 *
 * All of it is SQL run through the engine, in BigQuery's dialect (DuckDB's engine translates), in
 * the load's transaction. Each statement rebuilds the same plan from the file's rows in the raw
 * table, so running it again finds nothing to add: loading a file twice adds nothing.
 */
import { param, type Engine, type QueryParams } from "../engines/engine.ts";
import { rawTableRef, rawTables, type RawTableName } from "./raw_tables.ts";
import type { FileMeta, RawRow } from "./rows.ts";

export const REGISTRY_TABLE = "nba_players_registry" satisfies RawTableName;

/** The raw tables whose players are registered, and which of their columns name the player. */
const REGISTRY_SOURCES = {
  nbac_player_list: { name: "player_full_name", personId: "nba_person_id" },
  nbac_gamebook_player_stats: { name: "player_name", personId: null },
  nbac_player_boxscores: { name: "player_full_name", personId: "nba_player_id" },
  bdl_player_boxscores: { name: "player_full_name", personId: null },
} as const satisfies Partial<Record<RawTableName, { name: string; personId: string | null }>>;

export type RegistrySource = keyof typeof REGISTRY_SOURCES;

/**
 * A name that is a last name only, perhaps with a suffix ("Bane", "Jackson Jr."): the gamebook
 * prints its inactive players so. Without a person id the name is the player's identity, and a last
 * name is nobody's (two teams' "Wade" would become one player): such rows are not registered.
 */
const LAST_NAME_ONLY = String.raw`^\s*[^\s]+(\s+(jr\.?|sr\.?|ii|iii|iv|v))?\s*$`;

export function isRegistrySource(table: RawTableName): table is RegistrySource {
  return table in REGISTRY_SOURCES;
}

/** A (player, team, season) left out because its lookup names several players. */
export interface AmbiguousPlayer {
  playerLookup: string;
  teamAbbr: string;
  seasonYear: number;
}

export interface RegistryUpkeep {
  /** Registry rows added. */
  added: number;
  /** Registry rows of a player first seen without a person id that now have one. */
  personIdsFilled: number;
  ambiguous: AmbiguousPlayer[];
  /** Source rows without a team or season (a free agent in the index): the registry is per team and season. */
  withoutTeam: number;
  /** Source rows without a person id named by a last name only (LAST_NAME_ONLY). */
  lastNameOnly: number;
}

/**
 * The claims, as CTEs over the file's rows (`source_rows`) and the registry (`registered`):
 * `claims` gives a person id to the one id of a lookup registered without one.
 */
function claimCtes(engine: Pick<Engine, "qualify">, table: RegistrySource, datesFiltered: boolean): string {
  const source = REGISTRY_SOURCES[table];
  const registry = engine.qualify(rawTableRef(REGISTRY_TABLE));
  const partition = rawTables().specs[table].partitionBy;
  const dateFilter = datesFiltered && partition ? `\n      AND ${partition} BETWEEN @first_date AND @last_date` : "";
  const nameFilter = source.personId ? "" : `\n      AND NOT REGEXP_CONTAINS(${source.name}, r'(?i)${LAST_NAME_ONLY}')`;
  return `source_rows AS (
    -- One row per player, person id, team and season of the file.
    SELECT
      player_lookup,
      ${source.personId ?? "CAST(NULL AS INT64)"} AS nba_person_id,
      team_abbr,
      season_year,
      MIN(${source.name}) AS player_full_name
    FROM ${engine.qualify(rawTableRef(table))}
    WHERE source_file_path = @source_file_path${dateFilter}${nameFilter}
      AND player_lookup IS NOT NULL
      AND player_lookup != ''
      AND team_abbr IS NOT NULL
      AND season_year IS NOT NULL
    GROUP BY player_lookup, nba_person_id, team_abbr, season_year
  ),
  registered AS (
    -- The ids already given to these lookups, each with its person id when one is known, and its number.
    SELECT
      registry.player_lookup,
      registry.universal_player_id,
      MAX(registry.nba_person_id) AS nba_person_id,
      MAX(SAFE_CAST(SUBSTR(registry.universal_player_id, LENGTH(registry.player_lookup) + 2) AS INT64)) AS id_number
    FROM ${registry} AS registry
    WHERE registry.player_lookup IN (SELECT source_rows.player_lookup FROM source_rows)
    GROUP BY registry.player_lookup, registry.universal_player_id
  ),
  unmatched_persons AS (
    -- Person ids of the file that no id of their lookup has yet.
    SELECT DISTINCT
      source_rows.player_lookup,
      source_rows.nba_person_id
    FROM source_rows
    WHERE source_rows.nba_person_id IS NOT NULL
      AND NOT EXISTS (
        SELECT 1
        FROM registered
        WHERE registered.player_lookup = source_rows.player_lookup
          AND registered.nba_person_id = source_rows.nba_person_id
      )
  ),
  claimable AS (
    -- A lookup registered under one id that has no person id yet: its player is the file's only new person.
    SELECT
      registered.player_lookup,
      MIN(registered.universal_player_id) AS universal_player_id
    FROM registered
    GROUP BY registered.player_lookup
    HAVING COUNT(*) = 1 AND COUNT(registered.nba_person_id) = 0
  ),
  claims AS (
    SELECT
      claimable.universal_player_id,
      MIN(unmatched_persons.nba_person_id) AS nba_person_id
    FROM claimable
    INNER JOIN unmatched_persons
      ON unmatched_persons.player_lookup = claimable.player_lookup
    GROUP BY claimable.universal_player_id
    HAVING COUNT(*) = 1
  )`;
}

/** The whole plan: after the claims, `resolved` gives every source row its universal id, NULL when ambiguous. */
function planCtes(engine: Pick<Engine, "qualify">, table: RegistrySource, datesFiltered: boolean): string {
  return `${claimCtes(engine, table, datesFiltered)},
  new_players AS (
    -- Persons to register under a new id, and lookups never seen, with no person id anywhere.
    SELECT
      unmatched_persons.player_lookup,
      unmatched_persons.nba_person_id
    FROM unmatched_persons
    WHERE NOT EXISTS (
      SELECT 1
      FROM claimable
      INNER JOIN claims
        ON claims.universal_player_id = claimable.universal_player_id
      WHERE claimable.player_lookup = unmatched_persons.player_lookup
    )
    UNION ALL
    SELECT DISTINCT
      source_rows.player_lookup,
      CAST(NULL AS INT64) AS nba_person_id
    FROM source_rows
    WHERE NOT EXISTS (SELECT 1 FROM registered WHERE registered.player_lookup = source_rows.player_lookup)
      AND NOT EXISTS (
        SELECT 1
        FROM source_rows AS with_person
        WHERE with_person.player_lookup = source_rows.player_lookup
          AND with_person.nba_person_id IS NOT NULL
      )
  ),
  numbered AS (
    -- New ids continue after the lookup's highest number, in person id order.
    SELECT
      new_players.player_lookup,
      new_players.nba_person_id,
      COALESCE(lookup_numbers.last_number, 0) + ROW_NUMBER() OVER (PARTITION BY new_players.player_lookup ORDER BY new_players.nba_person_id) AS id_number
    FROM new_players
    LEFT JOIN (
      SELECT
        registered.player_lookup,
        MAX(registered.id_number) AS last_number
      FROM registered
      GROUP BY registered.player_lookup
    ) AS lookup_numbers
      ON lookup_numbers.player_lookup = new_players.player_lookup
  ),
  players AS (
    SELECT
      registered.player_lookup,
      registered.universal_player_id,
      COALESCE(registered.nba_person_id, claims.nba_person_id) AS nba_person_id
    FROM registered
    LEFT JOIN claims
      ON claims.universal_player_id = registered.universal_player_id
    UNION ALL
    SELECT
      numbered.player_lookup,
      CONCAT(numbered.player_lookup, '_', LPAD(CAST(numbered.id_number AS STRING), 3, '0')) AS universal_player_id,
      numbered.nba_person_id
    FROM numbered
  ),
  player_counts AS (
    SELECT
      players.player_lookup,
      COUNT(*) AS ids,
      MIN(players.universal_player_id) AS only_id
    FROM players
    GROUP BY players.player_lookup
  ),
  resolved AS (
    -- A row with a person id is that person's; one without is its lookup's only player's, else ambiguous (NULL).
    SELECT
      source_rows.player_lookup,
      source_rows.nba_person_id,
      source_rows.team_abbr,
      source_rows.season_year,
      source_rows.player_full_name,
      CASE
        WHEN source_rows.nba_person_id IS NOT NULL THEN by_person.universal_player_id
        WHEN player_counts.ids = 1 THEN player_counts.only_id
      END AS universal_player_id
    FROM source_rows
    INNER JOIN player_counts
      ON player_counts.player_lookup = source_rows.player_lookup
    LEFT JOIN players AS by_person
      ON by_person.player_lookup = source_rows.player_lookup
      AND by_person.nba_person_id = source_rows.nba_person_id
  )`;
}

/** Gives the person id to the registry rows of a lookup's only player, first seen without one. */
function claimStatement(engine: Pick<Engine, "qualify">, table: RegistrySource, datesFiltered: boolean): string {
  const registry = engine.qualify(rawTableRef(REGISTRY_TABLE));
  return `UPDATE ${registry} AS target
SET nba_person_id = claimed.nba_person_id
FROM (
  WITH ${claimCtes(engine, table, datesFiltered)}
  SELECT
    claims.universal_player_id,
    claims.nba_person_id
  FROM claims
) AS claimed
WHERE target.universal_player_id = claimed.universal_player_id
  AND target.nba_person_id IS NULL`;
}

/** Adds the (player, team, season) rows the registry does not have. */
function insertStatement(engine: Pick<Engine, "qualify">, table: RegistrySource, datesFiltered: boolean): string {
  const registry = engine.qualify(rawTableRef(REGISTRY_TABLE));
  return `INSERT INTO ${registry} (universal_player_id, player_lookup, player_full_name, nba_person_id, team_abbr, season_year, first_seen_source, processed_at)
WITH ${planCtes(engine, table, datesFiltered)}
SELECT
  resolved.universal_player_id,
  resolved.player_lookup,
  MIN(resolved.player_full_name) AS player_full_name,
  -- The player's person id, also on a row from a source without one (a gamebook after the index).
  COALESCE(MAX(resolved.nba_person_id), MAX(players.nba_person_id)) AS nba_person_id,
  resolved.team_abbr,
  resolved.season_year,
  @first_seen_source AS first_seen_source,
  @processed_at AS processed_at
FROM resolved
LEFT JOIN players
  ON players.universal_player_id = resolved.universal_player_id
WHERE resolved.universal_player_id IS NOT NULL
  AND NOT EXISTS (
    SELECT 1
    FROM ${registry} AS present
    WHERE present.universal_player_id = resolved.universal_player_id
      AND present.team_abbr = resolved.team_abbr
      AND present.season_year = resolved.season_year
  )
GROUP BY resolved.universal_player_id, resolved.player_lookup, resolved.team_abbr, resolved.season_year`;
}

/** The ambiguous rows whose lookup the registry does not have for that team and season. */
function ambiguousQuery(engine: Pick<Engine, "qualify">, table: RegistrySource, datesFiltered: boolean): string {
  const registry = engine.qualify(rawTableRef(REGISTRY_TABLE));
  return `WITH ${planCtes(engine, table, datesFiltered)}
SELECT
  resolved.player_lookup,
  resolved.team_abbr,
  resolved.season_year
FROM resolved
WHERE resolved.universal_player_id IS NULL
  AND NOT EXISTS (
    SELECT 1
    FROM ${registry} AS present
    WHERE present.player_lookup = resolved.player_lookup
      AND present.team_abbr = resolved.team_abbr
      AND present.season_year = resolved.season_year
  )
GROUP BY resolved.player_lookup, resolved.team_abbr, resolved.season_year
ORDER BY resolved.player_lookup, resolved.season_year, resolved.team_abbr`;
}

/** The statements of one file's upkeep, in the order they run, with their parameters (for tests and dry runs). */
export function registryStatements(engine: Pick<Engine, "qualify">, table: RegistrySource, rows: readonly RawRow[], meta: FileMeta) {
  const partition = rawTables().specs[table].partitionBy;
  // The partition range of the file's rows: BigQuery then reads only those partitions.
  const dates = partition ? rows.map((row) => row[partition]).filter((value): value is string => typeof value === "string").sort() : [];
  const datesFiltered = dates.length > 0;
  // Every statement reads the file's rows; the INSERT also stamps where and when they came from.
  const scope: QueryParams = {
    source_file_path: param.string(meta.sourceFilePath),
    ...(datesFiltered ? { first_date: param.date(dates[0] as string), last_date: param.date(dates.at(-1) as string) } : {}),
  };
  return {
    claim: { sql: claimStatement(engine, table, datesFiltered), params: scope },
    insert: {
      sql: insertStatement(engine, table, datesFiltered),
      params: { ...scope, first_seen_source: param.string(table), processed_at: param.timestamp(meta.processedAt) },
    },
    ambiguous: { sql: ambiguousQuery(engine, table, datesFiltered), params: scope },
  };
}

/**
 * Registers the players of `rows`, the rows of one file just written to `table` (in the same
 * transaction: the statements read them back from the table by source_file_path).
 */
export async function updateRegistry(engine: Engine, table: RegistrySource, rows: readonly RawRow[], meta: FileMeta): Promise<RegistryUpkeep> {
  const withoutTeam = rows.filter((row) => row.team_abbr === null || row.season_year === null).length;
  const { name, personId } = REGISTRY_SOURCES[table];
  const lastName = new RegExp(LAST_NAME_ONLY, "i");
  const lastNameOnly = personId ? 0 : rows.filter((row) => typeof row[name] === "string" && lastName.test(row[name])).length;
  if (rows.length === withoutTeam) return { added: 0, personIdsFilled: 0, ambiguous: [], withoutTeam, lastNameOnly };
  const { claim, insert, ambiguous: unresolved } = registryStatements(engine, table, rows, meta);
  const context = { action: "load" };
  const claimed = await engine.execute(claim.sql, { params: claim.params, context });
  const inserted = await engine.execute(insert.sql, { params: insert.params, context });
  const ambiguous = await engine.query<{ player_lookup: string; team_abbr: string; season_year: number }>(unresolved.sql, { params: unresolved.params, context });
  return {
    added: inserted.rowsAffected ?? 0,
    personIdsFilled: claimed.rowsAffected ?? 0,
    ambiguous: ambiguous.map((row) => ({ playerLookup: row.player_lookup, teamAbbr: row.team_abbr, seasonYear: Number(row.season_year) })),
    withoutTeam,
    lastNameOnly,
  };
}

/** At most this many ambiguous players are named in a note. */
const AMBIGUOUS_SHOWN = 5;

const counted = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

/** What the upkeep did besides adding rows, as note lines of the load summary. */
export function registryNotes(upkeep: RegistryUpkeep): string[] {
  const notes: string[] = [];
  if (upkeep.personIdsFilled > 0) {
    notes.push(`registry: NBA.com person id filled in on ${counted(upkeep.personIdsFilled, "row")} of players first registered without one`);
  }
  if (upkeep.ambiguous.length > 0) {
    const shown = upkeep.ambiguous.slice(0, AMBIGUOUS_SHOWN).map((player) => `${player.playerLookup} (${player.teamAbbr} ${player.seasonYear})`);
    const more = upkeep.ambiguous.length > AMBIGUOUS_SHOWN ? `, and ${upkeep.ambiguous.length - AMBIGUOUS_SHOWN} more` : "";
    notes.push(
      `registry: ${counted(upkeep.ambiguous.length, "player")} not registered: their lookup names several players and the row has no NBA.com person id to tell which: ${shown.join(", ")}${more}`,
    );
  }
  if (upkeep.lastNameOnly > 0) {
    notes.push(`registry: ${counted(upkeep.lastNameOnly, "row")} named by a last name only (as gamebooks list inactive players) not registered: a last name is no player's identity`);
  }
  if (upkeep.withoutTeam > 0) {
    notes.push(`registry: ${counted(upkeep.withoutTeam, "row")} without a team (free agents) not registered: the registry is per team and season`);
  }
  return notes;
}
