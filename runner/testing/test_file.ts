/**
 * A model test file (`definitions/<folder>/<model>.test.yaml`): read, parsed with its positions,
 * and validated with zod. Every problem is reported as `file:line:column: path: reason`, where
 * path is the place in the file (`cases[2].inputs.nbac_schedule[0].game_status`) and the line and
 * column are where that place is written (or the nearest enclosing one that is).
 *
 * The file's shape is checked here; whether its tables, columns and values fit the models is
 * checked against the compiled project (cases.ts), with the same positions.
 */
import fs from "node:fs";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import { z } from "zod";
import { isCalendarDate } from "../dates.ts";
import { formatPath, show, type PathSegment } from "../load/problems.ts";

/** What test files are named: `<model>.test.yaml`, next to the model's .sqlx. */
export const TEST_FILE_SUFFIX = ".test.yaml";

export interface FileProblem {
  /** The place in the file, `cases[0].expect[1].pace`; "" for the file as a whole. */
  path: string;
  line: number | undefined;
  column: number | undefined;
  reason: string;
}

/** One problem per line: `file:line:column: path: reason`. */
export function problemLine(file: string, problem: FileProblem): string {
  const position = problem.line === undefined ? "" : `:${problem.line}:${problem.column ?? 1}`;
  return `${file}${position}: ${problem.path ? `${problem.path}: ` : ""}${problem.reason}`;
}

/** A malformed test file: every problem found in it. */
export class TestFileProblems extends Error {
  constructor(
    readonly file: string,
    readonly problems: FileProblem[],
  ) {
    super(problems.map((problem) => problemLine(file, problem)).join("\n"));
    this.name = "TestFileProblems";
  }
}

/** A cell of an input or expected row: what a YAML scalar can be. */
export type CellValue = string | number | boolean | null;
export type TestRow = Record<string, CellValue>;

const CellSchema = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: (issue) => `expected a value (text, number, true/false or null), got ${show(issue.input)}`,
});
const RowSchema = z.record(z.string(), CellSchema, { error: (issue) => `expected a row (column: value, ...), got ${show(issue.input)}` });
const RowsSchema = z.array(RowSchema, { error: (issue) => `expected a list of rows, got ${show(issue.input)}` });

const DateSchema = z.string({ error: (issue) => `expected a date like 2025-01-15, got ${show(issue.input)}` }).refine(isCalendarDate, {
  error: (issue) => `expected a calendar date YYYY-MM-DD, got ${show(issue.input)}`,
});

/** Var values as YAML gives them (as_of_date: 2025-01-20, boxscore_staleness_days: 7); the compile takes their text. */
const VarsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()], { error: (issue) => `expected a var value, got ${show(issue.input)}` }));

const ToleranceSchema = z.record(
  z.string(),
  z.number({ error: (issue) => `expected a tolerance (a number, e.g. 0.05), got ${show(issue.input)}` }).nonnegative("a tolerance cannot be negative"),
);

const CaseSchema = z.strictObject(
  {
    description: z.string({ error: (issue) => (issue.input === undefined ? "missing: say what the case pins" : `expected text, got ${show(issue.input)}`) }).min(1, "must say what the case pins"),
    comment: z.string().optional(),
    date: DateSchema.optional(),
    vars: VarsSchema.optional(),
    inputs: z.record(z.string(), RowsSchema, { error: (issue) => `expected the input tables (table: [rows]), got ${show(issue.input)}` }).optional(),
    expect: RowsSchema.refine((rows) => rows.every((row) => Object.keys(row).length > 0), "an expected row must list at least one column"),
    tolerance: ToleranceSchema.optional(),
  },
  { error: (issue) => (issue.code === "unrecognized_keys" ? undefined : `expected a case (description, inputs, expect), got ${show(issue.input)}`) },
);

const TestFileSchema = z.strictObject(
  {
    model: z.string({ error: (issue) => (issue.input === undefined ? "missing: the model this file tests" : `expected a model name, got ${show(issue.input)}`) }),
    description: z.string().optional(),
    date: DateSchema.optional(),
    vars: VarsSchema.optional(),
    tolerance: ToleranceSchema.optional(),
    /** Not read: a place for YAML anchors the rows share (`&lal_phi`, then `<<: *lal_phi`). */
    shared: z.unknown().optional(),
    cases: z.array(CaseSchema, { error: (issue) => (issue.input === undefined ? "missing: the list of cases" : `expected a list of cases, got ${show(issue.input)}`) }).min(1, "a test file needs at least one case"),
  },
  { error: (issue) => (issue.code === "unrecognized_keys" ? undefined : `expected a test file (model, date, cases), got ${show(issue.input)}`) },
);

export interface TestCase {
  /** Where the case is in its file: cases[index], at this line. */
  index: number;
  line: number | undefined;
  description: string;
  comment: string | undefined;
  date: string;
  vars: Record<string, string>;
  /** The vars given once for the file. */
  varsFromFile: Set<string>;
  /** Rows by input table as written (a table name or dataset.table). */
  inputs: Record<string, TestRow[]>;
  expect: TestRow[];
  /** Allowed absolute difference per column (the file's, overridden by the case's). */
  tolerance: Record<string, number>;
  /** The columns whose tolerance is the file's. */
  toleranceFromFile: Set<string>;
}

