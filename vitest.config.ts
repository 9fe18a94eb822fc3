import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["runner/**/*.test.ts", "tests/**/*.test.ts"],
    // End-to-end tests spawn the CLI and open DuckDB files: give them room on shared machines.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One temporary directory per run, removed at its end (KEEP_TEST_TMP=1 keeps it).
    globalSetup: ["tests/scratch_dir.ts"],
  },
});
