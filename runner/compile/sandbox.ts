/**
 * A CommonJS module system inside a fresh `node:vm` context, the environment @dataform/core
 * expects: project files (definitions/, includes/, dataform.json) are `require`d by path relative
 * to the project root, every file goes through the core's own `compiler` (SQLX -> JavaScript), and
 * `@dataform/core` itself resolves to the bundle installed with the runner.
 *
 * The official CLI does the same with vm2 in a worker process; a fresh context per compile gives
 * us the same isolation (includes and definitions set globals) in-process, without a worker.
 */
import { Console } from "node:console";
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";

const MODULE_PARAMETERS = ["exports", "require", "module", "__filename", "__dirname"];
/** Extensions tried, in order, for a `require` without one (as Node and the official CLI do). */
const IMPLICIT_EXTENSIONS = ["", ".js", ".json"];
/** Node built-ins project code may use: path only, like the official CLI's sandbox. */
const ALLOWED_BUILTINS: Record<string, unknown> = { path };

type Compiler = (code: string, filename: string) => string;

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

  private load(filename: string): unknown {
    const cached = this.modules.get(filename);
    if (cached) return cached.exports;

    const module: SandboxModule = { exports: {} };
    this.modules.set(filename, module);
    try {
      const source = fs.readFileSync(filename, "utf8");
      if (filename.endsWith(".json")) {
        module.exports = JSON.parse(source);
        return module.exports;
      }
      const code = filename === this.coreBundlePath ? source : this.compiler(source, filename);
      const wrapper = vm.compileFunction(code, MODULE_PARAMETERS, { filename, parsingContext: this.context });
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