export interface TestFile {
  /** The path as it is shown: relative to the working directory when inside it. */
  file: string;
  model: string;
  description: string | undefined;
  cases: TestCase[];
  /**
   * Line and column of a place in the file, for problems found after parsing: of its value, or
   * with `key` of its key (where an unknown name is written).
   */
  locate: (path: readonly PathSegment[], options?: { key?: boolean }) => { line: number; column: number } | undefined;
}

/** The node at `path`, or the nearest enclosing node that exists (a missing key is reported at its parent). */
function nearestNode(document: Document, path: readonly PathSegment[]): Node | undefined {
  for (let length = path.length; length >= 0; length--) {
    const node = length === 0 ? document.contents : document.getIn(path.slice(0, length), true);
    if (node && (isScalar(node) || isMap(node) || isSeq(node))) return node;
  }
  return undefined;
}

/** The key node of the last segment of `path` when it names a key of a mapping. */
function keyNode(document: Document, path: readonly PathSegment[]): Node | undefined {
  const last = path.at(-1);
  if (typeof last !== "string") return undefined;
  const parent = path.length === 1 ? document.contents : document.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === last);
  return pair && isScalar(pair.key) ? pair.key : undefined;
}

function locator(document: Document, lines: LineCounter): TestFile["locate"] {
  return (path, options = {}) => {
    const node = (options.key ? keyNode(document, path) : undefined) ?? nearestNode(document, path);
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
}

function varText(value: string | number | boolean): string {
  return typeof value === "string" ? value : String(value);
}

/**
 * Reads and validates a test file. Throws TestFileProblems with every problem found: YAML syntax
 * (with the parser's line and column), then the shape (with the path and its position).
 */
export function readTestFile(file: string, shownAs: string = file): TestFile {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TestFileProblems(shownAs, [{ path: "", line: undefined, column: undefined, reason: code === "ENOENT" ? "no such file" : `cannot read it: ${(error as Error).message}` }]);
  }
  const lines = new LineCounter();
  // merge: `<<: *defaults` shares the columns rows have in common.
  const document = parseDocument(text, { lineCounter: lines, merge: true, prettyErrors: false });
  if (document.errors.length > 0) {
    throw new TestFileProblems(
      shownAs,
      document.errors.map((error) => {
        const position = lines.linePos(error.pos[0]);
        return { path: "", line: position.line, column: position.col, reason: `not valid YAML: ${error.message.split("\n")[0] ?? error.message}` };
      }),
    );
  }
  const locate = locator(document, lines);
  const value: unknown = document.toJS({ maxAliasCount: 1000 });
  const parsed = TestFileSchema.safeParse(value ?? {});
  const problems: FileProblem[] = [];
  const add = (path: readonly PathSegment[], reason: string, key = false) =>
    problems.push({ path: formatPath(path), ...positionOf(locate(path, { key })), reason });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== "symbol");
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys) add([...path, key], `unknown field${suggestField(key, path)}`, true);
      } else {
        add(path, issue.message);
      }
    }
    throw new TestFileProblems(shownAs, problems);
  }

  const data = parsed.data;
  const cases = data.cases.map((entry, index): TestCase => {
    const date = entry.date ?? data.date;
    if (date === undefined) add(["cases", index, "date"], "missing: give the run date here or once for the file (date: 2025-01-15)");
    return {
      index,
      line: locate(["cases", index])?.line,
      description: entry.description,
      comment: entry.comment,
      date: date ?? "",
      vars: Object.fromEntries(Object.entries({ ...data.vars, ...entry.vars }).map(([name, given]) => [name, varText(given)])),
      varsFromFile: new Set(Object.keys(data.vars ?? {}).filter((name) => !(name in (entry.vars ?? {})))),
      inputs: entry.inputs ?? {},
      expect: entry.expect,
      tolerance: { ...data.tolerance, ...entry.tolerance },
      toleranceFromFile: new Set(Object.keys(data.tolerance ?? {}).filter((column) => !(column in (entry.tolerance ?? {})))),
    };
  });
  const seen = new Map<string, number>();
  cases.forEach((entry) => {
    const first = seen.get(entry.description);
    if (first !== undefined) add(["cases", entry.index, "description"], `the same as cases[${first}]: give every case its own description`);
    else seen.set(entry.description, entry.index);
  });
  if (problems.length > 0) throw new TestFileProblems(shownAs, problems);
  return { file: shownAs, model: data.model, description: data.description, cases, locate };
}

function positionOf(position: { line: number; column: number } | undefined): Pick<FileProblem, "line" | "column"> {
  return { line: position?.line, column: position?.column };
}

const FILE_FIELDS = ["model", "description", "date", "vars", "tolerance", "shared", "cases"];
const CASE_FIELDS = ["description", "comment", "date", "vars", "inputs", "expect", "tolerance"];

/** "; did you mean expect?" for a misspelt field name. */
function suggestField(key: string, path: readonly PathSegment[]): string {
  const fields = path.length === 0 ? FILE_FIELDS : CASE_FIELDS;
  const closest = closestWord(key, fields);
  return closest ? `; did you mean ${closest}?` : ` (known: ${fields.join(", ")})`;
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The candidate closest to `word` when it is close enough to be a typo (or contains it). */
export function closestWord(word: string, candidates: readonly string[]): string | undefined {
  const wanted = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = wanted.length >= 4 && candidate.includes(wanted) ? 1 : editDistance(wanted, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best === undefined) return undefined;
  return bestDistance <= Math.max(2, Math.floor(0.4 * Math.max(wanted.length, best.length))) ? best : undefined;
}
