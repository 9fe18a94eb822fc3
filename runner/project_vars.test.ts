import { createRequire } from "node:module";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { compileProject, CompilationError, PROJECT_DIR } from "./compile/compile.ts";
import { BadInputError, ExitCode } from "./errors.ts";
import { projectConstants } from "./project_constants.ts";
import { projectVars, varsFromFlags, varsHelp, type VarDeclaration } from "./project_vars.ts";

const require = createRequire(import.meta.url);
/** includes/vars.js as Dataform evaluates it (its own parse is what GCP Dataform's compile checks). */
const varsModule = require(path.join(PROJECT_DIR, "includes", "vars.js")) as { parse: (declared: VarDeclaration, text: string) => unknown };
const gates = require(path.join(PROJECT_DIR, "includes", "gates.js")) as Record<"coverageMinPct" | "stalenessDays" | "asOfDate" | "reportGateBypasses", () => unknown>;

const vars = projectVars(PROJECT_DIR);
const declared = (name: string) => vars.declared.find((entry) => entry.name === name) as VarDeclaration;

function thrown(run: () => unknown): BadInputError {
  try {
    run();
  } catch (error) {
    if (error instanceof BadInputError) return error;
    throw error;
  }
  throw new Error("expected a BadInputError");
}

describe("the declared vars (includes/vars.js)", () => {
  it("declares each var once with its kind, range and a default taken from includes/constants.js", () => {
    const constants = projectConstants(PROJECT_DIR);
    expect(vars.declared.map((entry) => [entry.name, entry.kind])).toEqual([
      ["start_date", "date"],
      ["end_date", "date"],
      ["as_of_date", "date"],
      ["boxscore_coverage_min_pct", "number"],
      ["boxscore_staleness_days", "number"],
      ["report_gate_bypasses", "boolean"],
    ]);
    expect(declared("boxscore_coverage_min_pct")).toMatchObject({ range: { min: 0, max: 100, integer: false }, default: constants.BOXSCORE_COVERAGE_MIN_PCT });
    expect(declared("boxscore_staleness_days")).toMatchObject({ range: { min: 0, max: 365, integer: true }, default: constants.BOXSCORE_STALENESS_DAYS });
    expect(declared("report_gate_bypasses")).toMatchObject({ default: false });
    expect(declared("as_of_date")).toMatchObject({ default: null, defaultText: `today in ${constants.SCHEDULE_TIMEZONE}` });
    for (const entry of vars.declared) expect(entry.description.length, entry.name).toBeGreaterThan(10);
  });

  it("builds a zod schema that types good values and refuses unknown names and bad values", () => {
    expect(vars.schema.parse({ boxscore_coverage_min_pct: "100", boxscore_staleness_days: "7", as_of_date: "2024-02-29", report_gate_bypasses: "true" })).toEqual({
      boxscore_coverage_min_pct: 100,
      boxscore_staleness_days: 7,
      as_of_date: "2024-02-29",
      report_gate_bypasses: true,
    });
    expect(vars.schema.parse({ boxscore_coverage_min_pct: "80.5" })).toEqual({ boxscore_coverage_min_pct: 80.5 });
    const issues = (values: Record<string, string>) => vars.schema.safeParse(values).error?.issues.map((issue) => [issue.path.join("."), issue.code, issue.message]);
    expect(issues({ boxscore_coverage_min_pct: "150" })).toEqual([["boxscore_coverage_min_pct", "too_big", "must be a number from 0 to 100"]]);
    expect(issues({ boxscore_staleness_days: "2.5" })).toEqual([["boxscore_staleness_days", "invalid_format", "must be a whole number from 0 to 365"]]);
    expect(issues({ as_of_date: "2025-02-30" })).toEqual([["as_of_date", "custom", "must be a calendar date YYYY-MM-DD"]]);
    expect(issues({ report_gate_bypasses: "yes" })).toEqual([["report_gate_bypasses", "invalid_value", "must be true or false"]]);
    const unknown = vars.schema.safeParse({ boxscore_coverage_pct: "100" }).error?.issues;
    expect(unknown).toMatchObject([{ code: "unrecognized_keys", keys: ["boxscore_coverage_pct"], path: [] }]);
  });

  it("agrees with the check Dataform's compile runs (includes/vars.js parse) on every value", () => {
    const samples = ["", "0", "2", "80", "80.5", "100", "100.1", "150", "365", "366", "-1", "1e2", " 80", "2.0", "abc", "true", "false", "TRUE", "yes", "2024-02-29", "2025-02-29", "2025-02-30", "2025-1-5", "2025-01-15"];
    for (const entry of vars.declared) {
      for (const text of samples) {
        const zodAccepts = vars.schema.safeParse({ [entry.name]: text }).success;
        const dataformAccepts = varsModule.parse(entry, text) !== undefined;
        expect(zodAccepts, `${entry.name}=${JSON.stringify(text)}`).toBe(dataformAccepts);
      }
    }
  });
});

