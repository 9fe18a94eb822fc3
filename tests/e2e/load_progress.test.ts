/**
 * `runner load` of several files reports each file as its writing starts (k/N), on a real DuckDB
 * file with the real fixtures: off a terminal as one JSON line per file, before the files' rows are
 * all in (the terminal's live line is runner/cli/progress.test.ts's).
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadCommand } from "../../runner/cli/commands/load.ts";
import type { CliIO } from "../../runner/cli/options.ts";
import { openDuckDBEngine } from "../../runner/engines/duckdb/engine.ts";
import { FIXTURES } from "../fixtures_dir.ts";
import { tempDir } from "../helpers.ts";

const FILES = [
  "nbac_gamebook_20240410_MEMCLE.json",
  "nbac_gamebook_20211008_MILBKN.json",
  "bdl_box_scores_2024-01-15.json",
  // A reference table, replaced whole: its rows still name the file.
  "nba_static_travel_distances.csv",
].map((name) => path.join(FIXTURES, name));

describe("runner load progress", () => {
  it("logs reading, then writing <file> (k/N) once per file in order, then each file loaded", async () => {
    const warehouse = path.join(tempDir("load-progress"), "nba.duckdb");
    const stderr: string[] = [];
    const io: CliIO = { stdout: () => undefined, stderr: (text) => stderr.push(text) };
    let exitCode: number | undefined;
    const command = loadCommand(io, (code) => (exitCode = code), () => openDuckDBEngine({ path: warehouse }));
    // A file named twice is loaded (and counted) once.
    await command.parseAsync([...FILES, FILES[0] ?? "", "--json"], { from: "user" });
    expect(exitCode).toBe(0);
    const messages = stderr.map((line) => (JSON.parse(line) as { message: string }).message);
    expect(messages.filter((message) => !message.startsWith("loaded file"))).toEqual([
      "reading and validating 4 files",
      ...FILES.map((file, index) => `writing ${file} (${index + 1}/4)`),
    ]);
    // Progress comes while writing: every "writing" line before the first file is reported loaded.
    expect(messages.lastIndexOf(`writing ${FILES[3]} (4/4)`)).toBeLessThan(messages.indexOf("loaded file"));
    expect(messages.filter((message) => message === "loaded file")).toHaveLength(4);
  });
});
