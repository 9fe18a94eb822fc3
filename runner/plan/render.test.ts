// @vitest-environment jsdom
/**
 * `plan --format mermaid` read back by Mermaid's own parser (the `mermaid` package; its
 * sanitiser needs a DOM, hence jsdom): the text is a valid flowchart, and the diagram it describes
 * has the grouped checks, the colours by kind and the legend.
 */
import mermaid from "mermaid";
import { describe, expect, it } from "vitest";
import { compileProject, PROJECT_DIR } from "../compile/compile.ts";
import { rangeOf } from "../dates.ts";
import { buildProjectGraph, type Action } from "./actions.ts";
import { plan, type Plan } from "./plan.ts";
import { planToMermaid } from "./render.ts";

const DATES = rangeOf("2025-01-15", "2025-01-15");
const graph = buildProjectGraph(compileProject({ projectDir: PROJECT_DIR, dates: DATES, vars: { as_of_date: "2025-01-16" } }));
const KINDS = ["gate", "model", "assertion", "operation"];

interface Vertex {
  id: string;
  text: string;
  type: string;
  classes: string[];
}

interface FlowDb {
  getVertices(): Map<string, Vertex>;
  getEdges(): { start: string; end: string; stroke: string }[];
  getSubGraphs(): { id: string; title: string; nodes: string[] }[];
  getClasses(): Map<string, { styles: string[] }>;
  getAccTitle(): string;
}

async function parsed(text: string): Promise<FlowDb> {
  await expect(mermaid.parse(text)).resolves.toMatchObject({ diagramType: "flowchart-v2" });
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  return diagram.db as unknown as FlowDb;
}

const nodeId = (id: string) => id.replace(/[^A-Za-z0-9_]/g, "_");

describe("planToMermaid", () => {
  it("is a flowchart Mermaid parses: one node per gate and model, one checks node per model, coloured, with a legend", async () => {
    const planned = plan(graph, {});
    const actions = planned.levels.flat();
    const db = await parsed(planToMermaid(planned, DATES));
    const vertices = [...db.getVertices().values()];
    const withChecks = [...new Set(actions.flatMap((action) => (action.role === "assertion" && action.parent ? [action.parent] : [])))];
    expect(withChecks.length).toBeGreaterThan(5);
    const drawnAlone = actions.filter((action) => !(action.role === "assertion" && action.parent));

    // Not one node per check: their names (<model>_unique_key, ...) appear nowhere.
    const legend = db.getSubGraphs().find((subgraph) => subgraph.id === "legend");
    expect(legend?.nodes.sort()).toEqual(["legend_assertion", "legend_gate", "legend_model"]);
    expect(vertices.length).toBe(drawnAlone.length + withChecks.length + 3);
    expect(vertices.filter((vertex) => /_unique_key|_row_conditions|_assertions_/.test(vertex.text))).toEqual([]);

    for (const model of withChecks) {
      const checks = db.getVertices().get(`${nodeId(model)}__checks`);
      const count = actions.filter((action) => action.parent === model).length;
      expect(checks?.text, model).toMatch(new RegExp(`^${count} checks?: `));
      expect(checks?.text).toBe(`2 checks: row_conditions, unique_key`);
      expect(checks?.classes).toEqual(["assertion"]);
      expect(checks?.type).toBe("stadium");
      expect(db.getEdges()).toContainEqual(expect.objectContaining({ start: nodeId(model), end: `${nodeId(model)}__checks`, stroke: "dotted" }));
    }
    const gate = db.getVertices().get("nba_assertions_team_offense_complete");
    expect(gate).toMatchObject({ text: "team_offense_complete", type: "hexagon", classes: ["gate"] });
    expect(db.getVertices().get("nba_analytics_player_game_summary")).toMatchObject({ text: "player_game_summary", type: "square", classes: ["model"] });

    // Every node has exactly one kind, and every kind used has a colour.
    for (const vertex of vertices) expect(vertex.classes.length === 1 && KINDS.includes(vertex.classes[0] ?? ""), vertex.id).toBe(true);
    const classes = db.getClasses();
    for (const kind of new Set(vertices.flatMap((vertex) => vertex.classes))) expect(classes.get(kind)?.styles.some((style) => style.startsWith("fill:#"))).toBe(true);

    // The ordering a reader looks for: team offense, its gate, then the player model.
    const edges = db.getEdges().map((edge) => `${edge.start} -> ${edge.end}`);
    expect(edges).toContain("nba_analytics_team_offense_game_summary -> nba_assertions_team_offense_complete");
    expect(edges).toContain("nba_assertions_team_offense_complete -> nba_analytics_player_game_summary");
    expect(db.getSubGraphs().filter((subgraph) => subgraph.id.startsWith("level_")).map((subgraph) => subgraph.title)).toEqual(planned.levels.map((_, level) => `Level ${level}`));
    expect(db.getAccTitle()).toBe("Plan for 2025-01-15");
  });

  it("draws a selection, and the parser does reject broken text", async () => {
    const planned = plan(graph, { actions: ["player_game_summary"] });
    const text = planToMermaid(planned);
    const db = await parsed(text);
    expect(db.getVertices().get("nba_analytics_player_game_summary__checks")?.text).toBe("2 checks: row_conditions, unique_key");
    const level = db.getSubGraphs().find((subgraph) => subgraph.nodes.includes("nba_analytics_player_game_summary__checks"));
    expect(level?.id).toMatch(/^level_/);
    await expect(mermaid.parse(text.replace(/-\.->/, "-.-> -->"))).rejects.toThrow(/Parse error/);
  });

  it("lists a model's checks by kind, keeping the index only where a kind repeats, and quotes labels safely", async () => {
    const model = { id: "nba_analytics.m", name: 'm"odel', role: "model", dependencies: [], parent: undefined } as unknown as Action;
    const check = (suffix: string) => ({ id: `nba_assertions.nba_analytics_m_assertions_${suffix}`, name: `nba_analytics_m_assertions_${suffix}`, role: "assertion", dependencies: [model.id], parent: model.id }) as unknown as Action;
    const fake: Plan = { levels: [[model], [check("uniqueKey_0"), check("uniqueKey_1"), check("rowConditions")]], size: 4 };
    const db = await parsed(planToMermaid(fake));
    expect(db.getVertices().get("nba_analytics_m__checks")?.text).toBe("3 checks: uniqueKey_0, uniqueKey_1, rowConditions");
    // The quote stays inside the label (Mermaid keeps its entity encoded until it draws).
    expect(db.getVertices().get("nba_analytics_m")?.text).toMatch(/^m.*quot.*odel$/);
    expect(db.getEdges()).toHaveLength(1);
  });
});