describe("--var flags", () => {
  it("returns the flags' texts once every one is declared and in range", () => {
    expect(varsFromFlags(["boxscore_coverage_min_pct=100", "as_of_date=2025-01-16", "report_gate_bypasses=false"], PROJECT_DIR)).toEqual({
      boxscore_coverage_min_pct: "100",
      as_of_date: "2025-01-16",
      report_gate_bypasses: "false",
    });
  });

  it("refuses an unknown name with the closest declared one and the known vars (exit 2)", () => {
    const error = thrown(() => varsFromFlags(["boxscore_coverage_pct=100"], PROJECT_DIR));
    expect(error.exitCode).toBe(ExitCode.badInput);
    expect(error.code).toBe("unknown_var");
    expect(error.message).toBe("--var boxscore_coverage_pct: unknown var; did you mean boxscore_coverage_min_pct?");
    expect(error.suggestion).toContain("Known vars: as_of_date, boxscore_coverage_min_pct, boxscore_staleness_days, report_gate_bypasses");
    expect(thrown(() => varsFromFlags(["as_of=2025-01-16"], PROJECT_DIR)).message).toBe("--var as_of: unknown var; did you mean as_of_date?");
    expect(thrown(() => varsFromFlags(["colour=red"], PROJECT_DIR)).message).toBe("--var colour: unknown var");
  });

  it("refuses a bad value naming the flag, the value and what is allowed, every problem at once", () => {
    const error = thrown(() => varsFromFlags(["boxscore_coverage_min_pct=150", "as_of_date=2025-02-30"], PROJECT_DIR));
    expect(error.exitCode).toBe(ExitCode.badInput);
    expect(error.code).toBe("invalid_var_value");
    expect(error.message).toBe("--var boxscore_coverage_min_pct=150: must be a number from 0 to 100\n  --var as_of_date=2025-02-30: must be a calendar date YYYY-MM-DD");
  });

  it("keeps the run dates to --date/--start-date/--end-date", () => {
    const error = thrown(() => varsFromFlags(["start_date=2025-01-01"], PROJECT_DIR));
    expect([error.code, error.message, error.suggestion]).toEqual(["reserved_var", "--var start_date is set by the run dates", "Use --date or --start-date/--end-date."]);
    expect(thrown(() => varsFromFlags(["coverage"], PROJECT_DIR)).code).toBe("invalid_var");
  });

  it("is checked again by every compile, before Dataform evaluates a file", () => {
    const error = thrown(() => compileProject({ dates: { start: "2025-01-15", end: "2025-01-15" }, vars: { as_of_date: "2025-02-30" } }));
    expect(error).not.toBeInstanceOf(CompilationError);
    expect(error.message).toBe("var as_of_date=2025-02-30: must be a calendar date YYYY-MM-DD");
  });

  it("documents every settable var for --help, from the list", () => {
    const help = varsHelp(PROJECT_DIR);
    expect(help).toMatch(/boxscore_coverage_min_pct +a number from 0 to 100; default: 80/);
    expect(help).toMatch(/boxscore_staleness_days +a whole number from 0 to 365; default: 2/);
    expect(help).toMatch(/as_of_date +a calendar date YYYY-MM-DD; default: today in\s+America\/New_York/);
    expect(help).toMatch(/report_gate_bypasses +true or false; default: false/);
    expect(help).toContain("start_date and end_date are set by --date");
  });
});

describe("the gates read their vars through the list (as Dataform's compile does)", () => {
  const global = globalThis as { dataform?: unknown };
  const withVars = (values: Record<string, string>) => {
    global.dataform = { projectConfig: { vars: { start_date: "2025-01-15", end_date: "2025-01-15", ...values } } };
  };
  afterEach(() => {
    delete global.dataform;
  });

  it("gives the defaults, the values set and the SQL literals", () => {
    withVars({});
    expect([gates.coverageMinPct(), gates.stalenessDays(), gates.asOfDate(), gates.reportGateBypasses()]).toEqual([80, 2, "CURRENT_DATE('America/New_York')", "FALSE"]);
    withVars({ boxscore_coverage_min_pct: "95.5", boxscore_staleness_days: "7", as_of_date: "2025-01-20", report_gate_bypasses: "true" });
    expect([gates.coverageMinPct(), gates.stalenessDays(), gates.asOfDate(), gates.reportGateBypasses()]).toEqual([95.5, 7, "DATE '2025-01-20'", "TRUE"]);
  });

  it("fails the compile with the var, the value and what is allowed", () => {
    withVars({ boxscore_staleness_days: "400" });
    expect(() => gates.stalenessDays()).toThrow("var boxscore_staleness_days=400: must be a whole number from 0 to 365 (includes/vars.js)");
    withVars({ as_of_date: "2025-02-30" });
    expect(() => gates.asOfDate()).toThrow("var as_of_date=2025-02-30: must be a calendar date YYYY-MM-DD");
    withVars({ boxscore_coverage_pct: "100" });
    expect(() => gates.coverageMinPct()).toThrow(/^var boxscore_coverage_pct: unknown var; did you mean boxscore_coverage_min_pct\?/);
  });
});
