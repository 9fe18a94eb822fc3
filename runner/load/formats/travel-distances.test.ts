import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { parseCsv } from "../csv.ts";
import { checkRowsAgainstSpec, type RawRow } from "../rows.ts";
import { fixturePath, metaFor, PROCESSED_AT, problemsOf } from "../test_support.ts";
import { looksLikeTravelDistances, parseTravelDistances } from "./travel-distances.ts";

const FILE = "nba_static_travel_distances.csv";
const text = () => fs.readFileSync(fixturePath(FILE), "utf8");

function parse(csv: string): RawRow[] {
  return parseTravelDistances(parseCsv(csv), metaFor(FILE)).travel_distances ?? [];
}

describe("travel-distances", () => {
  it("writes the 870 ordered pairs of the 30 teams, symmetric, LAL-LAC 0 miles", () => {
    const rows = parse(text());
    expect(rows).toHaveLength(870);
    expect(() => checkRowsAgainstSpec("travel_distances", rows)).not.toThrow();
    expect(new Set(rows.map((row) => row.from_team)).size).toBe(30);
    const miles = new Map(rows.map((row) => [`${row.from_team}-${row.to_team}`, row.distance_miles]));
    for (const row of rows) expect(miles.get(`${row.to_team}-${row.from_team}`), `${row.from_team}-${row.to_team}`).toBe(row.distance_miles);
    expect(miles.get("LAL-LAC")).toBe(0);
    expect(rows[0]).toEqual({
      from_team: "ATL",
      to_team: "BOS",
      from_city: "Atlanta",
      to_city: "Boston",
      distance_miles: 936,
      time_zones_crossed: 0,
      travel_direction: "neutral",
      jet_lag_factor: 0,
      source_file_path: fixturePath(FILE),
      processed_at: PROCESSED_AT,
    });
  });

  it("reports bad values, a repeated pair and a team to itself by line", () => {
    const lines = text().split("\n");
    lines[1] = "ATL,BOS,Atlanta,Boston,far,0,neutral,0.0";
    lines[3] = "ATL,BOS,Atlanta,Boston,936,0,neutral,0.0";
    lines[4] = "ATL,ATL,Atlanta,Atlanta,0,0,neutral,0.0";
    lines[5] = "ATL,XYZ,Atlanta,Nowhere,10,0,neutral,0.0";
    expect(problemsOf(() => parse(lines.join("\n")))).toEqual([
      'line 2.distance_miles: expected a whole number of miles like "936", got "far"',
      "line 5: a distance from ATL to itself",
      'line 6.to_team: not an NBA team code: "XYZ"',
    ]);
    expect(problemsOf(() => parse([lines[0], "ATL,BOS,A,B,1,0,east,0", "ATL,BOS,A,B,1,0,east,0"].join("\n")))).toEqual(["line 3: ATL to BOS already appears on line 2"]);
    expect(problemsOf(() => parse("from_team,to_team\nATL,BOS"))).toEqual(["line 1: the header has no column distance_miles"]);
    expect(problemsOf(() => parseCsv("a,b\n1,2,3\n"))).toEqual(["line 2: 3 fields, the header has 2"]);
  });

  it("reads quoted fields and CRLF line ends", () => {
    const table = parseCsv('from_team,to_team,distance_miles,from_city\r\nLAL,LAC,0,"Los Angeles, CA"\r\n');
    expect(table.records).toEqual([{ line: 2, fields: ["LAL", "LAC", "0", "Los Angeles, CA"] }]);
    expect(looksLikeTravelDistances(table)).toBe(true);
    expect(looksLikeTravelDistances({ from_team: "LAL" })).toBe(false);
  });
});
