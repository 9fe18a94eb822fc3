/** `runner plan`: the actions a run would execute, level by level, without touching a warehouse. */
import { Command, Option } from "commander";
import { z } from "zod";
import { ExitCode } from "../../errors.ts";
import { plan } from "../../plan/plan.ts";
import { planToJson, planToMermaid, planToText } from "../../plan/render.ts";
import {
  addDateOptions,
  addExamples,
  addProjectOption,
  addSelectionOptions,
  compileFor,
  datesOrProjectDefaults,
  selectionFrom,
  DateOptionsSchema,
  parseOptions,
  ProjectOptionsSchema,
  SelectionOptionsSchema,
  type CliIO,
} from "../options.ts";

const PLAN_FORMATS = ["text", "json", "mermaid"] as const;

const PlanOptionsSchema = z.object({
  ...DateOptionsSchema.shape,
  ...ProjectOptionsSchema.shape,
  ...SelectionOptionsSchema.shape,
  json: z.boolean().optional(),
  format: z.enum(PLAN_FORMATS),
});

export function planCommand(io: CliIO, setExit: (code: number) => void): Command {
  const command = new Command("plan")
    .summary("show the execution levels for a date")
    .description(
      "Compiles the project and orders the selected actions into levels from their dependencies: an action runs " +
        "after everything it depends on. Gates upstream of a selected model and the model's own assertions are " +
        "always included.",
    )
    .addOption(new Option("--format <format>", "output format").choices(PLAN_FORMATS).default("text"))
    .option("--json", "same as --format json");
  addDateOptions(command);
  addSelectionOptions(command);
  addProjectOption(command);
  addExamples(command, [
    "runner plan --date 2025-01-15",
    "runner plan --date 2025-01-15 --actions player_game_summary --include-deps",
    "runner plan --date 2025-01-15 --format mermaid > /tmp/plan.mmd",
  ]);
  return command.action((raw: unknown) => {
    const options = parseOptions(PlanOptionsSchema, raw, "plan");
    const dates = datesOrProjectDefaults(options);
    const { graph } = compileFor(dates, options);
    const result = plan(graph, selectionFrom(options));
    const format = options.json ? "json" : options.format;
    if (format === "json") io.stdout(JSON.stringify(planToJson(result, dates), null, 2));
    else if (format === "mermaid") io.stdout(planToMermaid(result, dates));
    else io.stdout(planToText(result, dates));
    setExit(ExitCode.success);
  });
}
