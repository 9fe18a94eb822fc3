/**
 * In-process compilation of the Dataform project with @dataform/core: list the project files,
 * encode a CoreExecutionRequest with the run dates as vars, call the core's `main` inside a
 * sandbox, decode the CoreExecutionResponse and validate the compiled graph.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BadInputError } from "../errors.ts";
import type { RunDates } from "../dates.ts";
import { assertValidVars, projectVars, type VarSource } from "../project_vars.ts";
import { CompiledGraphSchema, type CompiledGraph, type CompilationErrorDetail } from "./graph.ts";
import { loadCoreProtos } from "./protos.ts";
import { WRITE_CODE_CACHE_ENV } from "../build_cache.ts";
import { DataformSandbox, writeCoreCodeCache, writeProjectFilesCache } from "./sandbox.ts";

/**
 * The repository root: where dataform.json, definitions/ and includes/ live. Found by walking up
 * from this module, which runs from runner/compile/ (sources) or dist/ (bundle).
 */
export const PROJECT_DIR = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "dataform.json"))) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

/** Folders @dataform/core reads: it requires top-level includes/*.js and every definitions/ file. */
const PROJECT_SOURCE_FOLDERS = ["definitions", "includes"];

export interface CompileOptions {
  projectDir?: string;
  dates: Pick<RunDates, "start" | "end">;
  /** Extra compilation vars (e.g. threshold overrides); start_date/end_date come from `dates`. */
  vars?: Record<string, string>;
  /** Dataform's --schema-suffix / --default-database (dev isolation), passed to the core as the official CLI does. */
  overrides?: ProjectOverrides;
  /** The @dataform/core package to compile with (its folder): the one installed with the runner unless said. */
  corePackageDir?: string;
}

/**
 * What Dataform's `--schema-suffix` and `--default-database` override in dataform.json, the way
 * the official CLI passes them (projectConfigOverride). The core applies them: every action of
 * the project (models, gates, assertions) gets `<schema>_<suffix>` and, without a database of its
 * own, the default database; a declaration (the raw sources) keeps its schema, but its database
 * too is the default database unless it names one.
 */
export interface ProjectOverrides {
  schemaSuffix?: string | undefined;
  defaultDatabase?: string | undefined;
}

export class CompilationError extends BadInputError {
  /** One "file:line: message" per distinct error. */
  readonly lines: string[];

  constructor(lines: string[]) {
    // Errors in files that failed to evaluate come first; unresolved refs elsewhere follow from them.
    const ordered = [...lines].sort((a, b) => Number(isConsequence(a)) - Number(isConsequence(b)));
    const [first, ...rest] = ordered;
    const more = rest.length > 0 ? `\n${rest.map((line) => `  ${line}`).join("\n")}` : "";
    super("compilation_failed", `compilation failed: ${first}${more}`, {
      suggestion: "Fix the files above; `npx dataform compile` shows the same errors.",
    });
    this.lines = ordered;
  }
}

function isConsequence(line: string): boolean {
  return /: (Could not resolve|Missing dependency detected)/.test(line);
}

function coreBundlePath(corePackageDir?: string): { bundle: string; packageDir: string } {
  const packageDir = corePackageDir ?? path.dirname(createRequire(import.meta.url).resolve("@dataform/core/package.json"));
  return { bundle: path.join(packageDir, "bundle.js"), packageDir };
}

/** Project files relative to the root with "/" separators, sorted, as the core expects. */
export function listProjectFiles(projectDir: string): string[] {
  const files: string[] = [];
  for (const folder of PROJECT_SOURCE_FOLDERS) {
    const root = path.join(projectDir, folder);
    if (!fs.existsSync(root)) continue;
    for (const entry of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const absolute = path.join(entry.parentPath, entry.name);
      files.push(path.relative(projectDir, absolute).split(path.sep).join("/"));
    }
  }
  return files.sort();
}

function readProjectConfig(projectDir: string): unknown {
  const file = path.join(projectDir, "dataform.json");
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new BadInputError("invalid_project", `cannot read ${file}: ${(error as Error).message}`, {
      suggestion: "Run the runner from the repository, or point --project at a Dataform project.",
      cause: error,
    });
  }
}

/**
 * "file:line: message" for an error thrown while evaluating a project file. V8 reports lines of
 * the JavaScript the core generated from a SQLX file; the generated line's text is looked up in
 * the SQLX source (nearest occurrence at or before it) to name the line the person edits.
 */
