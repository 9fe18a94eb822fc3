/**
 * BigQuery's require_partition_filter rule, checked on ZetaSQL's resolved statement (not on the
 * SQL text): every scan of a partitioned table must be restricted by a filter over its partition
 * column that can be used for partition elimination, or BigQuery refuses the statement with
 * "Cannot query over table 'p.d.t' without a filter over column(s) 'c' that can be used for
 * partition elimination".
 *
 * What counts as such a filter, as BigQuery's partition pruning documents it: a term of the
 * filter's top-level AND that refers to the partition column and to no other column and holds no
 * subquery (or an OR each branch of which has one), where it restricts the scan:
 * - in a WHERE (a filter scan) or HAVING above the scan, or in the WHERE of a DELETE / UPDATE;
 * - in the ON of an inner join, or of an outer join on its NULL-supplying side (LEFT JOIN: the
 *   right table);
 * - on a column derived from the scan's column without computation: through a CTE (then every
 *   reference to the CTE must be filtered), a UNION (every branch passes the filter down), a
 *   subquery, a GROUP BY key or a plain alias;
 * - for a MERGE target: in the ON; or, when the ON reads no target column (ON FALSE), in every
 *   WHEN [NOT] MATCHED [BY SOURCE] clause, the only ones that read target rows.
 * A filter comparing the column with another table's (a join key), or computed from two columns,
 * does not count, as on BigQuery. The target of an INSERT is written, not scanned.
 */

type Json = Record<string, unknown>;

interface ColumnRef {
  id: number;
  name: string;
}

interface ScanRecord {
  table: string;
  columns: ColumnRef[];
  /** A MERGE target: the ON and the WHEN clauses that may prune it. */
  merge?: { onReadsTarget: boolean; whenFilters: Set<number>[] };
}

export interface PartitionViolation {
  table: string;
  column: string;
}

/** BigQuery's message for a scan with no usable filter on the partition column. */
export function partitionFilterError(violation: PartitionViolation): string {
  return `Cannot query over table '${violation.table}' without a filter over column(s) '${violation.column}' that can be used for partition elimination`;
}

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** A column id as the proto-JSON gives it: a number, or a Long {low, high}. */
function idOf(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string") return Number(value);
  if (isObject(value) && typeof value.low === "number") return value.low + (typeof value.high === "number" ? value.high * 2 ** 32 : 0);
  return undefined;
}

function columnOf(value: unknown): ColumnRef | undefined {
  if (!isObject(value)) return undefined;
  const id = idOf(value.columnId);
  return id === undefined ? undefined : { id, name: String(value.name ?? "") };
}

/** The columns a scan node produces (its ResolvedScan base: `parent.columnList`). */
function scanColumns(scan: unknown): ColumnRef[] {
  const node = isObject(scan) ? unwrap(scan) : undefined;
  const list = isObject(node?.parent) ? (node.parent as Json).columnList : undefined;
  return Array.isArray(list) ? list.flatMap((column) => columnOf(column) ?? []) : [];
}

/** A node as the proto-JSON wraps it, `{resolvedXNode: {...}}` (nested for subclasses), unwrapped to its fields. */
function unwrap(node: Json): Json {
  let current = node;
  for (;;) {
    const key = Object.keys(current).find((candidate) => /^resolved\w*Node$/.test(candidate));
    const inner = key ? current[key] : undefined;
    if (!isObject(inner)) return current;
    current = inner;
  }
}

/** The name and arguments of a function call expression, if `expr` is one. */
function functionCall(expr: unknown): { name: string; args: unknown[] } | undefined {
  if (!isObject(expr) || !isObject(expr.resolvedFunctionCallBaseNode)) return undefined;
  const call = (expr.resolvedFunctionCallBaseNode as Json).resolvedFunctionCallNode;
  if (!isObject(call) || !isObject(call.parent)) return undefined;
  const base = call.parent as Json;
  const name = isObject(base.function) ? String((base.function as Json).name ?? "") : "";
  return { name, args: Array.isArray(base.argumentList) ? base.argumentList : [] };
}

