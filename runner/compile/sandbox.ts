/**
 * A CommonJS module system inside a fresh `node:vm` context, the environment @dataform/core
 * expects: project files (definitions/, includes/, dataform.json) are `require`d by path relative
 * to the project root, every file goes through the core's own `compiler` (SQLX -> JavaScript), and
 * `@dataform/core` itself resolves to the bundle installed with the runner.
 *
 * The official CLI does the same with vm2 in a worker process; a fresh context per compile gives
 * us the same isolation (includes and definitions set globals) in-process, without a worker.
 *
 * What does not change between the compiles of one process (a range run compiles once per date,
 * `serve` once per delivery) is kept: the core bundle compiled by V8, and per project file its
 * JavaScript (the core's compiler output for SQLX) and V8's code cache for it. Each compile still
 * evaluates every file afresh in its own context; a file is read and compiled again when its size
 * or modification time changes.
 *
 * Across processes, what the build's compile made is kept (npm run build; WRITE_CODE_CACHE_ENV):
 * V8's code cache of the core bundle (codeCacheFile below) spares a cold process most of parsing
 * and compiling the core's 770 KB, and the project files' JavaScript and V8 code caches
 * (projectFilesCacheFile) the core's compiler on every file whose text has not changed since.
 */
import { Console } from "node:console";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { buildCacheFile, replaceBuildCacheFile, WRITE_CODE_CACHE_ENV } from "../build_cache.ts";

const MODULE_PARAMETERS = ["exports", "require", "module", "__filename", "__dirname"];
/** Extensions tried, in order, for a `require` without one (as Node and the official CLI do). */
const IMPLICIT_EXTENSIONS = ["", ".js", ".json"];
/** Node built-ins project code may use: path only, like the official CLI's sandbox. */
const ALLOWED_BUILTINS: Record<string, unknown> = { path };

type Compiler = (code: string, filename: string) => string;

interface CompiledFile {
  mtimeMs: number;
  size: number;
  /** A hash of the file's text, which the project files' cache is checked against. */
  sha256: string;
  /** JavaScript: the file itself, or what the core's compiler made of its SQLX. */
  code: string;
  /** V8's code cache for `code`, once produced. */
  cachedData?: Buffer;
}

/** Per core bundle, per project file: what a compile of this process already made of it. */
const compiledFiles = new Map<string, Map<string, CompiledFile>>();
/** The core bundle compiled once per process (a Script runs in any context), and where its caches live. */
const coreScripts = new Map<string, { script: vm.Script; cacheFile: string; filesCacheFile: string }>();

/** A project file as the build's compile left it (projectFilesCacheFile). */
interface StoredFile {
  sha256: string;
  code: string;
  /** V8's code cache for `code`, base64. */
  cachedData?: string;
}
/** Per core bundle: the project files' cache, read on the first file a process compiles (empty without one). */
const storedFiles = new Map<string, Map<string, StoredFile>>();
/** Per core bundle: how many project files came from the cache and how many the core compiled (tests). */
const fileSources = new Map<string, { stored: number; compiled: number }>();

/** The key of what a core bundle makes: a hash of its text and Node's version and architecture. */
function coreKey(source: string): string {
  return createHash("sha256").update(`${process.version} ${process.arch}\n`).update(source).digest("hex").slice(0, 20);
}

function nodeModulesOf(coreBundlePath: string): string {
  return path.join(path.dirname(coreBundlePath), "..", "..");
}

function coreCacheFile(coreBundlePath: string, key: string): string {
  return buildCacheFile(nodeModulesOf(coreBundlePath), `dataform-core-${key}.v8`);
}

function filesCacheFileOf(coreBundlePath: string, key: string): string {
  return buildCacheFile(nodeModulesOf(coreBundlePath), `project-files-${key}.json`);
}

/**
 * node_modules/.cache/nba-phase3-runner/dataform-core-<key>.v8 (coreKey). V8 rejects a cache of
 * another V8 or other flags, but of the source it checks only the length: a changed bundle must not
 * find the old file. No file, or one V8 rejects, only costs the time it would have saved.
 */
export function codeCacheFile(coreBundlePath: string, source: string): string {
  return coreCacheFile(coreBundlePath, coreKey(source));
}

/**
 * node_modules/.cache/nba-phase3-runner/project-files-<key>.json, the key the core's (its compiler
 * made the JavaScript, this V8 the code caches): per project file, a hash of its text, its
 * JavaScript and V8's code cache for it. A file is taken from it only when its text hashes the
 * same, so an edit since the build is compiled as before.
 */
export function projectFilesCacheFile(coreBundlePath: string, source: string): string {
  return filesCacheFileOf(coreBundlePath, coreKey(source));
}

