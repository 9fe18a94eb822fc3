import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_DIR } from "../compile/compile.ts";
import { checkProject, formatFinding, namedNumbers, type StyleFinding, type StyleRule } from "./sql_style.ts";

/** A model that follows every rule: each test below breaks it in one place. */
const CLEAN = `config {
  type: "table",
  description: "One row per team per game."
}

WITH

box_scores AS (
  SELECT
    game_id,
    game_date,
    team_abbr,
    points,
    possessions,
    period
  FROM \${ref("box_scores")}
  WHERE game_date >= DATE_SUB(CURRENT_DATE(), INTERVAL \${constants.REST_SHORT_WINDOW_DAYS} DAY)
),

ranked AS (
  -- A logic CTE may extend the one before it with *: it is no ref.
  SELECT
    box_scores.*,
    ROW_NUMBER() OVER (PARTITION BY game_id ORDER BY points DESC) AS points_rank
  FROM box_scores
),

team_games AS (
  SELECT
    game_id,
    team_abbr,
    SUM(points) AS points,
    SUM(possessions) AS possessions,
    MAX(period) > \${constants.REGULATION_PERIODS} AS went_to_overtime
  FROM ranked
  WHERE points_rank = 1
    OR SUBSTR(game_id, 1, 3) = '002'
  GROUP BY
    game_id,
    team_abbr
)

SELECT
  team_games.game_id,
  team_games.team_abbr,
  opponent.team_abbr AS opponent_team_abbr,
  ROUND(team_games.points / team_games.possessions * \${constants.PER_HUNDRED}, 2) AS offensive_rating,
  CAST(team_games.points AS INT64) AS points,
  team_games.went_to_overtime
FROM team_games
LEFT JOIN team_games AS opponent
  ON opponent.game_id = team_games.game_id
  AND opponent.team_abbr != team_games.team_abbr
`;

/** A project of one model over one declared source, with the repository's constants and vars. */
function projectWith(model: string, includes: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sql-style-"));
  fs.mkdirSync(path.join(dir, "definitions"));
  fs.mkdirSync(path.join(dir, "includes"));
  fs.copyFileSync(path.join(PROJECT_DIR, "dataform.json"), path.join(dir, "dataform.json"));
  for (const file of ["constants.js", "vars.js"]) fs.copyFileSync(path.join(PROJECT_DIR, "includes", file), path.join(dir, "includes", file));
  for (const [file, text] of Object.entries(includes)) fs.writeFileSync(path.join(dir, "includes", file), text);
  fs.writeFileSync(path.join(dir, "definitions", "sources.js"), 'declare({ schema: "nba_raw", name: "box_scores" });\n');
  fs.writeFileSync(path.join(dir, "definitions", "team_games.sqlx"), model);
  return dir;
}

