import { describe, expect, it } from "vitest";
import { playerLookup } from "./player_lookup.ts";

describe("playerLookup (spec 3.0)", () => {
  it.each([
    ["LeBron James Jr.", "lebronjamesjr"],
    ["José Alvarado", "josealvarado"],
    ["O'Neal", "oneal"],
    ["Dāvis Bertāns", "davisbertans"],
    ["Nikola Jokić", "nikolajokic"],
    ["Jaren Jackson Junior", "jarenjacksonjr"],
    ["Gary Payton Sr", "garypaytonsr"],
    ["Alperen Şengün", "alperensengun"],
    ["Furkan Korkmaz", "furkankorkmaz"],
    ["  P.J. Washington ", "pjwashington"],
  ])("%s -> %s", (name, lookup) => {
    expect(playerLookup(name)).toBe(lookup);
  });
});
