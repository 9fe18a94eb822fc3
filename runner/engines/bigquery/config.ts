/**
 * The BigQuery target's settings: one zod schema, filled from (later wins) dataform.json
 * (defaultDatabase, defaultLocation), the `bigquery` section of runner.config.json, environment
 * variables and command-line flags. A bad value is reported as `path: message (from SOURCE)`.
 *
 * Credentials are Application Default Credentials. An endpoint that is not Google's (an emulator,
 * the tests' fake) gets no credentials at all unless `auth: "adc"` says otherwise, so the client
 * never waits on a cloud metadata server that is not there.
 */
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { BadInputError } from "../../errors.ts";
import { DEFAULT_DELIVERIES_TABLE, DEFAULT_LEDGER_TABLE, FOREIGN_TABLES, TABLE_NAME, runnerTables, suffixedDataset, type RunnerTables } from "../runner_tables.ts";

export const CONFIG_FILE = "runner.config.json";
/** Environment variable naming another config file. */
export const CONFIG_FILE_ENV = "RUNNER_CONFIG";

/** Environment variable -> setting. The client itself also reads BIGQUERY_EMULATOR_HOST. */
export const ENV_SETTINGS = {
  BIGQUERY_PROJECT: "project",
  BIGQUERY_LOCATION: "location",
  RUNNER_BIGQUERY_API_ENDPOINT: "apiEndpoint",
  RUNNER_BIGQUERY_AUTH: "auth",
  RUNNER_BIGQUERY_STAGING_DATASET: "stagingDataset",
  RUNNER_BIGQUERY_STAGING_EXPIRATION_HOURS: "stagingExpirationHours",
  RUNNER_BIGQUERY_MAXIMUM_BYTES_BILLED: "maximumBytesBilled",
  RUNNER_BIGQUERY_MAX_BYTES_ESTIMATE: "maxBytesEstimate",
  RUNNER_BIGQUERY_JOB_TIMEOUT_MS: "jobTimeoutMs",
  RUNNER_BIGQUERY_REQUEST_TIMEOUT_MS: "requestTimeoutMs",
  RUNNER_BIGQUERY_RETRY_MAX_ATTEMPTS: "retry.maxAttempts",
  RUNNER_BIGQUERY_RETRY_INITIAL_DELAY_MS: "retry.initialDelayMs",
  RUNNER_BIGQUERY_RETRY_MAX_DELAY_MS: "retry.maxDelayMs",
  RUNNER_BIGQUERY_LEDGER_TABLE: "ledgerTable",
  RUNNER_BIGQUERY_DELIVERIES_TABLE: "deliveriesTable",
} as const;

export const EMULATOR_HOST_ENV = "BIGQUERY_EMULATOR_HOST";

const UNITS: Record<string, number> = {
  "": 1,
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  PB: 1e15,
  KIB: 2 ** 10,
  MIB: 2 ** 20,
  GIB: 2 ** 30,
  TIB: 2 ** 40,
  PIB: 2 ** 50,
};

/** "10737418240", "10GB", "1.5 TiB" -> bytes; undefined when the text is not a size. */
export function parseByteSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMGTP]I?B|B)?\s*$/i.exec(text);
  if (!match) return undefined;
  const factor = UNITS[(match[2] ?? "").toUpperCase()];
  return factor === undefined ? undefined : Math.round(Number(match[1]) * factor);
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** Numbers arrive as strings from the environment and flags. */
const integer = (minimum: number) =>
  z.preprocess(
    (value) => (typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value),
    z.number({ error: "expected a whole number" }).int().min(minimum),
  );

const byteCount = z.preprocess(
  (value) => (typeof value === "string" ? (parseByteSize(value) ?? value) : value),
  z.number({ error: "expected a number of bytes, e.g. 10737418240 or 10GB" }).int().positive(),
);

const LABEL = /^[\p{Ll}\p{Lo}0-9_-]{0,63}$/u;

/**
 * The lowest maximumBytesBilled that lets a job run: on-demand BigQuery bills at least 10 MB per
 * table a query references (https://cloud.google.com/bigquery/pricing#on_demand_pricing), so a
 * ceiling below it fails every job that reads a table with bytesBilledLimitExceeded.
 */
export const MIN_MAXIMUM_BYTES_BILLED = 10 * 2 ** 20;

/** A runner-owned table: `dataset.table`, and never the original platform's (runner_tables.ts). */
const runnerTableName = z
  .string()
  .regex(TABLE_NAME, "expected dataset.table (letters, digits and underscores)")
  .refine((name) => !FOREIGN_TABLES.has(name), {
    error: (issue) => `${String(issue.input)} is ${FOREIGN_TABLES.get(String(issue.input)) ?? "not the runner's"}: name a table of the runner's own`,
  });

