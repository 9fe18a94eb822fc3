/**
 * Selection and ordering. Selection follows Dataform's CLI (--actions, --tags, --include-deps,
 * --include-dependents); on top of it every selected model brings the gates upstream of it and
 * its own built-in assertions, so that no trigger can run a model without its readiness checks.
 * Levels are the longest-path layering of the selected actions over their dependencies: an action
 * sits one level below the deepest action it depends on, so ordering comes from the graph alone.
 */
import { BadInputError } from "../errors.ts";
import type { Action, ProjectGraph } from "./actions.ts";

export interface Selection {
  actions?: string[] | undefined;
  tags?: string[] | undefined;
  includeDeps?: boolean | undefined;
  includeDependents?: boolean | undefined;
}

export interface Plan {
  levels: Action[][];
  /** Number of actions over all levels. */
  size: number;
}

const ROLE_ORDER: Record<Action["role"], number> = { gate: 0, model: 1, operation: 2, assertion: 3 };

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0] ?? 0;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j] ?? 0;
      previous[j] = Math.min(above + 1, (previous[j - 1] ?? 0) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length] ?? 0;
}

function closest(name: string, candidates: string[]): string | undefined {
  const ranked = candidates
    .map((candidate) => ({ candidate, distance: editDistance(name, candidate) }))
    .sort((a, b) => a.distance - b.distance);
  const best = ranked[0];
  return best && best.distance <= Math.max(3, Math.floor(name.length / 3)) ? best.candidate : undefined;
}

/** Resolves a name as Dataform does: "name", "schema.name" or "database.schema.name". */
function resolveActionName(graph: ProjectGraph, name: string): Action {
  const parts = name.split(".");
  const matches = [...graph.actions.values()].filter((action) => {
    if (parts.length === 1) return action.name === name;
    if (parts.length === 2) return action.id === name;
    return `${action.target.database ?? graph.defaultDatabase}.${action.id}` === name;
  });
  const [match] = matches;
  if (matches.length === 1 && match) return match;
  if (matches.length > 1) {
    throw new BadInputError("ambiguous_action", `action "${name}" matches ${matches.map((action) => action.id).join(", ")}`, {
      suggestion: "Name it as schema.name.",
    });
  }
  const names = [...graph.actions.values()].map((action) => action.name);
  const guess = closest(name, names);
  throw new BadInputError("unknown_action", `unknown action "${name}"`, {
    suggestion: guess ? `Did you mean "${guess}"? See \`runner plan\` for all actions.` : "See `runner plan` for all actions.",
  });
}

function dependentsIndex(graph: ProjectGraph): Map<string, string[]> {
  const dependents = new Map<string, string[]>();
  for (const action of graph.actions.values()) {
    for (const dependency of action.dependencies) {
      dependents.set(dependency, [...(dependents.get(dependency) ?? []), action.id]);
    }
  }
  return dependents;
}

function closure(start: Iterable<string>, next: (id: string) => string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...start];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    for (const neighbour of next(id)) {
      if (!seen.has(neighbour)) {
        seen.add(neighbour);
        stack.push(neighbour);
      }
    }
  }
  return seen;
}

export function selectActions(graph: ProjectGraph, selection: Selection): Set<string> {
  const action = (id: string): Action => graph.actions.get(id) as Action;
  let selected = new Set<string>();
  const byName = selection.actions ?? [];
  const byTag = selection.tags ?? [];
  if (byName.length === 0 && byTag.length === 0) {
    selected = new Set(graph.actions.keys());
  } else {
    for (const name of byName) selected.add(resolveActionName(graph, name).id);
    const knownTags = new Set([...graph.actions.values()].flatMap((candidate) => candidate.tags));
    for (const tag of byTag) {
      if (!knownTags.has(tag)) {
        throw new BadInputError("unknown_tag", `no action has the tag "${tag}"`, {
          suggestion: `Known tags: ${[...knownTags].sort().join(", ")}.`,
        });
      }
      for (const candidate of graph.actions.values()) if (candidate.tags.includes(tag)) selected.add(candidate.id);
    }
  }

  const dependents = dependentsIndex(graph);
  if (selection.includeDeps) for (const id of closure(selected, (id) => action(id).dependencies)) selected.add(id);
  if (selection.includeDependents) for (const id of closure(selected, (id) => dependents.get(id) ?? [])) selected.add(id);

  // Every gate upstream of a selected model runs, even when the model is run alone.
  for (const id of closure(selected, (id) => action(id).dependencies)) {
    if (action(id).role === "gate") selected.add(id);
  }
  // A selected model's built-in assertions run after it.
  for (const candidate of graph.actions.values()) {
    if (candidate.parent && selected.has(candidate.parent)) selected.add(candidate.id);
  }
  return selected;
}

export function planLevels(graph: ProjectGraph, selected: Set<string>): Plan {
  const levelOf = new Map<string, number>();
  const visiting = new Set<string>();
  const level = (id: string): number => {
    const known = levelOf.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) throw new BadInputError("dependency_cycle", `dependency cycle through ${id}`);
    visiting.add(id);
    const action = graph.actions.get(id) as Action;
    const inside = action.dependencies.filter((dependency) => selected.has(dependency));
    const value = inside.length === 0 ? 0 : 1 + Math.max(...inside.map(level));
    visiting.delete(id);
    levelOf.set(id, value);
    return value;
  };

  const levels: Action[][] = [];
  for (const id of selected) {
    const index = level(id);
    (levels[index] ??= []).push(graph.actions.get(id) as Action);
  }
  for (const actions of levels) {
    actions.sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.id.localeCompare(b.id));
  }
  return { levels, size: selected.size };
}

export function plan(graph: ProjectGraph, selection: Selection): Plan {
  return planLevels(graph, selectActions(graph, selection));
}
