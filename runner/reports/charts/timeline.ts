/**
 * The timeline of one run of a date, from the ledger: one bar per action from its start to its
 * end, in bands by execution level, with a line where the last team model ended and one where the
 * player model started. The ordering check as a picture: the player line is right of the team line
 * (green gap), or left of it, in red, when the player model started early.
 */
import { attrs, escapeXml, niceStep, px, shorten, ticks } from "./svg.ts";

/** How an action is drawn: the team and player models of the ordering check stand out. */
export type TimelineKind = "team_model" | "player_model" | "model" | "gate" | "assertion" | "operation";

export interface TimelineAction {
  action: string;
  /** What the lane says (an assertion as "model: rule"); the full name is the bar's title. */
  label: string;
  kind: TimelineKind;
  level: number;
  status: string;
  /** ISO 8601; null when the action never started (skipped). */
  startedAt: string | null;
  finishedAt: string;
}

export interface RunTimeline {
  runId: string;
  actions: TimelineAction[];
}

export interface TimelineSummary {
  startedAt: string;
  durationMs: number;
  levels: number;
  /** When the last team model finished, and when the first player model started (ms from the run's start). */
  teamModelsEndMs: number | null;
  playerModelStartMs: number | null;
  /** player start - team end: negative when the player model started first. */
  gapMs: number | null;
}

function time(iso: string): number {
  return Date.parse(iso);
}

/** The actions as the lanes are drawn: by level, then by start, then by name. */
export function lanes(run: RunTimeline): TimelineAction[] {
  const start = (action: TimelineAction) => time(action.startedAt ?? action.finishedAt);
  return [...run.actions].sort((a, b) => a.level - b.level || start(a) - start(b) || a.action.localeCompare(b.action));
}

export function timelineSummary(run: RunTimeline): TimelineSummary {
  const starts = run.actions.map((action) => time(action.startedAt ?? action.finishedAt));
  const t0 = Math.min(...starts);
  const t1 = Math.max(...run.actions.map((action) => time(action.finishedAt)));
  const started = run.actions.filter((action) => action.startedAt !== null);
  const teamEnds = started.filter((action) => action.kind === "team_model").map((action) => time(action.finishedAt));
  const playerStarts = started.filter((action) => action.kind === "player_model").map((action) => time(action.startedAt as string));
  const teamModelsEndMs = teamEnds.length ? Math.max(...teamEnds) - t0 : null;
  const playerModelStartMs = playerStarts.length ? Math.min(...playerStarts) - t0 : null;
  return {
    startedAt: new Date(t0).toISOString(),
    durationMs: t1 - t0,
    levels: new Set(run.actions.map((action) => action.level)).size,
    teamModelsEndMs,
    playerModelStartMs,
    gapMs: teamModelsEndMs !== null && playerModelStartMs !== null ? playerModelStartMs - teamModelsEndMs : null,
  };
}

/** "0.25 s", "3 s", "2 min": a time from the run's start, with as many decimals as the step needs. */
export function formatOffset(ms: number, stepMs: number): string {
  if (stepMs >= 60_000) return `${px(ms / 60_000)} min`;
  const decimals = Math.max(0, Math.ceil(-Math.log10(stepMs / 1000) - 1e-9));
  return `${(ms / 1000).toFixed(decimals)} s`;
}

const WIDTH = 900;
const LEVEL_COLUMN = 58;
const LABEL_COLUMN = 300;
const PLOT_LEFT = LEVEL_COLUMN + LABEL_COLUMN + 8;
const PLOT_RIGHT = WIDTH - 12;
const TOP = 24;
const LANE = 14;
const BAR = 9;
const LEVEL_GAP = 4;
const BOTTOM = 32;
const LABEL_CHARACTERS = 46;
/** Width of a character of the charts' 10.5 px monospace font, to keep labels inside the chart. */
const CHARACTER_WIDTH = 6.5;

/**
 * The run as one <svg>: a mark per ledger row of the date (a bar from start to end; a diamond at
 * its end for an action that never started), each with class "mark" and data-action, data-level,
 * data-status; the lanes of a level share one band.
 */