function describeCompilationError(detail: CompilationErrorDetail, projectDir: string, compile: (code: string, file: string) => string): string {
  const message = detail.message.split("\n")[0] ?? detail.message;
  if (!detail.fileName) return `(project): ${message}`;
  const file = path.join(projectDir, detail.fileName);
  const generatedLine = Number(detail.stack?.match(new RegExp(`${escapeRegExp(file)}:(\\d+)`))?.[1] ?? Number.NaN);
  if (!Number.isInteger(generatedLine)) return `${detail.fileName}: ${message}`;
  let line = generatedLine;
  if (file.endsWith(".sqlx") && fs.existsSync(file)) {
    const source = fs.readFileSync(file, "utf8");
    const text = compile(source, file).split("\n")[generatedLine - 1]?.trim();
    const matches = source.split("\n").flatMap((sourceLine, index) => (sourceLine.trim() === text ? [index + 1] : []));
    const before = matches.filter((candidate) => candidate <= generatedLine);
    line = before.at(-1) ?? matches[0] ?? generatedLine;
  }
  return `${detail.fileName}:${line}: ${message}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The default vars of dataform.json (start_date/end_date for compile and plan without dates). */
export function projectDefaultVars(projectDir: string): Record<string, string> {
  const config = readProjectConfig(projectDir) as { vars?: Record<string, string> };
  return config.vars ?? {};
}

const DATAFORM_JSON_VARS: VarSource = { name: (name) => `dataform.json vars.${name}`, value: (name, text) => `dataform.json vars.${name}=${text}` };
const COMPILE_VARS: VarSource = { name: (name) => `var ${name}`, value: (name, text) => `var ${name}=${text}` };

export function compileProject(options: CompileOptions): CompiledGraph {
  const projectDir = fs.realpathSync(options.projectDir ?? PROJECT_DIR);
  const { bundle, packageDir } = coreBundlePath(options.corePackageDir);
  const protos = loadCoreProtos(packageDir);
  const config = readProjectConfig(projectDir) as { vars?: Record<string, string> };
  // The vars are checked against includes/vars.js before Dataform evaluates a file, so a bad one is
  // named as the person wrote it (the CLI has already named its --var flags), not by a .sqlx line.
  const declared = projectVars(projectDir);
  assertValidVars(declared, config.vars ?? {}, DATAFORM_JSON_VARS);
  assertValidVars(declared, options.vars ?? {}, COMPILE_VARS);

  const sandbox = new DataformSandbox(projectDir, bundle);
  sandbox.setGlobal("dataformJson", config);
  const request = protos.CoreExecutionRequest.encode(
    protos.CoreExecutionRequest.fromObject({
      compile: {
        compileConfig: {
          projectDir,
          filePaths: listProjectFiles(projectDir),
          projectConfigOverride: {
            vars: { ...options.vars, start_date: options.dates.start, end_date: options.dates.end },
            ...(options.overrides?.schemaSuffix ? { schemaSuffix: options.overrides.schemaSuffix } : {}),
            ...(options.overrides?.defaultDatabase ? { defaultDatabase: options.overrides.defaultDatabase } : {}),
          },
        },
      },
    }),
  ).finish();

  let responseBytes: Uint8Array;
  try {
    responseBytes = new Uint8Array(sandbox.requireCore().main(sandbox.toSandboxBytes(request)));
  } catch (error) {
    // The core reports per-file errors in graphErrors; what escapes is a project-level failure.
    throw new CompilationError([`(project): ${(error as Error).message.split("\n")[0]}`]);
  }
  if (process.env[WRITE_CODE_CACHE_ENV]) {
    writeCoreCodeCache(bundle);
    writeProjectFilesCache(bundle);
  }
  const response = protos.CoreExecutionResponse.toObject(protos.CoreExecutionResponse.decode(responseBytes), {
    enums: String,
    longs: String,
    arrays: true,
  }) as { compile?: { compiledGraph?: unknown } };

  const parsed = CompiledGraphSchema.safeParse(response.compile?.compiledGraph ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new BadInputError("invalid_compiled_graph", `the compiled graph is not what the runner expects:\n  ${problems.join("\n  ")}`, {
      suggestion: "Check that @dataform/core matches the version pinned in package.json (npm ci).",
    });
  }
  const graph = parsed.data;
  const errors = graph.graphErrors.compilationErrors;
  if (errors.length > 0) {
    const compiler = sandbox.requireCore().compiler;
    throw new CompilationError([...new Set(errors.map((detail) => describeCompilationError(detail, projectDir, compiler)))]);
  }
  return graph;
}
