import { describe, expect, it } from "vitest";
import { usageHistogram, usageHistogramSvg, type UsageValues } from "./usage_histogram.ts";

const THRESHOLDS = { warnAbove: 50, max: 100 };

function values(published: number[], raw: number[] = published): UsageValues {
  return { model: "player_game_summary", table: "nba_analytics.player_game_summary", published, raw, hasRaw: true };
}

/** data-series, data-from, data-to, data-count of every bar, in document order. */
function bars(svg: string): string[] {
  return [...svg.matchAll(/<rect class="bar [^"]*" data-series="([^"]*)" data-from="([^"]*)" data-to="([^"]*)" data-count="([^"]*)"/g)].map(
    (match) => `${match[1]} ${match[2]}-${match[3]}: ${match[4]}`,
  );
}

describe("usageHistogram", () => {
  it("bins by 5 points closed on the right, like the checks' 'above 50' and 'above 100'", () => {
    const histogram = usageHistogram(values([0, 5, 5.1, 50, 50.1, 100, 100.1]), THRESHOLDS);
    // The axis goes two bins past the maximum: 0-110.
    expect(histogram.end).toBe(110);
    expect(histogram.bins).toHaveLength(22);
    expect(histogram.overflow).toBeUndefined();
    const counted = histogram.bins.filter((bin) => bin.published > 0).map((bin) => `${bin.from}-${bin.to}: ${bin.published}`);
    expect(counted).toEqual(["0-5: 2", "5-10: 1", "45-50: 1", "50-55: 1", "95-100: 1", "100-105: 1"]);
    // What is right of the 100 line is what race_detection counts above 100.
    expect(histogram.bins.filter((bin) => bin.from >= 100).reduce((sum, bin) => sum + bin.published, 0)).toBe(1);
  });

  it("grows the axis with the largest value up to twice the maximum, then puts the rest in one overflow bin", () => {
    expect(usageHistogram(values([22, 131.2]), THRESHOLDS).end).toBe(135);
    // The 2026-02-03 race: usage_rate withheld (NULL), usage_rate_raw 600-1275.
    const incident = usageHistogram(values([21.5, 24], [21.5, 24, 640, 1275]), THRESHOLDS);
    expect(incident.end).toBe(200);
    expect(incident.overflow).toEqual({ from: 200, to: null, published: 0, raw: 2 });
    expect(incident).toMatchObject({ maxPublished: 24, maxRaw: 1275 });
  });
});

describe("usageHistogramSvg", () => {
  it("draws a bar per series and non-empty bin, the lines at 50 and 100, and names the overflow's largest value", () => {
    const svg = usageHistogramSvg(usageHistogram(values([21.5, 24, 24.5], [21.5, 24, 24.5, 640, 1275]), THRESHOLDS), "usage <2025-01-15>");
    expect(bars(svg)).toEqual(["usage_rate_raw 20-25: 3", "usage_rate 20-25: 3", "usage_rate_raw 200-: 2"]);
    expect(svg).toContain('class="bar raw overflow"');
    expect(svg).toContain(">max 1275</text>");
    expect(svg).toContain("<title>usage &lt;2025-01-15&gt;</title>");
    const line = (value: number) => Number(svg.match(new RegExp(`class="threshold [a-z]+" data-value="${value}" x1="([\\d.]+)"`))?.[1]);
    // 40 bins, a gap and the overflow bar share 702 px from x = 44: 50 is 10 bins in, 100 is 20.
    expect(line(50)).toBeCloseTo(44 + 10 * (702 / 42), 1);
    expect(line(100)).toBeCloseTo(44 + 20 * (702 / 42), 1);
  });

  it("colours published bars by band: normal, above the warning line, above the maximum", () => {
    const svg = usageHistogramSvg(usageHistogram(values([20, 55, 120]), THRESHOLDS), "usage");
    expect([...svg.matchAll(/class="bar published ([a-z-]+)"/g)].map((match) => match[1])).toEqual(["normal", "warn", "over-max"]);
  });
});
