// The data checks of the models, scoped to the run window. They check what Dataform's built-in
// assertions (config `assertions: {uniqueKey, nonNull, rowConditions}`) would check, with the
// same result columns, but only on the run dates: a built-in assertion scans the whole table,
// which a table with require_partition_filter refuses (spec 3.1) and whose cost grows with
// history. Every query filters the model's partition column with its run window
// (includes/run_window.js), so GCP Dataform runs the scoped checks too.
// definitions/assertions/model_checks.js declares one pair per model.

/** The columns as a SQL list. */
function columnList(columns) {
  return columns.join(", ");
}

/**
 * Rows of the run dates that share the key: one row per duplicated key, with index_row_count
 * (Dataform's uniqueKey assertion).
 */
function uniqueKey(relation, columns, window, windowColumn) {
  return `SELECT
  ${columnList(columns)},
  COUNT(1) AS index_row_count
FROM ${relation}
WHERE ${window.filter(windowColumn)}
GROUP BY ${columnList(columns)}
HAVING COUNT(1) > 1`;
}

/**
 * Rows of the run dates that break a condition, one row per row and condition broken, named in
 * failing_row_condition (Dataform's rowConditions assertion; nonNull columns become
 * `column IS NOT NULL` conditions, after the others, as Dataform orders them). The run dates are
 * read once, not once per condition: the rows that break any condition (a condition that is NULL,
 * like Dataform's `WHERE NOT (condition)`, breaks nothing) then carry the names of those they break.
 */
function rowConditions(relation, conditions, nonNull, window, windowColumn) {
  const all = [...conditions, ...nonNull.map((column) => `${column} IS NOT NULL`)];
  if (all.length === 0) throw new Error(`model_checks.rowConditions(${relation}): no condition to check`);
  const quoted = (condition) => `'${condition.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  return `SELECT
  failing_row_condition,
  window_rows.*
FROM (
  SELECT
    *
  FROM ${relation}
  WHERE ${window.filter(windowColumn)}
    AND (${all.map((condition) => `NOT (${condition})`).join("\n      OR ")})
) AS window_rows
CROSS JOIN UNNEST([
${all.map((condition) => `  IF(NOT (${condition}), ${quoted(condition)}, NULL)`).join(",\n")}
]) AS failing_row_condition
WHERE failing_row_condition IS NOT NULL`;
}

module.exports = { uniqueKey, rowConditions };