/** Writes the code cache of the core bundle this process compiled, replacing older ones; the file written. */
export function writeCoreCodeCache(coreBundlePath: string): string | undefined {
  const core = coreScripts.get(coreBundlePath);
  if (!core) return undefined;
  replaceBuildCacheFile(core.cacheFile, "dataform-core-", core.script.createCachedData());
  return core.cacheFile;
}

/** Writes what this process made of the project files it compiled with the core bundle, replacing older versions; the file written. */
export function writeProjectFilesCache(coreBundlePath: string): string | undefined {
  const core = coreScripts.get(coreBundlePath);
  const files = compiledFiles.get(coreBundlePath);
  if (!core || !files) return undefined;
  const stored: Record<string, StoredFile> = {};
  for (const [filename, file] of files) {
    stored[filename] = { sha256: file.sha256, code: file.code, ...(file.cachedData ? { cachedData: file.cachedData.toString("base64") } : {}) };
  }
  replaceBuildCacheFile(core.filesCacheFile, "project-files-", JSON.stringify(stored));
  return core.filesCacheFile;
}

/** How many project files this process took from the build's cache and how many the core compiled, with this core bundle (tests). */
export function projectFilesCacheUse(coreBundlePath: string): { stored: number; compiled: number } {
  return { ...(fileSources.get(coreBundlePath) ?? { stored: 0, compiled: 0 }) };
}

/** The project files' cache of the core bundle, read once per process; empty when there is none, or it is being rewritten. */
function storedFilesOf(coreBundlePath: string, filesCacheFile: string): Map<string, StoredFile> {
  let stored = storedFiles.get(coreBundlePath);
  if (!stored) {
    stored = new Map();
    if (!process.env[WRITE_CODE_CACHE_ENV]) {
      try {
        for (const [filename, file] of Object.entries(JSON.parse(fs.readFileSync(filesCacheFile, "utf8")) as Record<string, StoredFile>)) stored.set(filename, file);
      } catch {
        // No cache, or an unreadable one: every file is compiled.
      }
    }
    storedFiles.set(coreBundlePath, stored);
  }
  return stored;
}

/** Whether this process's core bundle came with a code cache V8 took (tests; undefined before it loads). */
export function coreCodeCacheUse(coreBundlePath: string): "accepted" | "rejected" | "none" | undefined {
  const core = coreScripts.get(coreBundlePath);
  if (!core) return undefined;
  // V8 sets cachedDataRejected only on a Script that was given cachedData.
  if (core.script.cachedDataRejected === undefined) return "none";
  return core.script.cachedDataRejected ? "rejected" : "accepted";
}

