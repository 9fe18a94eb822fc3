/**
 * BigQuery's own analyzer, offline: ZetaSQL's local service (the server binary bundled in the
 * `@fivetrandevelopers/zetasql` package, driven over gRPC on localhost). A statement is analyzed
 * against a catalog of typed tables with its parameters typed, so it catches what BigQuery would
 * reject at compile time: syntax, unknown tables, columns and functions, wrong argument types,
 * ungrouped columns, bad casts of literals. Tables made by a CREATE TABLE ... AS are added to the
 * catalog with the columns the analyzer resolved, so later statements can read them.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import zetasql, { type AnalyzeRequest } from "@fivetrandevelopers/zetasql";
import type { ColumnSpec, ColumnType } from "../../runner/engines/engine.ts";

const { LanguageOptions, ZetaSQLClient } = zetasql;

/** ZetaSQL's TypeProto, as the gRPC client takes and gives it. */
export interface ZetaType {
  typeKind: string | number;
  arrayType?: { elementType: ZetaType };
  structType?: { field: { fieldName: string; fieldType: ZetaType }[] };
}

export interface ZetaColumn {
  name: string;
  type: ZetaType;
}

export interface Verdict {
  ok: boolean;
  /** ZetaSQL's error, with the line and column of the statement. */
  error: string | undefined;
  /** Columns the statement outputs (queries, CREATE TABLE ... AS). */
  columns: ZetaColumn[];
  /** The resolved statement (ZetaSQL's resolved AST in proto-JSON form), when it analyzed. */
  resolved: unknown;
}

const KIND: Record<ColumnType, string> = {
  STRING: "TYPE_STRING",
  INT64: "TYPE_INT64",
  FLOAT64: "TYPE_DOUBLE",
  NUMERIC: "TYPE_NUMERIC",
  BOOL: "TYPE_BOOL",
  DATE: "TYPE_DATE",
  TIMESTAMP: "TYPE_TIMESTAMP",
  JSON: "TYPE_JSON",
};

export function zetaType(type: ColumnType): ZetaType {
  return { typeKind: KIND[type] };
}

/** A REST query parameter type (what a job request carries) as a ZetaSQL type. */
export function restType(type: { type: string; arrayType?: unknown; structTypes?: unknown }): ZetaType {
  const name = type.type.toUpperCase();
  if (name === "ARRAY") return { typeKind: "TYPE_ARRAY", arrayType: { elementType: restType(type.arrayType as { type: string }) } };
  if (name === "STRUCT") {
    const fields = (type.structTypes ?? []) as { name: string; type: { type: string } }[];
    return { typeKind: "TYPE_STRUCT", structType: { field: fields.map((field) => ({ fieldName: field.name, fieldType: restType(field.type) })) } };
  }
  const aliases: Record<string, string> = { INTEGER: "INT64", FLOAT: "FLOAT64", BOOLEAN: "BOOL" };
  return zetaType((aliases[name] ?? name) as ColumnType);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The bundled server binary for this machine. */
function serverBinary(): string {
  const require = createRequire(import.meta.url);
  const packageDir = path.dirname(require.resolve("@fivetrandevelopers/zetasql/package.json"));
  const arch = process.arch.startsWith("arm") ? "_arm" : "";
  const extension = process.platform === "darwin" ? "" : ".so";
  return path.join(packageDir, "lib", "zetasql", `remote_server${arch}${extension}`);
}

/**
 * Finds the first `outputColumnList` in a resolved statement (query, CTAS, view). A set operation's
 * input items have an `outputColumnList` of bare columns (no `.column`), skipped: they are not the output.
 */
function outputColumns(node: unknown): ZetaColumn[] {
  if (typeof node !== "object" || node === null) return [];
  const record = node as Record<string, unknown>;
  if (Array.isArray(record.outputColumnList) && record.outputColumnList.every((column: { column?: unknown }) => column.column !== undefined)) {
    return (record.outputColumnList as { name: string; column: { type: ZetaType } }[]).map((column) => ({ name: column.name, type: column.column.type }));
  }
  for (const value of Object.values(record)) {
    const found = outputColumns(value);
    if (found.length > 0) return found;
  }
  return [];
}

export class ZetaSqlAnalyzer {
  private readonly tables = new Map<string, ZetaColumn[]>();
  private languageOptions: unknown;

  private constructor(private readonly server: ChildProcess) {}

  /** Starts the analyzer's server on a free local port. */
  static async start(): Promise<ZetaSqlAnalyzer> {
    const port = await freePort();
    const server = spawn(serverBinary(), ["localhost", String(port)], { stdio: "ignore" });
    // Never outlive the test process, even when it dies before afterAll.
    const stop = () => server.kill("SIGKILL");
    process.once("exit", stop);
    server.once("exit", () => process.off("exit", stop));
    const analyzer = new ZetaSqlAnalyzer(server);
    ZetaSQLClient.init(port);
    if (!(await ZetaSQLClient.getInstance().testConnection())) {
      await analyzer.close();
      throw new Error(`the ZetaSQL server (${serverBinary()}) did not answer on port ${port}`);
    }
    const maximum = await LanguageOptions.getMaxFeatures();
    // Every statement kind (DDL, DML, MERGE), BigQuery's external product mode, all language features.
    analyzer.languageOptions = { ...maximum, productMode: "PRODUCT_EXTERNAL", supportedStatementKinds: [] };
    return analyzer;
  }

  /** A table under its full name, written `project.dataset.table` in one pair of backticks. */
  addTable(name: string, columns: ZetaColumn[]): void {
    this.tables.set(name, columns);
  }

  addTableSpec(name: string, columns: ColumnSpec[]): void {
    this.addTable(
      name,
      columns.map((column) => ({ name: column.name, type: zetaType(column.type) })),
    );
  }

  removeTable(name: string): void {
    this.tables.delete(name);
  }

  hasTable(name: string): boolean {
    return this.tables.has(name);
  }

  columns(name: string): ZetaColumn[] | undefined {
    return this.tables.get(name);
  }

  async analyze(sql: string, params: Record<string, ZetaType> = {}): Promise<Verdict> {
    const request = {
      sqlStatement: sql,
      simpleCatalog: {
        name: "bigquery",
        table: [...this.tables].map(([name, columns]) => ({ name, column: columns })),
        builtinFunctionOptions: { languageOptions: this.languageOptions },
      },
      options: {
        languageOptions: this.languageOptions,
        errorMessageMode: "ERROR_MESSAGE_MULTI_LINE_WITH_CARET",
        queryParameters: Object.entries(params).map(([name, type]) => ({ name, type })),
      },
    };
    try {
      // Types and options are given in proto-JSON form (enum names as strings), which the typings do not model.
      const response = await ZetaSQLClient.getInstance().analyze(request as unknown as AnalyzeRequest);
      return { ok: true, error: undefined, columns: outputColumns(response?.resolvedStatement), resolved: response?.resolvedStatement };
    } catch (error) {
      const details = (error as { details?: string }).details ?? (error as Error).message;
      return { ok: false, error: details, columns: [], resolved: undefined };
    }
  }

  async close(): Promise<void> {
    if (this.server.exitCode !== null || this.server.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      this.server.once("exit", () => resolve());
      this.server.kill("SIGKILL");
    });
  }
}

/** `CREATE [OR REPLACE] TABLE `x` ... AS` / `CREATE TABLE IF NOT EXISTS `x``: the table it makes. */
export function createdTable(sql: string): string | undefined {
  return /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?`([^`]+)`/i.exec(sql)?.[1];
}
