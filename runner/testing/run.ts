/**
 * `runner test`: finds the model test files, compiles the project in-process for each case's run
 * date, fills an in-memory DuckDB with the case's rows, runs the model's compiled query (the
 * full-refresh query, as the action holds it) and compares what it returns with the expected
 * rows. A malformed file is reported with every problem and its cases are not run; the other
 * files still run.
 */
import fs from "node:fs";
import path from "node:path";
import { compileProject, PROJECT_DIR } from "../compile/compile.ts";
import type { ColumnSpec } from "../engines/engine.ts";
import { BadInputError, ExitCode, RunnerError, describeError } from "../errors.ts";
import { buildProjectGraph, type Action, type ProjectGraph } from "../plan/actions.ts";
import { checkCase, checkVars, ProblemCollector, type CheckedCase } from "./cases.ts";
import { compareRows, type Comparison } from "./compare.ts";
import { closestWord, problemLine, readTestFile, TEST_FILE_SUFFIX, TestFileProblems, type TestFile } from "./test_file.ts";
import { TestWarehouse } from "./warehouse.ts";

/** Where test files live: next to the models, under definitions/. */
const DEFINITIONS = "definitions";

export type CaseStatus = "passed" | "failed" | "error";

export interface CaseResult {
  index: number;
  line: number | undefined;
  description: string;
  status: CaseStatus;
  milliseconds: number;
  comparison?: Comparison;
  /** Why the case could not run to a comparison (the model's SQL failed). */
  error?: string;
}

export interface FileResult {
  file: string;
  model: string;
  milliseconds: number;
  /** Every problem of a malformed file, `file:line:column: path: reason`; its cases did not run. */
  problems: string[];
  cases: CaseResult[];
}

export interface TestRunResult {
  files: FileResult[];
  passed: number;
  failed: number;
  malformedFiles: number;
  /** Opening the in-memory warehouse and creating the declared tables, once. */
  setupMilliseconds: number;
  milliseconds: number;
  exitCode: ExitCode;
}

export interface TestRunOptions {
  projectDir?: string;
  /** Model names or test file paths; none: every test file under definitions/. */
  selectors?: string[];
  /** Called with each file's result as soon as it is known. */
  onFile?: (result: FileResult) => void;
}

/** A path as a person sees it: relative to the working directory when under it. */
function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/** Every test file of the project. */
export function findTestFiles(projectDir: string): string[] {
  return walk(path.join(projectDir, DEFINITIONS)).filter((file) => file.endsWith(TEST_FILE_SUFFIX));
}

function modelOfFileName(file: string): string | undefined {
  const base = path.basename(file);
  return base.endsWith(TEST_FILE_SUFFIX) ? base.slice(0, -TEST_FILE_SUFFIX.length) : undefined;
}

function looksLikeFile(selector: string): boolean {
  return /\.ya?ml$/.test(selector) || selector.includes("/") || selector.includes(path.sep);
}

/** The test files the selectors name; an unknown model is bad input with the closest name suggested. */
export function selectTestFiles(projectDir: string, selectors: string[]): string[] {
  const files = findTestFiles(projectDir);
  if (selectors.length === 0) {
    if (files.length === 0) {
      throw new BadInputError("no_model_tests", `no model test files under ${path.join(projectDir, DEFINITIONS)}`, {
        suggestion: `Write one next to a model: definitions/analytics/<model>${TEST_FILE_SUFFIX} (README, Model tests).`,
      });
    }
    return files;
  }
  const byModel = new Map(files.map((file) => [modelOfFileName(file) ?? file, file]));
  const definitions = walk(path.join(projectDir, DEFINITIONS)).filter((file) => /\.(sqlx|js)$/.test(file));
  const selected: string[] = [];
  for (const selector of selectors) {
    if (looksLikeFile(selector)) {
      const file = path.resolve(selector);
      if (!fs.existsSync(file)) throw new BadInputError("no_such_test_file", `${selector}: no such file`);
      selected.push(file);
      continue;
    }
    const name = selector.includes(".") ? selector.slice(selector.lastIndexOf(".") + 1) : selector;
    const file = byModel.get(name);
    if (file) {
      selected.push(file);
      continue;
    }
    const definition = definitions.find((candidate) => path.basename(candidate).replace(/\.(sqlx|js)$/, "") === name);
    if (definition) {
      const wanted = path.join(path.dirname(definition), `${name}${TEST_FILE_SUFFIX}`);
      throw new BadInputError("no_model_test_file", `${name} has no test file yet`, {
        suggestion: `Create ${shown(wanted)} (README, Model tests).`,
      });
    }
    const known = [...byModel.keys()].sort();
    const closest = closestWord(name, known);
    throw new BadInputError("unknown_model", `unknown model ${name}${closest ? `; did you mean ${closest}?` : ""}`, {
      suggestion: `Models with tests: ${known.join(", ")}.`,
    });
  }
  return [...new Set(selected)];
}

/** Compiles once per run date and vars. */
class Compiler {
  private readonly graphs = new Map<string, ProjectGraph>();

  constructor(private readonly projectDir: string) {}

  graph(date: string, vars: Record<string, string>): ProjectGraph {
    // Tests are deterministic: staleness is measured from the run date itself unless the case says otherwise.
    const withDefaults = { as_of_date: date, ...vars };
    const key = JSON.stringify([date, Object.entries(withDefaults).sort()]);
    let graph = this.graphs.get(key);
    if (!graph) {
      graph = buildProjectGraph(compileProject({ projectDir: this.projectDir, dates: { start: date, end: date }, vars: withDefaults }));
      this.graphs.set(key, graph);
    }
    return graph;
  }
}