function check(model: string, includes?: Record<string, string>): StyleFinding[] {
  const dir = projectWith(model, includes);
  try {
    return checkProject(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The clean model with `search` (which must occur once) replaced. */
function broken(search: string, replacement: string): string {
  expect(CLEAN.split(search).length, `the clean model has ${search} once`).toBe(2);
  return CLEAN.replace(search, replacement);
}

function lineOf(model: string, text: string): number {
  return model.split("\n").findIndex((line) => line.includes(text)) + 1;
}

const summary = (findings: StyleFinding[]) => findings.map((finding) => ({ rule: finding.rule, line: finding.line }));

describe("sql style", () => {
  it("passes the clean model", () => {
    expect(check(CLEAN).map(formatFinding)).toEqual([]);
  });

  const cases: { rule: StyleRule; what: string; search: string; replacement: string; marker: string; message: string }[] = [
    { rule: "keyword-case", what: "a lowercase function", search: "ROUND(team_games", replacement: "round(team_games", marker: "round(", message: "`round` is a function" },
    { rule: "keyword-case", what: "a lowercase keyword", search: "LEFT JOIN", replacement: "LEFT join", marker: "LEFT join", message: "`join` is a keyword" },
    { rule: "keyword-case", what: "a lowercase type name", search: "AS INT64)", replacement: "AS int64)", marker: "int64", message: "`int64` is a type name" },
    { rule: "keyword-case", what: "a lowercase date part", search: "} DAY)", replacement: "} day)", marker: "} day)", message: "`day` is a date part" },
    { rule: "final-columns", what: "x.* in the final SELECT", search: "  team_games.game_id,\n  team_games.team_abbr,\n", replacement: "  team_games.*,\n", marker: "team_games.*,", message: "the final SELECT has `team_games.*`" },
    { rule: "star-from-ref", what: "SELECT * in an import CTE", search: "    game_id,\n    game_date,\n    team_abbr,\n    points,\n    possessions,\n    period\n", replacement: "    *\n", marker: "    *", message: "`SELECT *` reads every column of the table box_scores" },
    { rule: "named-constant", what: "a bare 100", search: "* ${constants.PER_HUNDRED}", replacement: "* 100", marker: "* 100", message: "bare 100 is the value of" },
    { rule: "named-constant", what: "a bare threshold 4", search: "> ${constants.REGULATION_PERIODS}", replacement: "> 4", marker: "> 4", message: "bare 4 is the value of" },
    { rule: "named-constant", what: "a bare INTERVAL 7 DAY", search: "INTERVAL ${constants.REST_SHORT_WINDOW_DAYS} DAY", replacement: "INTERVAL 7 DAY", marker: "INTERVAL 7", message: "REST_SHORT_WINDOW_DAYS" },
    { rule: "hardcoded-date", what: "a date literal", search: "DATE_SUB(CURRENT_DATE(), INTERVAL ${constants.REST_SHORT_WINDOW_DAYS} DAY)", replacement: "DATE '2025-01-01'", marker: "2025-01-01", message: "date literal '2025-01-01'" },
    { rule: "explicit-as", what: "a column alias without AS", search: "opponent.team_abbr AS opponent_team_abbr", replacement: "opponent.team_abbr opponent_team_abbr", marker: "opponent.team_abbr opponent", message: "column alias `opponent_team_abbr` without AS" },
    { rule: "explicit-as", what: "a table alias without AS", search: "LEFT JOIN team_games AS opponent", replacement: "LEFT JOIN team_games opponent", marker: "LEFT JOIN", message: "table alias `opponent` without AS" },
    { rule: "identifier-case", what: "a camelCase column alias", search: "AS offensive_rating", replacement: "AS offensiveRating", marker: "offensiveRating", message: "column alias `offensiveRating` is not lowercase snake_case" },
    { rule: "qualified-columns", what: "an unqualified column in a join", search: "  team_games.went_to_overtime\n", replacement: "  went_to_overtime\n", marker: "  went_to_overtime", message: "column `went_to_overtime` is not qualified" },
    { rule: "one-column-per-line", what: "two columns on one line", search: "  team_games.game_id,\n  team_games.team_abbr,", replacement: "  team_games.game_id, team_games.team_abbr,", marker: "team_games.game_id, team_games", message: "shares a line" },
  ];

  it.each(cases)("$rule: fails on $what, at its line", ({ rule, search, replacement, marker, message }) => {
    const model = broken(search, replacement);
    const findings = check(model);
    expect(summary(findings)).toEqual([{ rule, line: lineOf(model, marker) }]);
    expect(findings[0]?.message).toContain(message);
    expect(findings[0]?.file).toBe("definitions/team_games.sqlx");
    expect(findings[0]?.suggestion).not.toBe("");
  });

  it("group-by-name: fails on GROUP BY positions, once per position", () => {
    const model = broken("  GROUP BY\n    game_id,\n    team_abbr\n", "  GROUP BY\n    1,\n    2\n");
    expect(summary(check(model))).toEqual([
      { rule: "group-by-name", line: lineOf(model, "    1,") },
      { rule: "group-by-name", line: lineOf(model, "    1,") + 1 },
    ]);
  });

  it("final-columns and star-from-ref: a final SELECT * from a ref breaks both", () => {
    const model = `config { type: "table" }\n\nSELECT\n  *\nFROM \${ref("box_scores")}\n`;
    expect(summary(check(model))).toEqual([
      { rule: "final-columns", line: 4 },
      { rule: "star-from-ref", line: 4 },
    ]);
  });

  it("identifier-case: names a CTE that is not snake_case", () => {
    const model = broken("ranked AS (", "RankedScores AS (").replace("FROM ranked", "FROM RankedScores");
    const findings = check(model);
    expect(summary(findings)).toEqual([{ rule: "identifier-case", line: lineOf(model, "RankedScores AS (") }]);
    expect(findings[0]?.suggestion).toBe("name it ranked_scores");
  });

  it("named-constant: leaves 0, 1, positions, precisions and small integers outside thresholds alone", () => {
    const model = broken(
      "    MAX(period) > ${constants.REGULATION_PERIODS} AS went_to_overtime\n",
      [
        "    MAX(period) > ${constants.REGULATION_PERIODS} AS went_to_overtime,",
        "    COUNTIF(points_rank = 2) AS runner_ups,",
        "    SUM(points) * 2 + 1 AS doubled_points_plus_one,",
        "    ROUND(AVG(points), 3) AS average_points,",
        "    SUBSTR(MAX(game_id), 5, 4) AS game_year,",
        "    COUNTIF(points > 0) AS scoring_rows",
        "",
      ].join("\n"),
    );
    expect(check(model).map(formatFinding)).toEqual([]);
  });

  it("named-constant: a number written by ${constants.X} is named; the same number written bare is not", () => {
    const constants = namedNumbers({ PER_HUNDRED: 100, THREE_DEFENSE: { part_max: 50 }, BANDS: [{ min_pct: 95 }], NAME: "x" });
    expect(constants).toEqual([
      { name: "PER_HUNDRED", value: 100 },
      { name: "THREE_DEFENSE.part_max", value: 50 },
      { name: "BANDS[0].min_pct", value: 95 },
    ]);
    const model = broken("* ${constants.PER_HUNDRED}, 2)", "* ${constants.PER_HUNDRED}, 2) + 0 * 80");
    const findings = check(model);
    expect(summary(findings)).toEqual([{ rule: "named-constant", line: lineOf(model, "0 * 80") }]);
    expect(findings[0]?.message).toContain("BOXSCORE_COVERAGE_MIN_PCT");
  });

  it("reports SQL an includes/ helper writes at the line of its ${…}, naming the helper's line", () => {
    const helper = 'function boxScores(ref) {\n  return `\n  select\n    game_id\n  FROM ${ref("box_scores")}`;\n}\n\nmodule.exports = { boxScores };\n';
    const model = `config { type: "table" }\n\nWITH\n\nbox_rows AS (\n  \${helpers.boxScores(ref)}\n)\n\nSELECT\n  game_id\nFROM box_rows\n`;
    const findings = check(model, { "helpers.js": helper });
    expect(findings.map(formatFinding)).toEqual([
      "definitions/team_games.sqlx:6: keyword-case: `select` is a keyword (SQL from includes/helpers.js:3); write SELECT",
    ]);
  });

  it("ignores SQL in comments and strings", () => {
    const model = broken("  WHERE points_rank = 1\n", "  -- select * from x where y = 100\n  WHERE points_rank = 1\n    AND team_abbr != 'select * 100'\n");
    expect(check(model).map(formatFinding)).toEqual([]);
  });
});
