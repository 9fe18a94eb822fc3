/** `runner test`: the model tests written next to the models (definitions/<folder>/<model>.test.yaml). */
import { Command } from "commander";
import { z } from "zod";
import { fileLines, resultJson, summaryLines } from "../../testing/report.ts";
import { runModelTests } from "../../testing/run.ts";
import { addExamples, parseOptions, type CliIO } from "../options.ts";

const TestOptionsSchema = z.object({ json: z.boolean().optional() });

export function testCommand(io: CliIO, setExit: (code: number) => void): Command {
  const command = new Command("test")
    .summary("run the model tests: hand-written input rows -> expected output rows, per model")
    .description(
      "Runs the model tests written next to the models, definitions/<folder>/<model>.test.yaml. For each case the " +
        "project is compiled in-process for the case's date; an in-memory DuckDB gets every raw table, " +
        "nba_orchestration.held_back_games and every model table upstream, all empty (a model table takes its column " +
        "types from the model's own query), then the case's input rows (columns not given are NULL). The model's " +
        "compiled query runs and its rows are compared with the expected ones: order does not matter, only the columns " +
        "an expected row lists are compared, numbers exactly unless the case gives a tolerance for the column. No " +
        "warehouse file is opened.\n\n" +
        "Exit codes: 0 every case passed; 1 a case failed (its differences are printed: rows that differ, column by " +
        "column, rows missing, rows extra); 2 a malformed test file (every problem as file:line:column: path: reason; " +
        "its cases do not run), or an unknown model.",
    )
    .argument("[models...]", "models (or gates) to test, by the name of their <name>.test.yaml, or test file paths; none: every test file")
    .option("--json", "print the results as one JSON document");
  command.addHelpText(
    "after",
    "\nA test file:\n" +
      "  model: team_offense_game_summary\n" +
      "  date: 2025-01-15                      # the run date of every case (a case may set its own)\n" +
      "  shared:                               # not read: YAML anchors the rows share (<<: *game)\n" +
      "    game: &game {game_id: 20250115_LAL_PHI, game_date: 2025-01-15}\n" +
      "  cases:\n" +
      "    - description: possessions and pace of an overtime game\n" +
      "      vars: {as_of_date: 2025-01-16}    # optional compilation vars (as_of_date: the date by default)\n" +
      "      inputs:                           # rows per table the model reads\n" +
      "        team_game_boxscore:\n" +
      "          - {<<: *game, team_abbr: LAL, fg_attempts: 80, ...}   # columns not given are NULL\n" +
      "      tolerance: {pace: 0.05}           # optional, per column\n" +
      "      expect:                           # the rows it must return, only the columns listed;\n" +
      "                                        # say in a comment how you computed each value\n" +
      "        - {team_abbr: LAL, possessions: 90, pace: 82.1}",
  );
  addExamples(command, [
    "runner test                           # every model",
    "runner test player_game_summary",
    "runner test definitions/analytics/player_game_summary.test.yaml --json",
  ]);
  return command.action(async (models: string[], raw: unknown) => {
    const options = parseOptions(TestOptionsSchema, raw, "test");
    const result = await runModelTests({
      selectors: models,
      onFile: options.json ? undefined : (file) => fileLines(file).forEach((line) => io.stdout(line)),
    });
    if (options.json) io.stdout(JSON.stringify(resultJson(result), null, 2));
    else summaryLines(result).forEach((line) => io.stdout(line));
    setExit(result.exitCode);
  });
}
