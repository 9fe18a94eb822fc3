/**
 * The usage_rate histogram of a date: how the player rows' usage_rate (published) and
 * usage_rate_raw (computed, kept even when withheld) are spread, with the warning line and the
 * maximum of includes/constants.js drawn across. A normal date is one hump around 20-30; the
 * 2026-02-03 race (600-1275 %) is a red bar far to the right.
 *
 * Bins are 5 points wide and closed on the right ((20, 25], (25, 30], ...; the first is [0, 5]),
 * like the checks' "above 50" and "above 100": every row right of a line is above it. The axis
 * reaches past the maximum (so the line at 100 is always drawn) and grows with the largest value,
 * up to twice the maximum; anything beyond is one overflow bar that names the largest value.
 */
import { attrs, escapeXml, niceStep, px, ticks } from "./svg.ts";

export const USAGE_BIN_WIDTH = 5;

export interface UsageValues {
  /** The model the rows come from, e.g. player_game_summary. */
  model: string;
  /** dataset.table read. */
  table: string;
  /** usage_rate of the date's rows that have one. */
  published: number[];
  /** usage_rate_raw of the date's rows that have one (empty when the table has no such column). */
  raw: number[];
  hasRaw: boolean;
}

export interface UsageThresholds {
  /** USAGE_RATE_WARN_ABOVE: a usage above this warns. */
  warnAbove: number;
  /** USAGE_RATE_MAX: a usage above this is impossible (fails). */
  max: number;
}

export interface HistogramBin {
  /** Values above `from` (or equal, for the first bin) ... */
  from: number;
  /** ... up to `to` included; null for the overflow bin (everything above `from`). */
  to: number | null;
  published: number;
  raw: number;
}

export interface UsageHistogram extends UsageThresholds {
  binWidth: number;
  /** The right end of the regular bins; values above it are in `overflow`. */
  end: number;
  bins: HistogramBin[];
  overflow: HistogramBin | undefined;
  maxPublished: number | null;
  maxRaw: number | null;
}

function maxOf(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((max, value) => (value > max ? value : max));
}

/** Bin index of a value: [0, w] is 0, (w, 2w] is 1, ...; below 0 (never written) counts in the first. */
function binIndex(value: number, width: number): number {
  return Math.max(0, Math.ceil(value / width) - 1);
}

export function usageHistogram(values: UsageValues, thresholds: UsageThresholds, binWidth = USAGE_BIN_WIDTH): UsageHistogram {
  const maxPublished = maxOf(values.published);
  const maxRaw = maxOf(values.raw);
  const largest = Math.max(maxPublished ?? 0, maxRaw ?? 0);
  const cap = 2 * thresholds.max;
  const end = Math.min(cap, Math.max(thresholds.max + 2 * binWidth, Math.ceil(largest / binWidth) * binWidth));
  const count = Math.round(end / binWidth);
  const bins: HistogramBin[] = Array.from({ length: count }, (_, index) => ({ from: index * binWidth, to: (index + 1) * binWidth, published: 0, raw: 0 }));
  const overflow: HistogramBin = { from: end, to: null, published: 0, raw: 0 };
  const add = (value: number, series: "published" | "raw") => {
    const bin = value > end ? overflow : (bins[binIndex(value, binWidth)] as HistogramBin);
    bin[series]++;
  };
  for (const value of values.published) add(value, "published");
  for (const value of values.raw) add(value, "raw");
  return {
    ...thresholds,
    binWidth,
    end,
    bins,
    overflow: overflow.published + overflow.raw > 0 ? overflow : undefined,
    maxPublished,
    maxRaw,
  };
}

const WIDTH = 760;
const HEIGHT = 250;
const MARGIN = { left: 44, right: 14, top: 26, bottom: 40 };

/** Published bars by band: normal, above the warning line, above the maximum. */
function band(bin: HistogramBin, histogram: UsageHistogram): "normal" | "warn" | "over-max" {
  if (bin.from >= histogram.max) return "over-max";
  return bin.from >= histogram.warnAbove ? "warn" : "normal";
}

function binLabel(bin: HistogramBin): string {
  return bin.to === null ? `above ${bin.from}` : bin.from === 0 ? `0-${bin.to}` : `above ${bin.from} up to ${bin.to}`;
}

/**
 * The histogram as one <svg>: for each bin, a light bar for usage_rate_raw and a narrower solid
 * bar for usage_rate on top (a bin's withheld rows are the light part above the solid one). Only
 * bins with rows get a bar; every bar carries data-series, data-from, data-to and data-count.
 */