/** The columns an expression reads, outside subqueries, and whether it holds a subquery. */
function readsOf(expr: unknown): { ids: Set<number>; subquery: boolean } {
  const ids = new Set<number>();
  let subquery = false;
  const visit = (value: unknown) => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!isObject(value)) return;
    for (const [key, child] of Object.entries(value)) {
      if (key === "resolvedSubqueryExprNode") {
        subquery = true;
        continue;
      }
      if (key === "resolvedColumnRefNode" && isObject(child)) {
        const column = columnOf(child.column);
        if (column) ids.add(column.id);
        continue;
      }
      visit(child);
    }
  };
  visit(expr);
  return { ids, subquery };
}

/**
 * The columns a filter expression restricts so that partitions can be eliminated: a term that
 * reads one column and no subquery restricts it; an AND restricts what any of its terms does; an
 * OR what every one of its branches does (`d NOT BETWEEN a AND b OR (d BETWEEN a AND b AND ...)`
 * restricts d; `d = a OR game_id = g` does not).
 */
function prunedColumns(expr: unknown): Set<number> {
  if (expr === undefined || expr === null) return new Set();
  const call = functionCall(expr);
  if (call?.name === "ZetaSQL:$and") return new Set(call.args.flatMap((arg) => [...prunedColumns(arg)]));
  if (call?.name === "ZetaSQL:$or") {
    const [first, ...rest] = call.args.map(prunedColumns);
    return new Set([...(first ?? [])].filter((column) => rest.every((branch) => branch.has(column))));
  }
  const { ids, subquery } = readsOf(expr);
  return !subquery && ids.size === 1 ? ids : new Set();
}

/**
 * The partition-filter violations of a resolved statement: the scans of partitioned tables
 * (`partitionColumn` names a table's partition column, or undefined when it has none) with no
 * usable filter on it, in the order they appear.
 */
