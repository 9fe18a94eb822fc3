// The compilation vars of the project, declared once: the only list of the names a run may set,
// with their kind, allowed range, default and meaning. Dataform's own compile reads vars through
// the readers below (number, date, boolean), so a bad value fails GCP Dataform's compile with a
// clear message; the runner builds its --var validation and its --help from the same list
// (runner/project_vars.ts). Vars reach the project as strings: "80", "2025-01-16", "true".

const constants = require("./constants");

/** A day counted back from today, in words: "today", "yesterday", "3 days before today". */
function daysBeforeTodayText(days) {
  if (days === 0) return "today";
  if (days === 1) return "yesterday";
  return `${days} days before today`;
}

/**
 * kind: date (a calendar date YYYY-MM-DD) | number | boolean ("true" / "false").
 * range (numbers): { min, max, integer }, inclusive.
 * default: the value when the var is not set; null when there is no fixed one (defaultText says
 * what applies instead).
 * setBy: set by the runner from its own flags, never by --var (the run dates; unset under a
 * scheduled GCP Dataform workflow, where includes/run_window.js gives each model kind its default).
 */
const VARS = [
  {
    name: "start_date",
    kind: "date",
    default: null,
    defaultText: `by model kind (includes/run_window.js): ${daysBeforeTodayText(constants.RUN_WINDOW_DAYS_BEFORE_TODAY.game)} in ${constants.SCHEDULE_TIMEZONE} for the game models, ${daysBeforeTodayText(constants.RUN_WINDOW_DAYS_BEFORE_TODAY.upcoming)} for the upcoming-context models`,
    setBy: "--date or --start-date",
    description: "first run date, inclusive: every model and gate is scoped to the run dates (give both start_date and end_date, or neither)",
  },
  {
    name: "end_date",
    kind: "date",
    default: null,
    defaultText: "as start_date",
    setBy: "--date or --end-date",
    description: "last run date, inclusive",
  },
  {
    name: "as_of_date",
    kind: "date",
    default: null,
    defaultText: `today in ${constants.SCHEDULE_TIMEZONE}`,
    description: "the day the gates measure a run date's age from (boxscore_staleness_days)",
  },
  {
    name: "boxscore_coverage_min_pct",
    kind: "number",
    range: { min: 0, max: 100, integer: false },
    default: constants.BOXSCORE_COVERAGE_MIN_PCT,
    description: "boxscores_complete lets a date through once this percentage of its expected games is complete",
  },
  {
    name: "boxscore_staleness_days",
    kind: "number",
    range: { min: 0, max: 365, integer: true },
    default: constants.BOXSCORE_STALENESS_DAYS,
    description: "the gates let a date through, whatever is missing, once it is this many days old (before as_of_date)",
  },
  {
    name: "report_gate_bypasses",
    kind: "boolean",
    default: false,
    description:
      "when true, gates also return the games their staleness or coverage rule lets through, marked in bypassed_by; the runner always sets it",
  },
];

const BY_NAME = new Map(VARS.map((declared) => [declared.name, declared]));

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const NUMBER_PATTERN = /^\d+(\.\d+)?$/;
const INTEGER_PATTERN = /^\d+$/;

/** A real calendar date YYYY-MM-DD (2025-02-30 is not one). */
function isCalendarDate(value) {
  if (!DATE_PATTERN.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

/** What a value of the var may be, e.g. "a number from 0 to 100". */
function allowed(declared) {
  if (declared.kind === "date") return "a calendar date YYYY-MM-DD";
  if (declared.kind === "boolean") return "true or false";
  const { min, max, integer } = declared.range;
  return `${integer ? "a whole number" : "a number"} from ${min} to ${max}`;
}

/** The value of a var from its text, or undefined when the text is not allowed. */
function parse(declared, text) {
  if (typeof text !== "string") return undefined;
  if (declared.kind === "date") return isCalendarDate(text) ? text : undefined;
  if (declared.kind === "boolean") return text === "true" ? true : text === "false" ? false : undefined;
  const { min, max, integer } = declared.range;
  if (!(integer ? INTEGER_PATTERN : NUMBER_PATTERN).test(text)) return undefined;
  const number = Number(text);
  return number >= min && number <= max ? number : undefined;
}

/** Levenshtein distance between two names. */
function editDistance(a, b) {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The declared name closest to an unknown one, when it is close enough to be a typo; else undefined. */
function closestName(name, candidates = VARS.map((declared) => declared.name)) {
  const wanted = name.toLowerCase();
  let best;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    // A name that is part of a declared one (as_of for as_of_date) counts as one edit.
    const distance = wanted.length >= 3 && candidate.includes(wanted) ? 1 : editDistance(wanted, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best === undefined) return undefined;
  return bestDistance <= Math.max(2, Math.floor(0.4 * Math.max(wanted.length, best.length))) ? best : undefined;
}

function unknownVarMessage(name) {
  const closest = closestName(name);
  const hint = closest ? `; did you mean ${closest}?` : "";
  return `var ${name}: unknown var${hint} (declared in includes/vars.js: ${VARS.map((declared) => declared.name).join(", ")})`;
}

/** The vars of the compilation (dataform.json vars with the overrides of the run). */
function projectVars() {
  return dataform.projectConfig.vars || {};
}

/** Reads a declared var of `kind`: its value, the default when unset, or a compile error naming the var. */
function read(name, kind) {
  const declared = BY_NAME.get(name);
  if (!declared) throw new Error(`var ${name} is not declared in includes/vars.js`);
  if (declared.kind !== kind) throw new Error(`var ${name} is a ${declared.kind}, read as a ${kind}`);
  const values = projectVars();
  for (const given of Object.keys(values)) {
    if (!BY_NAME.has(given)) throw new Error(unknownVarMessage(given));
  }
  const text = values[name];
  if (text === undefined) return declared.default;
  const value = parse(declared, text);
  if (value === undefined) throw new Error(`var ${name}=${text}: must be ${allowed(declared)} (includes/vars.js)`);
  return value;
}

/** A number var: its value, or its default. */
function number(name) {
  return read(name, "number");
}

/** A date var: "YYYY-MM-DD", or its default (null when it has none). */
function date(name) {
  return read(name, "date");
}

/** A boolean var: true or false. */
function boolean(name) {
  return read(name, "boolean");
}

module.exports = { VARS, allowed, parse, closestName, number, date, boolean, daysBeforeTodayText };
