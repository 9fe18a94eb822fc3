import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["runner/**/*.test.ts", "tests/**/*.test.ts"],
    // End-to-end tests spawn the CLI and open DuckDB files: give them room on shared machines.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
