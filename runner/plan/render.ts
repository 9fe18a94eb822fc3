/** The plan as a person reads it (text), as data (JSON) and as a diagram (Mermaid). */
import type { RunDates } from "../dates.ts";
import type { Action } from "./actions.ts";
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

function mermaidId(action: Action): string {
  return action.id.replace(/[^A-Za-z0-9_]/g, "_");
}

export function planToMermaid(plan: Plan): string {
  const lines = ["flowchart TD"];
  const inPlan = new Set(plan.levels.flat().map((action) => action.id));
  plan.levels.forEach((actions, level) => {
    lines.push(`  subgraph level_${level}["Level ${level}"]`);
    for (const action of actions) {
      const shape = action.role === "gate" ? `{{"${action.name}"}}` : action.role === "assertion" ? `(["${action.name}"])` : `["${action.name}"]`;
      lines.push(`    ${mermaidId(action)}${shape}`);
    }
    lines.push("  end");
  });
  for (const action of plan.levels.flat()) {
    for (const dependency of action.dependencies.filter((id) => inPlan.has(id))) {
      lines.push(`  ${dependency.replace(/[^A-Za-z0-9_]/g, "_")} --> ${mermaidId(action)}`);
    }
  }
  return lines.join("\n");
}