function findAction(graph: ProjectGraph, name: string): Action | undefined {
  return [...graph.actions.values()].find((action) => (action.role === "model" || action.role === "gate") && (action.name === name || action.id === name));
}

function testableNames(graph: ProjectGraph): string[] {
  return [...graph.actions.values()].filter((action) => action.role === "model" || action.role === "gate").map((action) => action.name);
}

interface PreparedCase {
  checked: CheckedCase;
  action: Action;
  outputColumns: ColumnSpec[];
}

async function runFile(file: TestFile, absolute: string, compiler: Compiler, warehouse: TestWarehouse, projectDir: string): Promise<FileResult> {
  const started = performance.now();
  const result: FileResult = { file: file.file, model: file.model, milliseconds: 0, problems: [], cases: [] };
  const finish = () => {
    result.milliseconds = performance.now() - started;
    return result;
  };
  const collector = new ProblemCollector(file);
  const named = modelOfFileName(absolute);
  if (named !== undefined && named !== file.model) collector.add(["model"], `is ${file.model}, but the file is named for ${named}: name it ${file.model}${TEST_FILE_SUFFIX}`);

  const prepared: PreparedCase[] = [];
  for (const entry of file.cases) {
    // Vars are checked before they reach the compile, so a bad one is named by its place in the
    // file; the rest of the case is still checked, against the project compiled without them.
    const varsValid = checkVars(collector, projectDir, entry);
    const graph = compiler.graph(entry.date, varsValid ? entry.vars : {});
    const action = findAction(graph, file.model);
    if (!action) {
      const closest = closestWord(file.model, testableNames(graph));
      collector.add(["model"], `no model named ${file.model}${closest ? `; did you mean ${closest}?` : ""}`);
      break;
    }
    let outputColumns: ColumnSpec[];
    try {
      outputColumns = await warehouse.prepare(graph, action);
    } catch (error) {
      if (!(error instanceof RunnerError) || error.exitCode !== ExitCode.dataFailure) throw error;
      // The model's SQL fails even on empty tables: every case of the file fails with it.
      result.cases = file.cases.map((each) => ({ index: each.index, line: each.line, description: each.description, status: "error", milliseconds: 0, error: describeError(error) }));
      return finish();
    }
    const checked = checkCase(collector, { graph, action, entry, outputColumns, tableColumns: (id) => warehouse.columnsOf(id) });
    prepared.push({ checked, action, outputColumns });
  }
  if (collector.problems.length > 0) {
    // A problem of the file's own vars is found once per case: reported once.
    result.problems = [...new Set(collector.problems.map((problem) => problemLine(file.file, problem)))];
    return finish();
  }

  for (const { checked, action, outputColumns } of prepared) {
    const caseStarted = performance.now();
    const entry = checked.case;
    const base = { index: entry.index, line: entry.line, description: entry.description };
    try {
      await warehouse.load(checked.inputs);
      const actual = await warehouse.run(action);
      const comparison = compareRows({
        expected: entry.expect,
        expectedLines: checked.expectedLines,
        actual,
        columns: outputColumns,
        keyColumns: action.uniqueKey,
        tolerance: entry.tolerance,
      });
      result.cases.push({ ...base, status: comparison.passed ? "passed" : "failed", milliseconds: performance.now() - caseStarted, comparison });
    } catch (error) {
      if (!(error instanceof RunnerError) || error.exitCode !== ExitCode.dataFailure) throw error;
      result.cases.push({ ...base, status: "error", milliseconds: performance.now() - caseStarted, error: describeError(error) });
    }
  }
  return finish();
}

/** Runs the selected test files; the exit code is 2 if a file is malformed, else 1 if a case failed, else 0. */
export async function runModelTests(options: TestRunOptions = {}): Promise<TestRunResult> {
  const started = performance.now();
  const projectDir = options.projectDir ?? PROJECT_DIR;
  const files = selectTestFiles(projectDir, options.selectors ?? []);
  const compiler = new Compiler(projectDir);
  const warehouse = await TestWarehouse.open();
  const setupMilliseconds = performance.now() - started;
  const results: FileResult[] = [];
  try {
    for (const absolute of files) {
      let result: FileResult;
      const fileStarted = performance.now();
      try {
        result = await runFile(readTestFile(absolute, shown(absolute)), absolute, compiler, warehouse, projectDir);
      } catch (error) {
        if (!(error instanceof TestFileProblems)) throw error;
        result = {
          file: error.file,
          model: modelOfFileName(absolute) ?? "?",
          milliseconds: performance.now() - fileStarted,
          problems: error.problems.map((problem) => problemLine(error.file, problem)),
          cases: [],
        };
      }
      results.push(result);
      options.onFile?.(result);
    }
  } finally {
    await warehouse.close();
  }
  const cases = results.flatMap((result) => result.cases);
  const passed = cases.filter((entry) => entry.status === "passed").length;
  const failed = cases.length - passed;
  const malformedFiles = results.filter((result) => result.problems.length > 0).length;
  const exitCode = malformedFiles > 0 ? ExitCode.badInput : failed > 0 ? ExitCode.dataFailure : ExitCode.success;
  return { files: results, passed, failed, malformedFiles, setupMilliseconds, milliseconds: performance.now() - started, exitCode };
}
