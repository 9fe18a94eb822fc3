/**
 * The check templates' precompiled form (what `npm run build` keeps, so that a cold run does not
 * parse them): every template of the project renders exactly as when compiled, and what cannot be
 * used (a spec that does not evaluate, a text edited since) is compiled as before.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PROJECT_DIR } from "../compile/compile.ts";
import { postWriteChecks, precompiledTemplates, preWriteRules, resetTemplates, templateCacheFile } from "./templates.ts";

const MODELS = fs
  .readdirSync(path.join(PROJECT_DIR, "definitions", "analytics"))
  .filter((name) => name.endsWith(".sqlx"))
  .map((name) => name.slice(0, -".sqlx".length));

/** Every rule and check the project's templates give, for every model. */
function renderAll(projectDir = PROJECT_DIR) {
  return MODELS.map((model) => ({
    model,
    rules: preWriteRules(projectDir, model),
    checks: postWriteChecks(projectDir, { model, target: `\`nba_analytics.${model}\``, stage: "`runner_staging.s`", key_columns: "game_id", window_column: "game_date", scope_column: "game_id" }),
  }));
}

afterEach(() => resetTemplates());

describe("precompiled check templates", () => {
  it("render every rule and check of the project exactly as the compiled templates do", () => {
    resetTemplates(new Map());
    const compiled = renderAll();
    expect(compiled.flatMap((model) => [...model.rules, ...model.checks]).length).toBeGreaterThan(20);
    const specs = precompiledTemplates(PROJECT_DIR);
    expect(specs.size).toBeGreaterThan(10);
    resetTemplates(specs);
    expect(renderAll()).toEqual(compiled);
    // And they are what renders: each text given another's spec renders something else.
    const keys = [...specs.keys()];
    resetTemplates(new Map(keys.map((key, index) => [key, specs.get(keys[(index + 1) % keys.length] as string) as string])));
    let swapped: unknown;
    try {
      swapped = renderAll();
    } catch (error) {
      swapped = error;
    }
    expect(swapped).not.toEqual(compiled);
  });

  it("compile a template whose spec does not evaluate, or whose text changed since, as before", () => {
    resetTemplates(new Map());
    const compiled = renderAll();
    const broken = new Map([...precompiledTemplates(PROJECT_DIR).keys()].map((key) => [key, "{ not: handlebars"]));
    resetTemplates(broken);
    expect(renderAll()).toEqual(compiled);

    // A project whose post-write checks were edited after the specs were made.
    const project = fs.mkdtempSync(path.join(os.tmpdir(), "templates-"));
    fs.cpSync(path.join(PROJECT_DIR, "assertions"), path.join(project, "assertions"), { recursive: true });
    fs.cpSync(path.join(PROJECT_DIR, "includes"), path.join(project, "includes"), { recursive: true });
    const file = path.join(project, "assertions", "post_write", fs.readdirSync(path.join(project, "assertions", "post_write")).find((name) => name.endsWith(".sql.hbs")) as string);
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/reason="/, 'reason="edited: '));
    resetTemplates(precompiledTemplates(PROJECT_DIR));
    const edited = renderAll(project);
    expect(edited.flatMap((model) => model.checks).some((check) => check.reason.startsWith("edited: "))).toBe(true);
  });

  it("are looked up in one file whatever was compiled before (handlebars adds to the options it is given)", () => {
    const before = templateCacheFile();
    resetTemplates(new Map());
    renderAll();
    precompiledTemplates(PROJECT_DIR);
    expect(templateCacheFile()).toBe(before);
  });
});
