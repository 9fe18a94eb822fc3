/** `runner compile`: compile the project in-process for the run dates and show what it contains. */
import { Command } from "commander";
import { z } from "zod";
import { PROJECT_DIR } from "../../compile/compile.ts";
import { WRITE_CODE_CACHE_ENV } from "../../build_cache.ts";
import { ExitCode } from "../../errors.ts";
import type { ProjectGraph } from "../../plan/actions.ts";
import { addDateOptions, addExamples, addProjectOption, compileFor, DateOptionsSchema, datesOrProjectDefaults, parseOptions, ProjectOptionsSchema, type CliIO } from "../options.ts";

const CompileOptionsSchema = z.object({ ...DateOptionsSchema.shape, ...ProjectOptionsSchema.shape, json: z.boolean().optional() });

function summary(graph: ProjectGraph, dates: { start: string; end: string }, coreVersion: string | undefined): string {
  const actions = [...graph.actions.values()];
  const count = (role: string) => actions.filter((action) => action.role === role).length;
  const window = dates.start === dates.end ? dates.start : `${dates.start}..${dates.end}`;
  const lines = [
    `Compiled for ${window} with @dataform/core ${coreVersion ?? "?"}: ` +
      `${count("model")} models, ${count("gate")} gates, ${count("assertion")} assertions, ${graph.declarations.size} sources`,
  ];
  const width = Math.max(...actions.map((action) => action.id.length), ...[...graph.declarations.keys()].map((id) => id.length));
  for (const id of [...graph.declarations.keys()].sort()) lines.push(`  source     ${id.padEnd(width)}`);
  for (const action of actions.sort((a, b) => a.role.localeCompare(b.role) || a.id.localeCompare(b.id))) {
    lines.push(`  ${action.role.padEnd(10)} ${action.id.padEnd(width)}  ${action.fileName}`);
  }
  return lines.join("\n");
}

export function compileCommand(io: CliIO, setExit: (code: number) => void): Command {
  const command = new Command("compile")
    .summary("compile the Dataform project for a date (in-process, no warehouse needed)")
    .description(
      "Compiles definitions/ and includes/ with @dataform/core for the run dates and prints a summary, or the " +
        "compiled graph with --json. Without a date: the game models' default run date, as includes/run_window.js sets it.",
    )
    .option("--json", "print the compiled graph as JSON");
  addDateOptions(command);
  addProjectOption(command);
  addExamples(command, ["runner compile --date 2025-01-15", "runner compile --start-date 2025-01-13 --end-date 2025-01-19 --json > /tmp/graph.json"]);
  return command.action(async (raw: unknown) => {
    const options = parseOptions(CompileOptionsSchema, raw, "compile");
    const dates = datesOrProjectDefaults(options);
    const { compiled, graph } = compileFor(dates, options);
    // npm run build: the compile wrote the core's code cache; the check templates' comes next
    // (imported only then: a compile loads no handlebars).
    if (process.env[WRITE_CODE_CACHE_ENV]) (await import("../../checks/templates.ts")).writeTemplateCache(options.project ?? PROJECT_DIR);
    io.stdout(options.json ? JSON.stringify(compiled, null, 2) : summary(graph, dates, compiled.dataformCoreVersion));
    setExit(ExitCode.success);
  });
}
