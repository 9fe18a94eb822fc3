/**
 * The `runner` command line. Commands report an exit code; only this entry point (through
 * bin/runner.js) ends the process. Errors become one line on stderr, with the suggestion when
 * there is one, and the exit code of their kind (DESIGN section 6).
 */
import { Command, CommanderError } from "commander";
import { describeError, ExitCode, RunnerError } from "../errors.ts";
import { compileCommand } from "./commands/compile.ts";
import { planCommand } from "./commands/plan.ts";
import { runCommand } from "./commands/run.ts";
import { verifyCommand } from "./commands/verify.ts";
import { quarantineCommand } from "./commands/quarantine.ts";
import { loadCommand } from "./commands/load.ts";
import { seedCommand } from "./commands/seed.ts";
import { openEngine } from "../engines/open.ts";
import type { CliIO } from "./options.ts";

export const defaultIO: CliIO = {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  interactive: Boolean(process.stderr.isTTY),
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
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout(text.trimEnd()), writeErr: (text) => io.stderr(text.trimEnd()) })
    .showHelpAfterError("(add --help for usage)");
  const commands = [
    compileCommand(io, setExit),
    planCommand(io, setExit),
    loadCommand(io, setExit, openEngine),
    seedCommand(io, setExit, openEngine),
    runCommand(io, setExit, openEngine),
    verifyCommand(io, setExit, openEngine),
    quarantineCommand(io, setExit, openEngine),
  ];
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