export function timelineSvg(run: RunTimeline, title: string): string {
  const ordered = lanes(run);
  const summary = timelineSummary(run);
  const t0 = time(summary.startedAt);
  const span = Math.max(1, summary.durationMs);
  const xOf = (iso: string) => PLOT_LEFT + ((time(iso) - t0) / span) * (PLOT_RIGHT - PLOT_LEFT);
  const xOfOffset = (ms: number) => PLOT_LEFT + (ms / span) * (PLOT_RIGHT - PLOT_LEFT);

  // Lane positions: a small gap between levels.
  const levels = [...new Set(ordered.map((action) => action.level))];
  const laneY: number[] = [];
  let y = TOP;
  ordered.forEach((action, index) => {
    if (index > 0 && action.level !== (ordered[index - 1] as TimelineAction).level) y += LEVEL_GAP;
    laneY.push(y);
    y += LANE;
  });
  const plotBottom = y;
  const height = plotBottom + BOTTOM;

  const parts: string[] = [];
  parts.push(`<svg ${attrs({ xmlns: "http://www.w3.org/2000/svg", class: "chart timeline", viewBox: `0 0 ${WIDTH} ${height}`, role: "img", "aria-label": title, "data-run": run.runId })}>`);
  parts.push(`<title>${escapeXml(title)}</title>`);

  levels.forEach((level, bandIndex) => {
    const indexes = ordered.map((action, index) => (action.level === level ? index : -1)).filter((index) => index >= 0);
    const first = laneY[indexes[0] as number] as number;
    const last = (laneY[indexes.at(-1) as number] as number) + LANE;
    parts.push(`<rect ${attrs({ class: `level-band${bandIndex % 2 ? " odd" : ""}`, "data-level": level, x: 0, y: first - 1, width: WIDTH, height: last - first + 2 })}/>`);
    parts.push(`<text ${attrs({ class: "level-label", x: 6, y: first + LANE - 4 })}>${escapeXml(level < 0 ? "run" : `level ${level}`)}</text>`);
  });

  // Time ticks across the top, with a faint line down.
  const step = niceStep(span, 6);
  for (const offset of ticks(span, step)) {
    const x = xOfOffset(offset);
    parts.push(`<line ${attrs({ class: "grid", x1: x, x2: x, y1: TOP - 4, y2: plotBottom })}/>`);
    parts.push(`<text ${attrs({ class: "tick x", x, y: TOP - 8, "text-anchor": "middle" })}>${escapeXml(formatOffset(offset, step))}</text>`);
  }

  ordered.forEach((action, index) => {
    const laneTop = laneY[index] as number;
    const barTop = laneTop + (LANE - BAR) / 2;
    parts.push(`<text ${attrs({ class: `action-label ${action.kind}`, x: LEVEL_COLUMN, y: laneTop + LANE - 3.5 })}>${escapeXml(shorten(action.label, LABEL_CHARACTERS))}</text>`);
    const data = { "data-action": action.action, "data-kind": action.kind, "data-level": action.level, "data-status": action.status, "data-started": action.startedAt ?? "", "data-finished": action.finishedAt };
    const className = `mark ${action.kind} status-${action.status}`;
    const tip = `${action.action} (level ${action.level}): ${action.status}` + (action.startedAt ? `, ${action.startedAt} to ${action.finishedAt} (${time(action.finishedAt) - time(action.startedAt)} ms)` : `, not started (${action.finishedAt})`);
    if (action.startedAt !== null) {
      const x1 = xOf(action.startedAt);
      const x2 = xOf(action.finishedAt);
      parts.push(`<rect ${attrs({ class: className, ...data, x: x1, y: barTop, width: Math.max(2, x2 - x1), height: BAR, rx: 1.5 })}><title>${escapeXml(tip)}</title></rect>`);
    } else {
      const x = xOf(action.finishedAt);
      const mid = barTop + BAR / 2;
      const r = BAR / 2;
      const d = `M${px(x)} ${px(mid - r)}L${px(x + r)} ${px(mid)}L${px(x)} ${px(mid + r)}L${px(x - r)} ${px(mid)}Z`;
      parts.push(`<path ${attrs({ class: `${className} not-started`, ...data, d })}><title>${escapeXml(tip)}</title></path>`);
    }
  });

  // The ordering check: where the last team model ended, where the player model started.
  const { teamModelsEndMs: teamEnd, playerModelStartMs: playerStart, gapMs } = summary;
  const early = gapMs !== null && gapMs < 0;
  if (teamEnd !== null) {
    const x = xOfOffset(teamEnd);
    parts.push(`<line ${attrs({ class: `guide team-end${early ? " violation" : ""}`, x1: x, x2: x, y1: TOP - 4, y2: plotBottom + 4 })}/>`);
    parts.push(`<text ${attrs({ class: `guide-label team-end${early ? " violation" : ""}`, x: x - 3, y: plotBottom + 16, "text-anchor": "end" })}>team models done</text>`);
  }
  if (playerStart !== null) {
    const x = xOfOffset(playerStart);
    parts.push(`<line ${attrs({ class: `guide player-start${early ? " violation" : ""}`, x1: x, x2: x, y1: TOP - 4, y2: plotBottom + 4 })}/>`);
    const label = early ? "player model started before them" : "player model starts";
    // Right of its line, unless that runs off the chart: then left of it, a line lower.
    const right = x + 3 + label.length * CHARACTER_WIDTH < WIDTH;
    parts.push(
      `<text ${attrs({ class: `guide-label player-start${early ? " violation" : ""}`, x: right ? x + 3 : x - 3, y: plotBottom + (right ? 16 : 28), "text-anchor": right ? "start" : "end" })}>` +
        `${escapeXml(label)}</text>`,
    );
  }
  parts.push("</svg>");
  return parts.join("\n");
}