export const BigQueryConfigSchema = z.strictObject({
  /** The project jobs run (and are billed) in. */
  project: z
    .string({ error: "required: set BIGQUERY_PROJECT, bigquery.project in runner.config.json, or defaultDatabase in dataform.json" })
    .regex(/^[a-z0-9][a-z0-9.:-]{3,61}[a-z0-9]$/, "not a Google Cloud project id (lowercase letters, digits, hyphens)"),
  /** Where jobs run and datasets are created: US, EU, us-central1... */
  location: z.string({ error: "required: set BIGQUERY_LOCATION, bigquery.location, or defaultLocation in dataform.json" }).min(1),
  /** Scratch dataset for staging tables; its tables expire on their own. */
  stagingDataset: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,1024}$/, "a dataset name has only letters, digits and underscores")
    .default("runner_staging"),
  /** Default table expiration of the staging dataset, set when the runner creates it. */
  stagingExpirationHours: integer(1).default(24),
  /** Per-job ceiling: a job that would bill more fails instead of running. */
  maximumBytesBilled: byteCount
    .pipe(
      z
        .number()
        .min(MIN_MAXIMUM_BYTES_BILLED, `must be at least 10 MiB (${MIN_MAXIMUM_BYTES_BILLED} bytes): BigQuery bills at least 10 MB per table a query reads, so a lower ceiling fails every job`),
    )
    .optional(),
  /** Budget for a `--dry-run` estimate: above it the run is refused. */
  maxBytesEstimate: byteCount.optional(),
  /** A job not done in this time is cancelled and counts as a transient failure. */
  jobTimeoutMs: integer(1000).default(300_000),
  /** Timeout of one HTTP request to the API. */
  requestTimeoutMs: integer(1000).default(60_000),
  /** The run ledger (runner/ledger/ledger.ts): a table of the runner's own. */
  ledgerTable: runnerTableName.default(DEFAULT_LEDGER_TABLE),
  /** The record of push deliveries (runner/server/deliveries.ts): a table of the runner's own. */
  deliveriesTable: runnerTableName.default(DEFAULT_DELIVERIES_TABLE),
  /** Extra labels on every job (run_id, action and game_date are added by the runner). */
  labels: z
    .record(
      z.string().regex(/^\p{Ll}[\p{Ll}\p{Lo}0-9_-]{0,62}$/u, "label keys: lowercase letter first, then lowercase letters, digits, _ or -, at most 63"),
      z.string().regex(LABEL, "label values: lowercase letters, digits, _ or -, at most 63"),
    )
    .default({}),
  /** Another API endpoint (an emulator or a test fake), e.g. http://127.0.0.1:9050. */
  apiEndpoint: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }).optional(),
  /** "adc": Application Default Credentials; "none": no credentials (emulators). Default: by endpoint. */
  auth: z.enum(["adc", "none"]).optional(),
  retry: z
    .strictObject({
      maxAttempts: integer(1).pipe(z.number().max(20)).default(5),
      initialDelayMs: integer(0).default(1000),
      maxDelayMs: integer(0).default(32_000),
    })
    .prefault({}),
});

export type BigQueryConfig = z.output<typeof BigQueryConfigSchema>;

/** The settings the engine runs with: the config plus what follows from it. */
export interface BigQuerySettings extends BigQueryConfig {
  /** The project the datasets live in: what the compiled SQL names (dataform.json defaultDatabase). */
  dataProject: string;
  /** The endpoint in effect (config, else BIGQUERY_EMULATOR_HOST), undefined for Google's. */
  endpoint: string | undefined;
  /** Whether requests carry Application Default Credentials. */
  useCredentials: boolean;
  /** --schema-suffix in effect: the staging dataset and the runner's tables carry it (stagingDataset is already suffixed). */
  schemaSuffix: string | undefined;
  /** The runner's own tables (ledger, deliveries), suffixed. */
  runnerTables: RunnerTables;
}

const ConfigFileSchema = z.looseObject({
  bigquery: z.record(z.string(), z.unknown()).optional(),
});

type Values = Record<string, unknown>;

interface Source {
  name: string;
  values: Values;
}

function setPath(target: Values, dotted: string, value: unknown): void {
  const [head, ...rest] = dotted.split(".");
  if (!head) return;
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const child = typeof target[head] === "object" && target[head] !== null ? (target[head] as Values) : {};
  target[head] = child;
  setPath(child, rest.join("."), value);
}

function merge(base: Values, over: Values): Values {
  const result: Values = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const current = result[key];
    const bothObjects = [current, value].every((item) => typeof item === "object" && item !== null && !Array.isArray(item));
    result[key] = bothObjects && key !== "labels" ? merge(current as Values, value as Values) : value;
  }
  return result;
}

