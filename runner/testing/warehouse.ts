/**
 * The warehouse a model test runs on: an in-memory DuckDB holding every table a model can read,
 * empty until a case fills it. The declared sources are created from their specs (the raw tables
 * of includes/raw_tables.js, the runner's held_back_games); each model table from that model's own
 * compiled query run on the empty tables with LIMIT 0, upstream first, so it has exactly the
 * columns and types the model writes. The tables are made once per `runner test`; a case empties
 * the tables the previous one filled before it inserts its own rows.
 */
import { openDuckDBEngine } from "../engines/duckdb/engine.ts";
import type { ColumnSpec, Engine, Row, TableRef } from "../engines/engine.ts";
import { DataFailureError } from "../errors.ts";
import { HELD_BACK_COLUMNS, HELD_BACK_TABLE } from "../execution/held_back.ts";
import { RAW_TABLE_NAMES, rawTableRef, rawTables } from "../load/raw_tables.ts";
import type { Action, ProjectGraph } from "../plan/actions.ts";
import type { TestRow } from "./test_file.ts";

/** Where the output of an action that writes no table of its own (a gate) is described. */
const SCRATCH_DATASET = "runner_test";

function refOf(id: string): TableRef {
  const dot = id.indexOf(".");
  return { dataset: id.slice(0, dot), table: id.slice(dot + 1) };
}

/** The tables the runner knows how to create for a declared source, by id (dataset.table). */
function declaredSpecs(): Map<string, ColumnSpec[]> {
  const { specs } = rawTables();
  const known = new Map<string, ColumnSpec[]>();
  for (const name of RAW_TABLE_NAMES) {
    const ref = rawTableRef(name);
    known.set(`${ref.dataset}.${ref.table}`, specs[name].columns);
  }
  known.set(`${HELD_BACK_TABLE.dataset}.${HELD_BACK_TABLE.table}`, HELD_BACK_COLUMNS);
  return known;
}

export class TestWarehouse {
  /** Columns of every table made so far, by id. */
  private readonly tables = new Map<string, ColumnSpec[]>();
  /** Output columns of the actions tested so far, by id. */
  private readonly outputs = new Map<string, ColumnSpec[]>();
  /** Tables holding rows of the previous case. */
  private readonly filled = new Set<string>();

  private constructor(private readonly engine: Engine) {}

  static async open(): Promise<TestWarehouse> {
    const engine = await openDuckDBEngine({ path: ":memory:" });
    const warehouse = new TestWarehouse(engine);
    try {
      for (const [id, columns] of declaredSpecs()) {
        const ref = refOf(id);
        await engine.ensureDataset(ref.dataset);
        await engine.ensureTable(ref, { columns });
        warehouse.tables.set(id, columns);
      }
    } catch (error) {
      await engine.close();
      throw error;
    }
    return warehouse;
  }

  /** Columns of a table the warehouse has, or undefined. */
  columnsOf(id: string): ColumnSpec[] | undefined {
    return this.tables.get(id);
  }

  /**
   * Makes every table `action` reads, directly or through the models it reads, and describes what
   * it returns. A model whose query fails even on empty tables is a failure (exit 1) named here.
   */
  async prepare(graph: ProjectGraph, action: Action): Promise<ColumnSpec[]> {
    const known = this.outputs.get(action.id);
    if (known) return known;
    for (const source of action.sources) {
      if (!this.tables.has(source)) {
        throw new DataFailureError("unknown_source", `${action.id} reads ${source}, a declared table the model tests cannot create`, {
          suggestion: "Declare its columns in includes/ (as includes/raw_tables.js does) and create it in runner/testing/warehouse.ts.",
        });
      }
    }
    for (const dependency of action.dependencies) {
      const upstream = graph.actions.get(dependency);
      if (upstream?.role === "model") await this.ensureModelTable(graph, upstream);
    }
    let columns: ColumnSpec[];
    if (action.role === "model") {
      columns = await this.ensureModelTable(graph, action);
    } else {
      const scratch = { dataset: SCRATCH_DATASET, table: action.name };
      await this.engine.ensureDataset(SCRATCH_DATASET);
      await this.emptyTableFrom(scratch, action);
      columns = (await this.engine.describeTable(scratch)) ?? [];
    }
    this.outputs.set(action.id, columns);
    return columns;
  }

  private async ensureModelTable(graph: ProjectGraph, model: Action): Promise<ColumnSpec[]> {
    const existing = this.tables.get(model.id);
    if (existing) return existing;
    for (const dependency of model.dependencies) {
      const upstream = graph.actions.get(dependency);
      if (upstream?.role === "model") await this.ensureModelTable(graph, upstream);
    }
    const ref = { dataset: model.target.schema, table: model.target.name };
    await this.engine.ensureDataset(ref.dataset);
    await this.emptyTableFrom(ref, model);
    const columns = (await this.engine.describeTable(ref)) ?? [];
    this.tables.set(model.id, columns);
    return columns;
  }

  /** A table with the columns and types of the action's query, empty. */
  private async emptyTableFrom(ref: TableRef, action: Action): Promise<void> {
    await this.engine.execute(`CREATE OR REPLACE TABLE ${this.engine.qualify(ref)} AS\nSELECT * FROM (\n${action.query}\n) LIMIT 0`, {
      context: { action: action.id },
    });
  }

  /** Empties what the previous case filled, then inserts this case's rows (columns not given are NULL). */
  async load(inputs: Map<string, TestRow[]>): Promise<void> {
    for (const id of this.filled) await this.engine.execute(`DELETE FROM ${this.engine.qualify(refOf(id))} WHERE TRUE`);
    this.filled.clear();
    for (const [id, rows] of inputs) {
      if (rows.length === 0) continue;
      const columns = this.tables.get(id) ?? [];
      const given = new Set(rows.flatMap((row) => Object.keys(row)));
      await this.engine.insertRows(
        refOf(id),
        columns.filter((column) => given.has(column.name)),
        rows,
      );
      this.filled.add(id);
    }
  }

  /** The rows the action's query returns on the tables as they are. */
  async run(action: Action): Promise<Row[]> {
    return this.engine.query(action.query, { context: { action: action.id } });
  }

  async close(): Promise<void> {
    await this.engine.close();
  }
}
