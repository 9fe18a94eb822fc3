/**
 * The small pieces the report's charts are written with: escaping, fixed-precision coordinates
 * and "nice" axis steps. The charts are SVG strings built here, not by a browser script, so the
 * page needs no network and the same report always gives the same markup.
 */

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text or an attribute value, safe inside SVG (and HTML). */
export function escapeXml(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (char) => ESCAPES[char] as string);
}

/** A coordinate with one decimal, without a trailing ".0": stable markup, small files. */
export function px(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return Object.is(rounded, -0) ? "0" : String(rounded);
}

/** `name="value"` pairs for an element, values escaped; undefined values are left out. */
export function attrs(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => `${name}="${escapeXml(typeof value === "number" ? px(value) : value)}"`)
    .join(" ");
}

/** The smallest step of 1, 2 or 5 times a power of ten that cuts `span` into at most `maxTicks` parts. */
export function niceStep(span: number, maxTicks: number): number {
  if (!(span > 0)) return 1;
  const raw = span / maxTicks;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 5, 10]) {
    if (factor * power >= raw) return factor * power;
  }
  return 10 * power;
}

/** The ticks 0, step, 2 step... up to `end` (included when it falls on a step). */
export function ticks(end: number, step: number): number[] {
  const values: number[] = [];
  // Counted in steps, not summed, so that 0.1 + 0.2 never drifts off a tick.
  for (let index = 0; index * step <= end + step * 1e-9; index++) values.push(Math.round(index * step * 1e6) / 1e6);
  return values;
}

/** Cuts a label to `max` characters with an ellipsis (the full text goes in a <title>). */
export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