export function partitionViolations(resolved: unknown, partitionColumn: (table: string) => string | undefined): PartitionViolation[] {
  const scans: ScanRecord[] = [];
  /** Columns some pruning conjunct restricts. */
  const filtered = new Set<number>();
  /** Column -> the columns derived from it without computation. */
  const derived = new Map<number, number[]>();
  const withEntries = new Map<string, number[]>();
  const withRefs: { name: string; columns: number[] }[] = [];

  const derive = (source: number, column: number) => derived.set(source, [...(derived.get(source) ?? []), column]);
  const filterBy = (expr: unknown, keep: (column: number) => boolean = () => true) => {
    for (const column of prunedColumns(expr)) if (keep(column)) filtered.add(column);
  };
  const tableScan = (node: Json): ScanRecord => {
    const table = isObject(node.table) ? String((node.table as Json).fullName ?? (node.table as Json).name ?? "") : "";
    return { table, columns: scanColumns(node) };
  };

  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!isObject(value)) return;
    // A computed column that is another column as it is (GROUP BY key, alias): derived from it.
    const computed = columnOf(value.column);
    if (computed && isObject(value.expr) && isObject(value.expr.resolvedColumnRefNode)) {
      const source = columnOf((value.expr.resolvedColumnRefNode as Json).column);
      if (source) derive(source.id, computed.id);
    }
    for (const [key, child] of Object.entries(value)) {
      // The CTEs, after this loop: each one's output columns, for the references to it.
      if (key === "withEntryList") continue;
      if (!isObject(child)) {
        visit(child);
        continue;
      }
      switch (key) {
        case "resolvedTableScanNode":
          scans.push(tableScan(child));
          break;
        case "resolvedFilterScanNode":
          filterBy(child.filterExpr);
          break;
        case "resolvedJoinScanNode": {
          // joinType: 0 INNER, 1 LEFT, 2 RIGHT, 3 FULL.
          const type = Number(child.joinType ?? 0);
          const left = new Set(scanColumns(child.leftScan).map((column) => column.id));
          const right = new Set(scanColumns(child.rightScan).map((column) => column.id));
          if (type === 0) filterBy(child.joinExpr);
          else if (type === 1) filterBy(child.joinExpr, (column) => right.has(column));
          else if (type === 2) filterBy(child.joinExpr, (column) => left.has(column));
          break;
        }
        case "resolvedWithRefScanNode":
          withRefs.push({ name: String(child.withQueryName ?? ""), columns: scanColumns(child).map((column) => column.id) });
          break;
        case "resolvedSetOperationScanNode": {
          const output = scanColumns(child).map((column) => column.id);
          for (const item of Array.isArray(child.inputItemList) ? child.inputItemList : []) {
            const columns = isObject(item) && Array.isArray(item.outputColumnList) ? item.outputColumnList.flatMap((column) => columnOf(column) ?? []) : [];
            columns.forEach((column, index) => {
              const to = output[index];
              if (to !== undefined) derive(column.id, to);
            });
          }
          break;
        }
        case "resolvedDeleteStmtNode":
        case "resolvedUpdateStmtNode":
          if (isObject(child.tableScan)) scans.push(tableScan(child.tableScan));
          filterBy(child.whereExpr);
          break;
        case "resolvedMergeStmtNode": {
          if (!isObject(child.tableScan)) break;
          const target = tableScan(child.tableScan);
          const targetIds = new Set(target.columns.map((column) => column.id));
          filterBy(child.mergeExpr);
          const clauses = Array.isArray(child.whenClauseList) ? child.whenClauseList.filter(isObject) : [];
          // matchType: 0 MATCHED, 1 NOT MATCHED BY SOURCE, 2 NOT MATCHED BY TARGET (inserts: no target row read).
          const reading = clauses.filter((clause) => Number(clause.matchType ?? 0) !== 2);
          const whenFilters = reading.map((clause) => prunedColumns(clause.matchExpr));
          const onReadsTarget = [...readsOf(child.mergeExpr).ids].some((id) => targetIds.has(id));
          scans.push({ ...target, merge: { onReadsTarget, whenFilters } });
          break;
        }
        default:
          break;
      }
      visit(child);
    }
    if (Array.isArray(value.withEntryList)) {
      for (const entry of value.withEntryList) {
        if (!isObject(entry)) continue;
        withEntries.set(String(entry.withQueryName ?? ""), scanColumns(entry.withSubquery).map((column) => column.id));
        visit(entry.withSubquery);
      }
    }
  };
  visit(resolved);

  for (const reference of withRefs) {
    const entry = withEntries.get(reference.name) ?? [];
    reference.columns.forEach((column, index) => {
      const source = entry[index];
      if (source !== undefined) derive(source, column);
    });
  }

  const covered = (column: number, seen = new Set<number>()): boolean => {
    if (filtered.has(column)) return true;
    if (seen.has(column)) return false;
    seen.add(column);
    const uses = derived.get(column) ?? [];
    return uses.length > 0 && uses.every((use) => covered(use, seen));
  };

  const violations: PartitionViolation[] = [];
  for (const scan of scans) {
    const partition = partitionColumn(scan.table);
    if (!partition) continue;
    const column = scan.columns.find((candidate) => candidate.name.toLowerCase() === partition.toLowerCase());
    if (column && covered(column.id)) continue;
    if (column && scan.merge && !scan.merge.onReadsTarget && scan.merge.whenFilters.every((filters) => filters.has(column.id))) continue;
    violations.push({ table: scan.table, column: partition });
  }
  return violations;
}

/** The tables a resolved statement reads (scans, and the target of a DELETE, UPDATE or MERGE), in order, once each. */
export function tablesRead(resolved: unknown): string[] {
  const tables: string[] = [];
  const add = (node: unknown) => {
    const table = isObject(node) && isObject(node.table) ? String((node.table as Json).fullName ?? (node.table as Json).name ?? "") : "";
    if (table && !tables.includes(table)) tables.push(table);
  };
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!isObject(value)) return;
    for (const [key, child] of Object.entries(value)) {
      if (key === "resolvedTableScanNode") add(child);
      if ((key === "resolvedDeleteStmtNode" || key === "resolvedUpdateStmtNode" || key === "resolvedMergeStmtNode") && isObject(child)) add(child.tableScan);
      visit(child);
    }
  };
  visit(resolved);
  return tables;
}
