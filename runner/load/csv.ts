/**
 * CSV payloads (RFC 4180: comma-separated, double quotes around a field that holds a comma, a
 * quote or a line break, "" for a quote inside one). A file is a header line and records; each
 * record keeps the line it starts on, for problems a person can find.
 */
import { PayloadProblems } from "./problems.ts";

export class CsvTable {
  constructor(
    readonly header: string[],
    /** Records with the 1-based line number they start on. */
    readonly records: { line: number; fields: string[] }[],
  ) {}
}

/** Parses CSV text; a record with another number of fields than the header is a problem. */
export function parseCsv(text: string): CsvTable {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let atFieldStart = true;
  const endField = () => {
    fields.push(field);
    field = "";
    atFieldStart = true;
  };
  const endRecord = () => {
    endField();
    if (!(fields.length === 1 && fields[0] === "")) records.push({ line: recordLine, fields });
    fields = [];
  };
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  for (let i = 0; i < body.length; i++) {
    const char = body[i] as string;
    if (quoted) {
      if (char === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else {
        if (char === "\n") line++;
        field += char;
      }
      continue;
    }
    if (char === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
    } else if (char === ",") {
      endField();
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && body[i + 1] === "\n") i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += char;
      atFieldStart = false;
    }
  }
  if (quoted) throw new PayloadProblems([{ path: `line ${recordLine}`, reason: "a quoted field is not closed" }]);
  endRecord();
  const [header, ...rest] = records;
  if (!header) throw new PayloadProblems([{ path: "", reason: "the file is empty: expected a header line" }]);
  const problems = rest
    .filter((record) => record.fields.length !== header.fields.length)
    .map((record) => ({ path: `line ${record.line}`, reason: `${record.fields.length} fields, the header has ${header.fields.length}` }));
  if (problems.length > 0) throw new PayloadProblems(problems);
  return new CsvTable(
    header.fields.map((name) => name.trim()),
    rest,
  );
}
