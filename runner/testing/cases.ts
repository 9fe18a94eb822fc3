/**
 * A test case against the compiled project: the tables it fills must be tables the model reads,
 * their columns must exist and every value must fit its column's type; the expected columns must
 * be columns the model returns; the vars must be declared vars with allowed values. Each problem
 * is named by its place in the file, with its line and column.
 */
import type { ColumnSpec, ColumnType } from "../engines/engine.ts";
import { formatPath, type PathSegment } from "../load/problems.ts";
import type { Action, ProjectGraph } from "../plan/actions.ts";
import { projectVars } from "../project_vars.ts";
import { closestWord, type FileProblem, type TestCase, type TestFile, type TestRow } from "./test_file.ts";
import { isNumericType, valueProblem } from "./values.ts";

export interface CheckedCase {
  case: TestCase;
  /** Rows by table id (dataset.table). */
  inputs: Map<string, TestRow[]>;
  /** Line of each expected row. */
  expectedLines: (number | undefined)[];
}

export class ProblemCollector {
  readonly problems: FileProblem[] = [];

  constructor(private readonly file: TestFile) {}

  /** A problem at the value of `path`, or with `key` at its key (an unknown name). */
  add(path: readonly PathSegment[], reason: string, key = false): void {
    const position = this.file.locate(path, { key });
    this.problems.push({ path: formatPath(path), line: position?.line, column: position?.column, reason });
  }

  lineOf(path: readonly PathSegment[]): number | undefined {
    return this.file.locate(path)?.line;
  }
}

/** The tables an action's query reads: the models it refs and the declared sources. */
export function readableTables(graph: ProjectGraph, action: Action): string[] {
  const models = action.dependencies.filter((id) => graph.actions.get(id)?.role === "model");
  return [...models, ...action.sources];
}

/** An input table as written (a name, or dataset.name) to its id, among the tables the action reads. */
function resolveTable(written: string, readable: string[]): string | undefined {
  if (readable.includes(written)) return written;
  const byName = readable.filter((id) => id.slice(id.indexOf(".") + 1) === written);
  return byName.length === 1 ? byName[0] : undefined;
}

function checkRow(collector: ProblemCollector, path: readonly PathSegment[], row: TestRow, columns: Map<string, ColumnType>, table: string): void {
  for (const [column, value] of Object.entries(row)) {
    const type = columns.get(column);
    if (type === undefined) {
      const closest = closestWord(column, [...columns.keys()]);
      collector.add([...path, column], `${table} has no column ${column}${closest ? `; did you mean ${closest}?` : ""}`, true);
      continue;
    }
    const problem = valueProblem(type, value);
    if (problem) collector.add([...path, column], problem);
  }
}

/** Checks the vars of a case against includes/vars.js; false when one is wrong. */
export function checkVars(collector: ProblemCollector, projectDir: string, entry: TestCase): boolean {
  const before = collector.problems.length;
  const vars = projectVars(projectDir);
  const settable = vars.declared.filter((declared) => !("setBy" in declared && declared.setBy)).map((declared) => declared.name);
  const given: Record<string, string> = {};
  const pathOf = (name: string) => (entry.varsFromFile.has(name) ? ["vars", name] : ["cases", entry.index, "vars", name]);
  for (const [name, value] of Object.entries(entry.vars)) {
    const path = pathOf(name);
    if (!vars.declared.some((declared) => declared.name === name)) {
      const closest = vars.closestName(name, settable);
      collector.add(path, `unknown var${closest ? `; did you mean ${closest}?` : ""} (declared in includes/vars.js: ${settable.join(", ")})`, true);
    } else if (!settable.includes(name)) {
      collector.add(path, "set by the date field of the case or the file, not by vars", true);
    } else {
      given[name] = value;
    }
  }
  const parsed = vars.schema.safeParse(given);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? "");
      collector.add(pathOf(name), `${given[name] ?? ""}: ${issue.message}`);
    }
  }
  return collector.problems.length === before;
}

/** Checks one case against the compiled project and the tables made for its action. */
export function checkCase(
  collector: ProblemCollector,
  options: {
    graph: ProjectGraph;
    action: Action;
    entry: TestCase;
    outputColumns: ColumnSpec[];
    tableColumns: (id: string) => ColumnSpec[] | undefined;
  },
): CheckedCase {
  const { graph, action, entry } = options;
  const readable = readableTables(graph, action);
  const inputs = new Map<string, TestRow[]>();
  for (const [written, rows] of Object.entries(entry.inputs)) {
    const path = ["cases", entry.index, "inputs", written];
    const id = resolveTable(written, readable);
    if (id === undefined) {
      collector.add(path, `${action.name} does not read ${written}; it reads ${readable.join(", ")}`, true);
      continue;
    }
    if (inputs.has(id)) {
      collector.add(path, `${id} is given twice in this case`, true);
      continue;
    }
    const columns = new Map((options.tableColumns(id) ?? []).map((column) => [column.name, column.type]));
    rows.forEach((row, index) => checkRow(collector, [...path, index], row, columns, id));
    inputs.set(id, rows);
  }
  const output = new Map(options.outputColumns.map((column) => [column.name, column.type]));
  entry.expect.forEach((row, index) => checkRow(collector, ["cases", entry.index, "expect", index], row, output, action.name));
  for (const [column, tolerance] of Object.entries(entry.tolerance)) {
    const type = output.get(column);
    const path = entry.toleranceFromFile.has(column) ? ["tolerance", column] : ["cases", entry.index, "tolerance", column];
    // A tolerance of the file is checked once, with the first case.
    if (entry.toleranceFromFile.has(column) && entry.index > 0) continue;
    if (type === undefined) collector.add(path, `${action.name} has no column ${column}`, true);
    else if (!isNumericType(type)) collector.add(path, `${column} is ${type}: a tolerance (${tolerance}) applies to numbers only`, true);
  }
  const expectedLines = entry.expect.map((_, index) => collector.lineOf(["cases", entry.index, "expect", index]));
  return { case: entry, inputs, expectedLines };
}
