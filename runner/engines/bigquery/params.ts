/**
 * The engine's typed query parameters as the BigQuery client wants them: values plus explicit
 * types, so that NULLs and empty arrays keep their type. Dates go through `BigQuery.date()` and
 * timestamps through `BigQuery.timestamp()`: the client sends a plain string typed DATE as NULL.
 * Also the job labels (run_id, action, game_date), cleaned to BigQuery's label rules.
 */
import { BigQuery, type BigQueryDate, type BigQueryTimestamp } from "@google-cloud/bigquery";
import type { QueryParam, QueryParams, StatementContext } from "../engine.ts";

export type ClientValue = string | number | boolean | null | BigQueryDate | BigQueryTimestamp | ClientValue[];
/** The client's type descriptor: a type name, or `[element]` for an array. */
export type ClientType = string | string[];

export interface ClientParams {
  params: Record<string, ClientValue>;
  types: Record<string, ClientType>;
}

function clientParam(param: QueryParam): { value: ClientValue; type: ClientType } {
  switch (param.type) {
    case "STRING":
    case "BOOL":
    case "FLOAT64":
      return { value: param.value, type: param.type };
    case "INT64":
      // Sent as a string: BigQuery reads INT64 values as decimal strings, and no float rounding sneaks in.
      return { value: param.value === null ? null : String(Math.trunc(param.value)), type: "INT64" };
    case "DATE":
      return { value: param.value === null ? null : BigQuery.date(param.value), type: "DATE" };
    case "TIMESTAMP":
      return { value: param.value === null ? null : BigQuery.timestamp(param.value), type: "TIMESTAMP" };
    case "ARRAY<STRING>":
      return { value: [...param.value], type: ["STRING"] };
    case "ARRAY<DATE>":
      return { value: param.value.map((date) => BigQuery.date(date)), type: ["DATE"] };
  }
}

/** The `params` and `types` of a client query, or undefined for a statement without parameters. */
export function toClientParams(params: QueryParams | undefined): ClientParams | undefined {
  if (!params || Object.keys(params).length === 0) return undefined;
  const result: ClientParams = { params: {}, types: {} };
  for (const [name, param] of Object.entries(params)) {
    const { value, type } = clientParam(param);
    result.params[name] = value;
    result.types[name] = type;
  }
  return result;
}

const LABEL_MAX = 63;

/**
 * A label key or value as BigQuery accepts it: lowercase letters, digits, `_` and `-`, at most 63
 * characters (keys must also start with a letter). Anything else becomes `_`.
 */
export function labelValue(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, "_")
    .slice(0, LABEL_MAX);
}

export function labelKey(text: string): string {
  const cleaned = labelValue(text);
  return /^[a-z]/.test(cleaned) ? cleaned : `l_${cleaned}`.slice(0, LABEL_MAX);
}

/** The labels of a job: the configured ones plus run_id, action and game_date when known. */
export function jobLabels(configured: Record<string, string>, context: StatementContext | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(configured)) labels[labelKey(key)] = labelValue(value);
  if (context?.runId) labels.run_id = labelValue(context.runId);
  if (context?.action) labels.action = labelValue(context.action);
  if (context?.gameDate) labels.game_date = labelValue(context.gameDate);
  return labels;
}
