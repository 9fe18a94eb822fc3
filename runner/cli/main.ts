/**
 * The `runner` command line. Commands report an exit code; only this entry point (through
 * bin/runner.js) ends the process. Errors become one line on stderr, with the suggestion when
 * there is one, and the exit code of their kind (DESIGN section 6).
 */
import { Command, CommanderError } from "commander";
import { describeError, ExitCode, RunnerError } from "../errors.ts";
import { openEngine } from "../engines/open.ts";
import type { Engine } from "../engines/engine.ts";
import type { CliIO, WarehouseOptions } from "./options.ts";
// Bundled into dist/ by esbuild; read in place from the sources.
import packageJson from "../../package.json" with { type: "json" };

type CommandFactory = (io: CliIO, setExit: (code: number) => void, open: (options: WarehouseOptions) => Promise<Engine>) => Command;

/**
 * Every command, loaded on demand: a command only pays for the modules it uses (compile and plan
 * never load DuckDB, handlebars or the BigQuery client). The order is the order of --help.
 */
const COMMANDS: Record<string, () => Promise<CommandFactory>> = {
  compile: async () => (await import("./commands/compile.ts")).compileCommand,
  plan: async () => (await import("./commands/plan.ts")).planCommand,
  load: async () => (await import("./commands/load.ts")).loadCommand,
  seed: async () => (await import("./commands/seed.ts")).seedCommand,
  run: async () => (await import("./commands/run.ts")).runCommand,
  verify: async () => (await import("./commands/verify.ts")).verifyCommand,
  quarantine: async () => (await import("./commands/quarantine.ts")).quarantineCommand,
  serve: async () => (await import("./commands/serve.ts")).serveCommand,
  test: async () => (await import("./commands/test.ts")).testCommand,
};

export const defaultIO: CliIO = {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  terminal: process.stderr.isTTY ? { write: (text) => process.stderr.write(text), columns: () => process.stderr.columns } : undefined,
};

export async function main(argv: string[], io: CliIO = defaultIO): Promise<number> {
  let exitCode: number = ExitCode.success;
  const setExit = (code: number) => {
    exitCode = code;
  };
  const program = new Command("runner")
    .description(
      "Compile, plan and run the NBA Phase 3 analytics models (Dataform SQLX) with readiness gates, staged writes and checks.\n" +
        "Exit codes: 0 success, 1 data failure, 2 bad input, 75 not ready (retry later).",
    )
    .version(packageJson.version, "-V, --version", "print the runner's version")
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout(text.trimEnd()), writeErr: (text) => io.stderr(text.trimEnd()) })
    .showHelpAfterError("(add --help for usage)");
  const requested = argv[2];
  const names = requested !== undefined && Object.hasOwn(COMMANDS, requested) ? [requested] : Object.keys(COMMANDS);
  const commands = await Promise.all(names.map(async (name) => (await (COMMANDS[name] as () => Promise<CommandFactory>)())(io, setExit, openEngine)));
  for (const command of commands) {
    program.addCommand(command.exitOverride());
  }

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; everything else commander rejects is bad input.
      return error.exitCode === 0 ? ExitCode.success : ExitCode.badInput;
    }
    io.stderr(`error: ${describeError(error)}`);
    if (error instanceof RunnerError) return error.exitCode;
    if (error instanceof Error && error.stack && process.env.RUNNER_DEBUG) io.stderr(error.stack);
    return ExitCode.dataFailure;
  }
}