function has(values: Values, keys: PropertyKey[]): boolean {
  let current: unknown = values;
  for (const key of keys) {
    if (typeof current !== "object" || current === null || !(String(key) in current)) return false;
    current = (current as Values)[String(key)];
  }
  return true;
}

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new BadInputError("invalid_config", `cannot read ${what} ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** dataform.json's defaultDatabase and defaultLocation; --default-database replaces the first, as in Dataform. */
function projectDefaults(projectDir: string, defaultDatabase: string | undefined): { source: Source; dataProject: string | undefined } {
  const file = path.join(projectDir, "dataform.json");
  const parsed = fs.existsSync(file)
    ? z.looseObject({ defaultDatabase: z.string().optional(), defaultLocation: z.string().optional() }).safeParse(readJson(file, "project config"))
    : undefined;
  const config = parsed?.success ? parsed.data : {};
  const dataProject = defaultDatabase ?? config.defaultDatabase;
  return {
    source: { name: defaultDatabase ? "--default-database" : "dataform.json", values: { project: dataProject, location: config.defaultLocation } },
    dataProject,
  };
}

function fileValues(projectDir: string, env: NodeJS.ProcessEnv): Source | undefined {
  const explicit = env[CONFIG_FILE_ENV];
  const file = explicit ? path.resolve(explicit) : path.join(projectDir, CONFIG_FILE);
  if (!fs.existsSync(file)) {
    if (explicit) throw new BadInputError("invalid_config", `${CONFIG_FILE_ENV} names ${file}, which does not exist`);
    return undefined;
  }
  const parsed = ConfigFileSchema.safeParse(readJson(file, "runner config"));
  if (!parsed.success) {
    throw new BadInputError("invalid_config", `${file}:\n  ${issueLines(parsed.error.issues).join("\n  ")}`);
  }
  return { name: path.basename(file), values: parsed.data.bigquery ?? {} };
}

function envValues(env: NodeJS.ProcessEnv): Source {
  const values: Values = {};
  for (const [variable, setting] of Object.entries(ENV_SETTINGS)) {
    const value = env[variable];
    if (value !== undefined && value !== "") setPath(values, setting, value);
  }
  return { name: "environment", values };
}

function issueLines(issues: z.core.$ZodIssue[], origin?: (keys: PropertyKey[]) => string | undefined): string[] {
  const line = (keys: PropertyKey[], message: string) => {
    const from = origin?.(keys);
    return `${keys.map(String).join(".") || "(config)"}: ${message}${from ? ` (from ${from})` : ""}`;
  };
  return issues.flatMap((issue) => {
    // A typo'd setting: name it, and say where it was written.
    if (issue.code === "unrecognized_keys") return issue.keys.map((key) => line([...issue.path, key], "not a setting"));
    // A bad record key: zod's own text ("Invalid key in record") hides the rule that was broken.
    if (issue.code === "invalid_key") return [line(issue.path, issue.issues.map((inner) => inner.message).join("; "))];
    return [line(issue.path, issue.message)];
  });
}

function isGoogleEndpoint(endpoint: string): boolean {
  try {
    const host = new URL(/^[a-z]+:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`).hostname;
    return host === "googleapis.com" || host.endsWith(".googleapis.com");
  } catch {
    return false;
  }
}

export interface LoadConfigOptions {
  /** The Dataform project (dataform.json, runner.config.json). */
  projectDir: string;
  env?: NodeJS.ProcessEnv;
  /** Command-line flags, highest precedence. */
  flags?: Partial<Record<keyof BigQueryConfig, unknown>>;
  /**
   * Dataform's --schema-suffix and --default-database (dev isolation): the project the tables
   * live in (and, unless configured, the jobs run in) becomes --default-database; the staging
   * dataset and the runner's own tables get `_<suffix>`, as the compiled models' datasets do.
   */
  overrides?: { schemaSuffix?: string | undefined; defaultDatabase?: string | undefined };
}

/** Reads, merges and validates the BigQuery settings; a BadInputError lists every problem. */
export function loadBigQueryConfig(options: LoadConfigOptions): BigQuerySettings {
  const env = options.env ?? process.env;
  const defaults = projectDefaults(options.projectDir, options.overrides?.defaultDatabase || undefined);
  const flags = Object.fromEntries(Object.entries(options.flags ?? {}).filter(([, value]) => value !== undefined));
  const sources = [
    defaults.source,
    fileValues(options.projectDir, env),
    envValues(env),
    { name: "command line", values: flags },
  ].filter((source): source is Source => source !== undefined);

  const merged = sources.reduce<Values>((result, source) => merge(result, source.values), {});
  const parsed = BigQueryConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const origin = (keys: PropertyKey[]) => sources.findLast((source) => has(source.values, keys))?.name;
    throw new BadInputError("invalid_config", `invalid BigQuery settings:\n  ${issueLines(parsed.error.issues, origin).join("\n  ")}`, {
      suggestion: `Settings come from dataform.json, ${CONFIG_FILE} ("bigquery" section), BIGQUERY_* / RUNNER_BIGQUERY_* variables and flags.`,
    });
  }
  const config = parsed.data;
  const endpoint = config.apiEndpoint ?? (env[EMULATOR_HOST_ENV] || undefined);
  const useCredentials = config.auth ? config.auth === "adc" : endpoint === undefined || isGoogleEndpoint(endpoint);
  const schemaSuffix = options.overrides?.schemaSuffix || undefined;
  return {
    ...config,
    stagingDataset: suffixedDataset(config.stagingDataset, schemaSuffix),
    dataProject: defaults.dataProject ?? config.project,
    endpoint,
    useCredentials,
    schemaSuffix,
    runnerTables: runnerTables({ ledger: config.ledgerTable, deliveries: config.deliveriesTable, schemaSuffix }),
  };
}