export function usageHistogramSvg(histogram: UsageHistogram, title: string): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const bottom = MARGIN.top + plotHeight;
  // The overflow bar sits one empty slot right of the regular bins.
  const slots = histogram.bins.length + (histogram.overflow ? 2 : 0);
  const slot = plotWidth / slots;
  const xOfValue = (value: number) => MARGIN.left + (value / histogram.binWidth) * slot;
  const xOfSlot = (index: number) => MARGIN.left + index * slot;
  const shown = [...histogram.bins, ...(histogram.overflow ? [histogram.overflow] : [])];
  const highest = Math.max(1, ...shown.map((bin) => Math.max(bin.published, bin.raw)));
  const yStep = Math.max(1, niceStep(highest, 4));
  const yMax = Math.ceil(highest / yStep) * yStep;
  const yOf = (count: number) => bottom - (count / yMax) * plotHeight;

  const parts: string[] = [];
  parts.push(`<svg ${attrs({ xmlns: "http://www.w3.org/2000/svg", class: "chart usage-histogram", viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": title })}>`);
  parts.push(`<title>${escapeXml(title)}</title>`);

  // Grid and y axis (players).
  for (const value of ticks(yMax, yStep)) {
    const y = yOf(value);
    parts.push(`<line ${attrs({ class: "grid", x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y, y2: y })}/>`);
    parts.push(`<text ${attrs({ class: "tick y", x: MARGIN.left - 6, y: y + 4, "text-anchor": "end" })}>${value}</text>`);
  }
  parts.push(`<text ${attrs({ class: "axis-title", x: 12, y: MARGIN.top + plotHeight / 2, transform: `rotate(-90 12 ${px(MARGIN.top + plotHeight / 2)})`, "text-anchor": "middle" })}>players</text>`);

  // Bars.
  shown.forEach((bin, index) => {
    const x = bin.to === null ? xOfSlot(histogram.bins.length + 1) : xOfSlot(index);
    const common = { "data-from": bin.from, "data-to": bin.to === null ? "" : bin.to };
    const overflow = bin.to === null ? " overflow" : "";
    if (bin.raw > 0) {
      parts.push(
        `<rect ${attrs({ class: `bar raw${overflow}`, "data-series": "usage_rate_raw", ...common, "data-count": bin.raw, x: x + 1, y: yOf(bin.raw), width: Math.max(1, slot - 2), height: bottom - yOf(bin.raw) })}>` +
          `<title>${escapeXml(`usage_rate_raw ${binLabel(bin)}: ${bin.raw} row(s)`)}</title></rect>`,
      );
    }
    if (bin.published > 0) {
      parts.push(
        `<rect ${attrs({ class: `bar published ${band(bin, histogram)}${overflow}`, "data-series": "usage_rate", ...common, "data-count": bin.published, x: x + slot * 0.25, y: yOf(bin.published), width: Math.max(1, slot * 0.5), height: bottom - yOf(bin.published) })}>` +
          `<title>${escapeXml(`usage_rate ${binLabel(bin)}: ${bin.published} row(s)`)}</title></rect>`,
      );
    }
  });

  // x axis: value ticks, then the overflow slot's own label.
  parts.push(`<line ${attrs({ class: "axis", x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: bottom, y2: bottom })}/>`);
  // With an overflow bar, its own label ends the axis instead of the last tick.
  for (const value of ticks(histogram.end, histogram.end > 150 ? 50 : 25).filter((value) => !histogram.overflow || value < histogram.end)) {
    parts.push(`<text ${attrs({ class: "tick x", x: xOfValue(value), y: bottom + 14, "text-anchor": "middle" })}>${value}</text>`);
  }
  if (histogram.overflow) {
    const center = xOfSlot(histogram.bins.length + 1) + slot / 2;
    parts.push(`<text ${attrs({ class: "tick x overflow", x: center, y: bottom + 14, "text-anchor": "middle" })}>&gt;${histogram.end}</text>`);
    const largest = Math.max(histogram.maxPublished ?? 0, histogram.maxRaw ?? 0);
    const top = yOf(Math.max(histogram.overflow.published, histogram.overflow.raw));
    parts.push(`<text ${attrs({ class: "overflow-max", x: center, y: top - 4, "text-anchor": "end" })}>max ${escapeXml(largest)}</text>`);
  }
  parts.push(`<text ${attrs({ class: "axis-title", x: MARGIN.left + plotWidth / 2, y: HEIGHT - 6, "text-anchor": "middle" })}>usage_rate (percent of team possessions used on the floor)</text>`);

  // The warning line and the maximum, over the bars.
  for (const [value, kind, label] of [
    [histogram.warnAbove, "warn", `warning above ${histogram.warnAbove}`],
    [histogram.max, "max", `maximum ${histogram.max}`],
  ] as const) {
    const x = xOfValue(value);
    parts.push(`<line ${attrs({ class: `threshold ${kind}`, "data-value": value, x1: x, x2: x, y1: MARGIN.top - 8, y2: bottom })}/>`);
    // Left of its line: the axis may end just right of the maximum.
    parts.push(`<text ${attrs({ class: `threshold-label ${kind}`, x: x - 4, y: MARGIN.top - 12, "text-anchor": "end" })}>${escapeXml(label)}</text>`);
  }
  parts.push("</svg>");
  return parts.join("\n");
}
