/**
 * player_lookup: the normalised name key Phase 2 writes and Phase 3 joins on (spec section 3.0).
 * NFKC; Turkish dotless/dotted i; diacritics stripped (NFD, then NFKD, then any non-ASCII
 * dropped); case-folded; a trailing junior/senior suffix kept as jr/sr; then only [a-z0-9].
 */

const SUFFIXES: [RegExp, string][] = [
  [/\s+(junior|jr\.?)$/, " jr"],
  [/\s+(senior|sr\.?)$/, " sr"],
];

function stripMarks(text: string, form: "NFD" | "NFKD"): string {
  return text.normalize(form).replace(/\p{M}/gu, "");
}

export function playerLookup(name: string): string {
  let text = name.normalize("NFKC").replace(/ı/g, "i").replace(/İ/g, "I");
  text = stripMarks(stripMarks(text, "NFD"), "NFKD").replace(/[^ -~]/g, "");
  text = text.toLowerCase().trim();
  for (const [pattern, replacement] of SUFFIXES) text = text.replace(pattern, replacement);
  return text.replace(/[^a-z0-9]/g, "");
}
