/**
 * Vitest global setup: every temporary file of one `vitest run` (the tests' warehouses, projects and
 * logs, and those of the CLI processes they spawn) goes under one directory of its own, removed when
 * the run ends. Without it each run left about 1.5 GB of DuckDB files in the system's temp directory.
 *
 * It works through TMPDIR, which os.tmpdir() reads: the workers vitest starts after this setup, and
 * every process they spawn, inherit it. KEEP_TEST_TMP=1 keeps the directory to inspect a failure.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export default function setup(): () => void {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "nba-phase3-tests-"));
  process.env.TMPDIR = root;
  return () => {
    if (process.env.KEEP_TEST_TMP === "1") {
      process.stderr.write(`KEEP_TEST_TMP=1: the tests' temporary files are kept in ${root}\n`);
      return;
    }
    fs.rmSync(root, { recursive: true, force: true });
  };
}