function readCodeCache(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

interface SandboxModule {
  exports: unknown;
}

export class ModuleNotFoundError extends Error {
  constructor(request: string, fromFile: string) {
    super(`Cannot find module '${request}' required from ${fromFile}`);
    this.name = "ModuleNotFoundError";
  }
}

export class DataformSandbox {
  private readonly context: vm.Context;
  private readonly modules = new Map<string, SandboxModule>();
  private readonly compiler: Compiler;

  constructor(
    private readonly projectDir: string,
    private readonly coreBundlePath: string,
  ) {
    // Project code may log; stdout is reserved for the runner's results, so its console writes to stderr.
    this.context = vm.createContext({ console: new Console({ stdout: process.stderr, stderr: process.stderr }) });
    vm.runInContext("globalThis.global = globalThis;", this.context);
    const core = this.requireCore();
    this.compiler = core.compiler;
  }

  /** The core's exports (`main`, `compiler`, `version`...), evaluated inside the sandbox. */
  requireCore(): { main: (request: Uint8Array) => Uint8Array; compiler: Compiler; version: string } {
    return this.load(this.coreBundlePath) as ReturnType<DataformSandbox["requireCore"]>;
  }

  /**
   * Bytes as the sandbox's own Uint8Array: the core (protobufjs) checks `instanceof Uint8Array`
   * against its realm's constructor, which a host array fails.
   */
  toSandboxBytes(bytes: Uint8Array): Uint8Array {
    const SandboxUint8Array = vm.runInContext("Uint8Array", this.context) as Uint8ArrayConstructor;
    return new SandboxUint8Array(bytes);
  }

  /** Sets a global visible to all code in the sandbox. */
  setGlobal(name: string, value: unknown): void {
    (this.context as Record<string, unknown>)[name] = value;
  }

  private resolve(request: string, fromFile: string): string | { builtin: unknown } {
    if (request === "@dataform/core") return this.coreBundlePath;
    if (Object.hasOwn(ALLOWED_BUILTINS, request)) return { builtin: ALLOWED_BUILTINS[request] };
    const base = request.startsWith("./") || request.startsWith("../") ? path.dirname(fromFile) : this.projectDir;
    const candidate = path.resolve(base, request);
    if (!candidate.startsWith(this.projectDir + path.sep)) throw new ModuleNotFoundError(request, fromFile);
    for (const extension of IMPLICIT_EXTENSIONS) {
      const file = candidate + extension;
      if (fs.existsSync(file) && fs.statSync(file).isFile()) return file;
    }
    throw new ModuleNotFoundError(request, fromFile);
  }

  /** The core bundle's module function, in this sandbox's context. */
  private coreWrapper(): (...args: unknown[]) => void {
    let core = coreScripts.get(this.coreBundlePath);
    if (!core) {
      const source = fs.readFileSync(this.coreBundlePath, "utf8");
      const key = coreKey(source);
      const cacheFile = coreCacheFile(this.coreBundlePath, key);
      const filesCacheFile = filesCacheFileOf(this.coreBundlePath, key);
      const cachedData = process.env[WRITE_CODE_CACHE_ENV] ? undefined : readCodeCache(cacheFile);
      // One line of wrapper: the bundle's own lines keep their numbers in stack traces.
      const script = new vm.Script(`(function (${MODULE_PARAMETERS.join(", ")}) {${source}\n})`, {
        filename: this.coreBundlePath,
        ...(cachedData ? { cachedData } : {}),
      });
      core = { script, cacheFile, filesCacheFile };
      coreScripts.set(this.coreBundlePath, core);
    }
    return core.script.runInContext(this.context) as (...args: unknown[]) => void;
  }

  /** A project file's module function, in this sandbox's context, from what earlier compiles made of it. */
  private projectWrapper(filename: string): (...args: unknown[]) => void {
    let files = compiledFiles.get(this.coreBundlePath);
    if (!files) compiledFiles.set(this.coreBundlePath, (files = new Map()));
    const { mtimeMs, size } = fs.statSync(filename);
    let file = files.get(filename);
    if (!file || file.mtimeMs !== mtimeMs || file.size !== size) {
      file = this.compileFile(filename, mtimeMs, size);
      files.set(filename, file);
    }
    const wrapper = vm.compileFunction(file.code, MODULE_PARAMETERS, {
      filename,
      parsingContext: this.context,
      ...(file.cachedData ? { cachedData: file.cachedData } : { produceCachedData: true }),
    }) as ((...args: unknown[]) => void) & { cachedData?: Buffer; cachedDataRejected?: boolean };
    if (!file.cachedData && wrapper.cachedData) file.cachedData = wrapper.cachedData;
    else if (wrapper.cachedDataRejected) delete file.cachedData;
    return wrapper;
  }

  /** A project file's JavaScript: from the build's cache when its text is the one cached, else from the core's compiler. */
  private compileFile(filename: string, mtimeMs: number, size: number): CompiledFile {
    const text = fs.readFileSync(filename, "utf8");
    const sha256 = createHash("sha256").update(text).digest("hex");
    const core = coreScripts.get(this.coreBundlePath);
    const stored = core ? storedFilesOf(this.coreBundlePath, core.filesCacheFile).get(filename) : undefined;
    const counts = fileSources.get(this.coreBundlePath) ?? { stored: 0, compiled: 0 };
    fileSources.set(this.coreBundlePath, counts);
    if (stored && stored.sha256 === sha256) {
      counts.stored++;
      return { mtimeMs, size, sha256, code: stored.code, ...(stored.cachedData ? { cachedData: Buffer.from(stored.cachedData, "base64") } : {}) };
    }
    counts.compiled++;
    return { mtimeMs, size, sha256, code: this.compiler(text, filename) };
  }

  private load(filename: string): unknown {
    const cached = this.modules.get(filename);
    if (cached) return cached.exports;

    const module: SandboxModule = { exports: {} };
    this.modules.set(filename, module);
    try {
      if (filename.endsWith(".json")) {
        module.exports = JSON.parse(fs.readFileSync(filename, "utf8"));
        return module.exports;
      }
      const wrapper = filename === this.coreBundlePath ? this.coreWrapper() : this.projectWrapper(filename);
      const requireFromHere = (request: string): unknown => {
        const resolved = this.resolve(request, filename);
        return typeof resolved === "string" ? this.load(resolved) : resolved.builtin;
      };
      wrapper.call(module.exports, module.exports, requireFromHere, module, filename, path.dirname(filename));
      return module.exports;
    } catch (error) {
      this.modules.delete(filename);
      throw error;
    }
  }
}
