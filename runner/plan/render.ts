/** The plan as a person reads it (text), as data (JSON) and as a diagram (Mermaid). */
import type { RunDates } from "../dates.ts";
import { checkName, type Action } from "./actions.ts";
import type { Plan } from "./plan.ts";

function describeDates(dates: Pick<RunDates, "start" | "end">): string {
  return dates.start === dates.end ? dates.start : `${dates.start}..${dates.end}`;
}

export function planToJson(plan: Plan, dates: Pick<RunDates, "start" | "end">) {
  return {
    dates: { start: dates.start, end: dates.end },
    actions: plan.size,
    levels: plan.levels.map((actions, level) => ({
      level,
      actions: actions.map((action) => ({
        name: action.name,
        id: action.id,
        role: action.role,
        kind: action.kind,
        tags: action.tags,
        dependencies: action.dependencies,
        sources: action.sources,
        file: action.fileName,
      })),
    })),
  };
}

export function planToText(plan: Plan, dates: Pick<RunDates, "start" | "end">): string {
  const lines = [`Plan for ${describeDates(dates)}: ${plan.size} actions in ${plan.levels.length} levels`];
  const width = Math.max(0, ...plan.levels.flat().map((action) => action.id.length));
  plan.levels.forEach((actions, level) => {
    lines.push(`Level ${level}`);
    for (const action of actions) {
      const after = action.dependencies.length > 0 ? `after ${action.dependencies.map(shortName).join(", ")}` : "";
      lines.push(`  ${action.role.padEnd(9)} ${action.id.padEnd(width)}  ${after}`.trimEnd());
    }
  });
  return lines.join("\n");
}

function shortName(id: string): string {
  return id.split(".").at(-1) ?? id;
}

function mermaidId(id: string): string {
  return id.replace(/[^A-Za-z0-9_]/g, "_");
}

/** Mermaid text in double quotes: a quote would end it (`#quot;` is Mermaid's entity for one). */
function mermaidLabel(text: string): string {
  return `"${text.replace(/"/g, "#quot;")}"`;
}

/** Colour per kind; the legend shows the same shapes and colours. */
const MERMAID_CLASSES: Record<Action["role"], string> = {
  gate: "fill:#fde68a,stroke:#b45309,color:#1f2937",
  model: "fill:#bfdbfe,stroke:#1d4ed8,color:#1f2937",
  assertion: "fill:#e5e7eb,stroke:#4b5563,color:#1f2937",
  operation: "fill:#ddd6fe,stroke:#6d28d9,color:#1f2937",
};

const MERMAID_LEGEND: Record<Action["role"], string> = {
  gate: "gate: readiness check, not ready = retry later",
  model: "model: writes a table",
  assertion: "a model's checks (its assertions on the run dates)",
  operation: "operation: SQL statements",
};

function mermaidShape(role: Action["role"], label: string): string {
  if (role === "gate") return `{{${mermaidLabel(label)}}}`;
  if (role === "assertion") return `([${mermaidLabel(label)}])`;
  return `[${mermaidLabel(label)}]`;
}

/**
 * What each check of a model checks, from its name (checkName): `<model>_unique_key` ->
 * `unique_key`, Dataform's `<schema>_<model>_assertions_uniqueKey_0` -> `uniqueKey_0`; the index
 * is dropped when the model has only one of that kind.
 */
function checkNames(assertions: Action[], model: Action | undefined): string[] {
  const kinds = assertions.map((assertion) => checkName(assertion, model));
  const base = (kind: string) => kind.replace(/_\d+$/, "");
  return kinds.map((kind) => (kinds.filter((other) => base(other) === base(kind)).length === 1 ? base(kind) : kind));
}

/**
 * The plan as a Mermaid flowchart: one subgraph per level, gates as hexagons, models as
 * rectangles, and each model's checks (`<model>_unique_key`, `<model>_row_conditions`: one node
 * each would dominate the picture) as one rounded node listing them, joined to its model by a
 * dotted arrow. Colours by kind, and a legend.
 */
export function planToMermaid(plan: Plan, dates?: Pick<RunDates, "start" | "end">): string {
  const actions = plan.levels.flat();
  const inPlan = new Set(actions.map((action) => action.id));
  // A model's check is drawn as its model's checks node, in the level of the first of them.
  const nodeOf = new Map<string, string>();
  const checksOf = new Map<string, Action[]>();
  for (const action of actions) {
    if (action.role === "assertion" && action.parent !== undefined) {
      nodeOf.set(action.id, `${mermaidId(action.parent)}__checks`);
      checksOf.set(action.parent, [...(checksOf.get(action.parent) ?? []), action]);
    } else nodeOf.set(action.id, mermaidId(action.id));
  }

  const lines = ["flowchart TD"];
  if (dates) lines.push(`  accTitle: Plan for ${describeDates(dates)}`);
  lines.push(`  accDescr: ${plan.size} actions in ${plan.levels.length} levels, each model's checks drawn as one node`);
  const drawn = new Set<string>();
  plan.levels.forEach((level, index) => {
    lines.push(`  subgraph level_${index}[${mermaidLabel(`Level ${index}`)}]`);
    for (const action of level) {
      const node = nodeOf.get(action.id) ?? mermaidId(action.id);
      if (drawn.has(node)) continue;
      drawn.add(node);
      const checks = action.role === "assertion" && action.parent !== undefined ? checksOf.get(action.parent) : undefined;
      const model = action.parent ? actions.find((candidate) => candidate.id === action.parent) : undefined;
      const label = checks ? `${checks.length} ${checks.length === 1 ? "check" : "checks"}: ${checkNames(checks, model).join(", ")}` : action.name;
      lines.push(`    ${node}${mermaidShape(action.role, label)}:::${action.role}`);
    }
    lines.push("  end");
  });

  const edges = new Set<string>();
  for (const action of actions) {
    const to = nodeOf.get(action.id) ?? mermaidId(action.id);
    for (const dependency of action.dependencies.filter((id) => inPlan.has(id))) {
      const from = nodeOf.get(dependency) ?? mermaidId(dependency);
      if (from === to) continue;
      // Dotted: a check reads its model, it does not feed anything.
      edges.add(`  ${from} ${action.parent === dependency && action.role === "assertion" ? "-.->" : "-->"} ${to}`);
    }
  }
  lines.push(...edges);

  const roles = new Set(actions.map((action) => action.role));
  const legend = (["gate", "model", "assertion", "operation"] as const).filter((role) => role !== "operation" || roles.has(role));
  lines.push(`  subgraph legend[${mermaidLabel("Legend")}]`);
  for (const role of legend) lines.push(`    legend_${role}${mermaidShape(role, MERMAID_LEGEND[role])}:::${role}`);
  lines.push("  end");
  for (const role of legend) lines.push(`  classDef ${role} ${MERMAID_CLASSES[role]}`);
  return lines.join("\n");
}
