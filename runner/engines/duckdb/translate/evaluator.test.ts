/**
 * The translator held to BigQuery's semantics by BigQuery's own reference: every case runs as
 * BigQuery SQL in ZetaSQL's reference evaluator (tests/bigquery/zetasql_evaluate.ts) and, translated,
 * in DuckDB with the engine's connection setup (UTC, the macros of macros.ts). The two must agree
 * on the column names and types and on the rows: exactly, except FLOAT64 within 1e-12 relative;
 * rows in order when the query ends with ORDER BY, as a multiset otherwise. When one side raises an
 * error, so must the other (messages differ and are not compared).
 *
 * Adding a construct is one line in CASES. A case must be valid BigQuery (ZetaSQL analyzes it),
 * translatable (refusals are tested in translate.test.ts), and must not depend on an order BigQuery
 * leaves unspecified.
 *
 * Known differences, left out of CASES because the translator cannot see types (it rewrites
 * tokens) or DuckDB has no equivalent:
 *  - NUMERIC division (/, SAFE_DIVIDE), AVG(NUMERIC) and POW, SQRT, EXP, LN, LOG of NUMERIC are
 *    FLOAT64 locally (DuckDB computes them in DOUBLE), NUMERIC in BigQuery.
 *  - NUMERIC * NUMERIC keeps every decimal locally (1.000000001 * 1.000000001 = 1.000000002000000001);
 *    BigQuery rounds to 9 (1.000000002).
 *  - A FLOAT64 literal next to a NUMERIC (NUMERIC '10' - 0.5) is coerced to NUMERIC by BigQuery;
 *    locally the result is FLOAT64.
 *  - ROUND(INT64) and TRUNC(INT64, d) are FLOAT64 in BigQuery; locally INT64 and NUMERIC (same value).
 *  - SUM(INT64) past the INT64 range raises in BigQuery; DuckDB sums into a 128-bit integer.
 *  - FLOAT64 +, -, *, / that overflow raise "double overflow" in BigQuery; DuckDB gives Infinity.
 *  - NaN: BigQuery's NaN = NaN is FALSE and ORDER BY puts NaN first; DuckDB's is TRUE and last.
 *  - UPPER('ß') is 'SS' and LOWER('İ') is 'i̇' in BigQuery (full Unicode case mapping); DuckDB maps
 *    one character to one.
 *  - FORMAT_DATE('%Y') of a year before 1000 is '99' in BigQuery, '0099' locally.
 *  - Strings BigQuery reads and DuckDB rejects (locally an error): CAST('0x10' AS FLOAT64); a
 *    DATETIME/TIMESTAMP string with a lowercase t or z, a one-digit or three-digit offset ('-5',
 *    '+123') or second 60.
 *  - GENERATE_ARRAY of FLOAT64 or NUMERIC raises locally (DuckDB's generate_series takes integers).
 *  - FORMAT %x, %X, %o of a negative number raise locally (BigQuery prints FORMAT('%x', -1) as -1,
 *    DuckDB's printf as ffffffffffffffff).
 *  - A NULL constant in || or CONCAT makes DuckDB type the (NULL) result INT64 instead of STRING.
 *  - [STRUCT(1, 'x'), STRUCT(2 AS a, 'y' AS b)]: BigQuery keeps the first element's anonymous
 *    fields, DuckDB takes the names a and b.
 *  - ANY_VALUE: ZetaSQL's reference may pick a NULL; BigQuery documents that NULLs are skipped,
 *    as DuckDB does (translate.test.ts).
 * Not comparable here: DATE + INTERVAL (this ZetaSQL rejects INTERVAL expressions), GROUP BY
 * ROLLUP (its reference evaluator does not implement grouping sets), query parameters, and what
 * the translator refuses (SAFE. prefix, << and >>, UNNEST without an alias...).
 */
import {
  DuckDBBlobValue,
  DuckDBConnection,
  DuckDBDateValue,
  DuckDBDecimalType,
  DuckDBDecimalValue,
  DuckDBInstance,
  DuckDBListType,
  DuckDBListValue,
  DuckDBStructType,
  DuckDBStructValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTimeValue,
  DuckDBTypeId,
  type DuckDBType,
  type DuckDBValue,
} from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  decimalText,
  hexBytes,
  isoDate,
  isoDateTime,
  isoTime,
  isoTimestamp,
  ZetaSqlEvaluator,
  type Evaluation,
  type Plain,
} from "../../../../tests/bigquery/zetasql_evaluate.ts";
import { DUCKDB_MACROS } from "../macros.ts";
import { translateToDuckDB } from "./index.ts";

/** [construct, BigQuery query]. */
const CASES: [string, string][] = [
  // Literals.
  ["string literals and escapes", String.raw`SELECT "double" AS a, 'it\'s' AS b, 'a\nb' AS c, 'caf\u00e9' AS d, r'\d+' AS e, '''x'y''' AS f, """say "hi" twice""" AS g`],
  ["bytes literals", String.raw`SELECT b'\xc3\xa9' AS a, LENGTH(b'a\\b') AS b, CAST(b'\xc3\xa9' AS STRING) AS c`],
  ["number literals: a point or exponent is FLOAT64", "SELECT 0.44 AS a, 1e3 AS b, 7 AS c, 0.1 + 0.2 = 0.3 AS d, .5 + 1. AS e, 0x1F AS f, -9223372036854775808 AS g"],
  // The nearest double to the text, not to a DECIMAL of it (0.9999999999999999 is not 1).
  ["FLOAT64 literals of 16 and 17 significant digits", "SELECT 0.9999999999999999 < 1 AS a, 1.0000000000000002 > 1 AS b, 0.30000000000000004 = 0.1 + 0.2 AS c, 9007199254740993.0 = 9007199254740992.0 AS d, 123456789.12345678 - 123456789.12345677 AS e, 4.9406564584124654e-324 > 0 AS f"],
  ["typed literals", "SELECT DATE '2025-01-15' AS d, DATETIME '2025-01-15 10:00:00' AS dt, TIMESTAMP '2025-01-15 10:00:00-05' AS ts, TIME '10:11:12.5' AS t, NUMERIC '1.50' AS n"],
  ["TIMESTAMP literals without a zone are UTC", "SELECT TIMESTAMP '2025-01-15 10:00:00' AS a, TIMESTAMP '2025-01-15' AS b, TIMESTAMP '2025-01-15 10:00:00.123456+05:30' AS c, TIMESTAMP '2025-01-15 10:00:00 America/New_York' AS d"],
  ["STRUCT and ARRAY literals", "SELECT STRUCT(1 AS a, 'x' AS b) AS s, [1, 2, 3] AS arr, ARRAY<FLOAT64>[1, 2] AS floats, STRUCT<a INT64, b STRING>(1, 'x') AS typed, [STRUCT(1 AS k, [DATE '2025-01-15'] AS ds)] AS nested"],
  ["STRUCT field names from columns, field access", "WITH t AS (SELECT 5 AS n, STRUCT(1 AS a, 'x' AS b) AS s) SELECT STRUCT(n, n * 2 AS twice) AS made, s.b AS b, s.a + 1 AS a FROM t"],
  ["ARRAY(SELECT ...)", "SELECT ARRAY(SELECT x * 2 FROM UNNEST([3, 1, 2]) AS x ORDER BY x) AS doubled, ARRAY(SELECT x FROM UNNEST([1]) AS x WHERE x > 5) AS empty"],

  // Casts.
  ["SAFE_CAST returns NULL where CAST fails", "SELECT SAFE_CAST('x' AS INT64) AS a, SAFE_CAST('2025-13-01' AS DATE) AS b, SAFE_CAST('12' AS INT64) AS c, SAFE_CAST('1e2' AS INT64) AS d, SAFE_CAST('yes' AS BOOL) AS e, SAFE_CAST(1e30 AS INT64) AS f"],
  ["SAFE_CAST and CAST of integer strings, at the INT64 limits", "SELECT s, SAFE_CAST(s AS INT64) AS v FROM UNNEST(['0', '007', '34', '123456789012345678', '999999999999999999', '9223372036854775807', '9223372036854775808', '00000000000000000000042', '-9223372036854775808', ' -9223372036854775808 ', '-9223372036854775809', ' 12', '+5', '-5', '0x1F', '-0x1f', '+0X1F', '0x7FFFFFFFFFFFFFFF', '0x8000000000000000', '-0x8000000000000000', '-0x8000000000000001', '0x0000000000000000001F', '12.5', '1e2', '', '1_000', '١٢', '12 34']) AS s"],
  ["CAST and SAFE_CAST to INT64 of string and number expressions", "SELECT m, CAST(SPLIT(m, ':')[OFFSET(0)] AS INT64) AS a, SAFE_CAST(SPLIT(m, ':')[SAFE_OFFSET(1)] AS INT64) AS b, SAFE_CAST(CONCAT(m, 'x') AS INT64) AS c, CAST(LENGTH(m) * 2.5 AS INT64) AS d FROM UNNEST(['34:12', '0:05', '7', ' 12 ']) AS m"],
  ["CAST to INT64 of a bad string expression raises", "SELECT CAST(CONCAT('1', '.5') AS INT64) AS v"],
  ["CAST of an 18-digit string", "SELECT CAST('999999999999999999' AS INT64) AS a, CAST('007' AS INT64) AS b, CAST('9223372036854775807' AS INT64) AS c"],
  ["CAST of a 19-digit string past INT64 raises", "SELECT CAST('9223372036854775808' AS INT64) AS v"],
  ["CAST('x' AS INT64) raises", "SELECT CAST('x' AS INT64) AS v"],
  ["CAST('12.5' AS INT64) raises", "SELECT CAST('12.5' AS INT64) AS v"],
  ["CAST to INT64 rounds halves away from zero", "SELECT CAST(2.5 AS INT64) AS a, CAST(-2.5 AS INT64) AS b, CAST(NUMERIC '2.5' AS INT64) AS c, CAST(' 12 ' AS INT64) AS d, CAST('-0x1F' AS INT64) AS e, CAST(0.5 AS INT64) AS f, CAST(NUMERIC '-0.5' AS INT64) AS g"],
  ["CAST of a non-finite FLOAT64 to INT64 raises", "SELECT CAST(CAST('inf' AS FLOAT64) AS INT64) AS v"],
  ["CAST FLOAT64 to STRING", "SELECT CAST(1.0 AS STRING) AS a, CAST(0.1 AS STRING) AS b, CAST(1e20 AS STRING) AS c, CAST(1 / 3 AS STRING) AS d, CAST(0.1 + 0.2 AS STRING) AS e, CAST(-0.0 AS STRING) AS f, CAST(123456789.125 AS STRING) AS g, CAST(1e-7 AS STRING) AS h"],
  ["CAST non-finite FLOAT64 to STRING", "SELECT CAST(CAST('inf' AS FLOAT64) AS STRING) AS a, CAST(CAST('-inf' AS FLOAT64) AS STRING) AS b, CAST(CAST('nan' AS FLOAT64) AS STRING) AS c"],
  ["CAST NUMERIC, DATE, BOOL, INT64 to STRING", "SELECT CAST(NUMERIC '1.50' AS STRING) AS a, CAST(NUMERIC '10' AS STRING) AS b, CAST(NUMERIC '-0.000000001' AS STRING) AS c, CAST(DATE '2025-01-15' AS STRING) AS d, CAST(TRUE AS STRING) AS e, CAST(42 AS STRING) AS f"],
  ["CAST TIMESTAMP and DATETIME to STRING", "SELECT CAST(TIMESTAMP '2025-01-15 10:00:00.12' AS STRING) AS a, CAST(TIMESTAMP '2025-01-15 10:00:00' AS STRING) AS b, CAST(TIMESTAMP '2025-01-15 10:00:00.123456' AS STRING) AS c, CAST(DATETIME '2025-01-15 10:00:00.5' AS STRING) AS d, CAST(DATETIME '2025-01-15 10:00:00' AS STRING) AS e"],
  ["CAST to BOOL takes only 'true' and 'false'", "SELECT CAST('TRUE' AS BOOL) AS a, CAST('false' AS BOOL) AS b, CAST(0 AS BOOL) AS c, CAST(2 AS BOOL) AS d"],
  ["CAST('t' AS BOOL) raises", "SELECT CAST('t' AS BOOL) AS v"],
  ["CAST to NUMERIC", "SELECT CAST(1.123456789 AS NUMERIC) AS a, CAST('1.5' AS NUMERIC) AS b, CAST(1 AS NUMERIC) AS c, CAST(0.1 AS NUMERIC) AS d, CAST('  -2.50 ' AS NUMERIC) AS e"],
  ["CAST to NUMERIC rounds to 9 decimals", "SELECT CAST('1.0000000005' AS NUMERIC) AS a, CAST('-1.0000000005' AS NUMERIC) AS b, CAST(2.0000000005 AS NUMERIC) AS c"],
  ["CAST to NUMERIC out of range raises", "SELECT CAST('1e30' AS NUMERIC) AS v"],
  ["CAST strings to DATE and TIMESTAMP", "SELECT CAST('2025-01-15' AS DATE) AS d, CAST('2025-01-15 10:00:00' AS DATETIME) AS dt, CAST('2025-01-15 10:00:00' AS TIMESTAMP) AS ts, CAST('2025-01-15T10:00:00Z' AS TIMESTAMP) AS iso"],
  ["CAST TIMESTAMP to DATE and DATETIME", "SELECT CAST(TIMESTAMP '2025-01-15 23:30:00-05' AS DATE) AS d, CAST(TIMESTAMP '2025-01-15 23:30:00-05' AS DATETIME) AS dt, CAST(DATE '2025-01-15' AS TIMESTAMP) AS ts"],
  ["CAST string to BYTES and back", "SELECT CAST('héllo' AS BYTES) AS b, CAST(CAST('héllo' AS BYTES) AS STRING) AS s"],
  ["CAST arrays and structs", "SELECT CAST([1, 2] AS ARRAY<STRING>) AS a, CAST(NULL AS STRUCT<a INT64, b ARRAY<STRUCT<c STRING>>>) AS s"],
  ["CAST on aggregates and window results", "SELECT CAST(COUNT(*) AS STRING) AS n, CAST(SUM(x) AS INT64) AS total, CAST(MAX(x) AS STRING) AS top FROM UNNEST([1.5, 2.5]) AS x"],
  ["CAST FLOAT64 to INT64 out of range raises", "SELECT CAST(1e19 AS INT64) AS v"],

  // Conditionals.
  ["IF, IFNULL, NULLIF, COALESCE", "SELECT IF(1 < 2, 'yes', 'no') AS a, IF(NULL, 1, 2) AS b, IFNULL(NULL, 5) AS c, NULLIF(1, 1) AS d, NULLIF(1, 2) AS e, COALESCE(NULL, NULL, 3) AS f, COALESCE(1, 2.5) AS g"],
  ["CASE with and without an operand", "SELECT CASE x WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END AS a, CASE WHEN x > 1 THEN x END AS b FROM UNNEST([1, 2, 3]) AS x"],
  ["only the branch taken is evaluated", "SELECT IF(x > 0, 10 / x, NULL) AS v, CASE WHEN x = 0 THEN 0 ELSE DIV(10, x) END AS d FROM UNNEST([0, 4]) AS x"],
  ["NULL logic: AND, OR, NOT, IS", "SELECT r.a AND r.b AS a_and_b, r.a OR r.b AS a_or_b, NOT r.a AS not_a, r.a IS NULL AS a_null, r.a IS TRUE AS a_true, r.a IS NOT FALSE AS a_not_false FROM UNNEST([STRUCT(TRUE AS a, CAST(NULL AS BOOL) AS b), STRUCT(FALSE, NULL), STRUCT(NULL, NULL)]) AS r"],
  ["IS DISTINCT FROM", "SELECT r.x IS DISTINCT FROM r.y AS d, r.x IS NOT DISTINCT FROM r.y AS nd FROM UNNEST([STRUCT(1 AS x, 1 AS y), STRUCT(1, NULL), STRUCT(NULL, NULL)]) AS r"],
  ["IN, BETWEEN", "SELECT x IN (1, 2) AS a, x IN (1, NULL) AS b, x BETWEEN 1 AND 2 AS c, x NOT IN (5) AS d FROM UNNEST([1, 3]) AS x"],

  // Aggregates.
  ["COUNTIF, LOGICAL_AND, LOGICAL_OR", "SELECT COUNTIF(b) AS trues, LOGICAL_AND(b) AS all_true, LOGICAL_OR(b) AS any_true, COUNTIF(NOT b) AS falses FROM UNNEST([TRUE, NULL, FALSE]) AS b"],
  ["LOGICAL_AND, LOGICAL_OR of nothing", "SELECT LOGICAL_AND(b) AS a, LOGICAL_OR(b) AS o, COUNTIF(b) AS c FROM UNNEST(CAST([] AS ARRAY<BOOL>)) AS b"],
  ["ANY_VALUE", "SELECT r.k, ANY_VALUE(r.n) AS n FROM UNNEST([STRUCT(1 AS k, 5 AS n), STRUCT(1, 5), STRUCT(2, 7)]) AS r GROUP BY r.k"],
  ["COUNT, SUM, AVG, MIN, MAX", "SELECT COUNT(*) AS n, COUNT(x) AS present, COUNT(DISTINCT x) AS distinct_x, SUM(x) AS total, AVG(x) AS mean, MIN(x) AS low, MAX(x) AS high FROM UNNEST([1, 3, NULL, 3]) AS x"],
  ["aggregates of nothing", "SELECT COUNT(*) AS n, SUM(x) AS total, AVG(x) AS mean, MAX(x) AS high FROM UNNEST(CAST([] AS ARRAY<INT64>)) AS x"],
  ["SUM and AVG of FLOAT64 and NUMERIC", "SELECT SUM(r.f) AS sf, AVG(r.f) AS af, SUM(r.n) AS sn FROM UNNEST([STRUCT(0.1 AS f, NUMERIC '0.1' AS n), STRUCT(0.2, NUMERIC '0.2'), STRUCT(0.4, NUMERIC '0.000000001')]) AS r"],
  ["STDDEV, VARIANCE, CORR", "SELECT STDDEV(x) AS sd, STDDEV_POP(x) AS sdp, VARIANCE(x) AS v, VAR_POP(x) AS vp, CORR(x, 2 * x) AS c, COVAR_SAMP(x, x) AS cs FROM UNNEST([1.0, 2.0, 4.0]) AS x"],
  ["STDDEV of one row is NULL", "SELECT STDDEV(x) AS sd, VARIANCE(x) AS v, STDDEV_POP(x) AS sdp FROM UNNEST([1.0]) AS x"],
  ["MIN and MAX of strings, dates, bools", "SELECT MIN(r.s) AS s_low, MAX(r.s) AS s_high, MIN(r.d) AS d_low, MAX(r.b) AS b_high FROM UNNEST([STRUCT('b' AS s, DATE '2025-01-15' AS d, FALSE AS b), STRUCT('a', DATE '2024-01-01', TRUE), STRUCT('B', DATE '2026-01-01', NULL)]) AS r"],
  ["GROUP BY, HAVING", "SELECT MOD(x, 2) AS parity, COUNT(*) AS n, SUM(x) AS total FROM UNNEST([1, 2, 3, 4, 5]) AS x GROUP BY parity HAVING COUNT(*) > 2"],
  ["GROUP BY a NULL key", "SELECT k, COUNT(*) AS n FROM UNNEST([1, NULL, NULL, 2]) AS k GROUP BY k"],
  ["ARRAY_AGG with ORDER BY and LIMIT", "SELECT ARRAY_AGG(x ORDER BY x DESC LIMIT 2) AS top2, ARRAY_AGG(x IGNORE NULLS ORDER BY x) AS present, ARRAY_AGG(DISTINCT x IGNORE NULLS ORDER BY x) AS distinct_x, ARRAY_LENGTH(ARRAY_AGG(x)) AS all_rows FROM UNNEST([1, 3, NULL, 2, 3]) AS x"],
  ["ARRAY_AGG ORDER BY puts NULLs first", "SELECT ARRAY_AGG(x ORDER BY x)[OFFSET(0)] IS NULL AS null_first, ARRAY_AGG(x ORDER BY x DESC)[OFFSET(4)] IS NULL AS null_last_desc FROM UNNEST([1, 3, NULL, 2, 3]) AS x"],
  ["ARRAY_AGG of structs, by group", "SELECT r.k, ARRAY_AGG(STRUCT(r.v AS v, r.v * 2 AS w) ORDER BY r.v) AS items FROM UNNEST([STRUCT('a' AS k, 2 AS v), STRUCT('a', 1), STRUCT('b', 5)]) AS r GROUP BY r.k"],
  ["ARRAY_AGG of nothing is an empty array", "SELECT ARRAY_AGG(x) AS a FROM UNNEST(CAST([] AS ARRAY<INT64>)) AS x"],
  ["STRING_AGG with and without ORDER BY", "SELECT STRING_AGG(x, '|' ORDER BY x DESC) AS s, STRING_AGG(x ORDER BY x) AS d, STRING_AGG(DISTINCT x, '' ORDER BY x) AS u FROM UNNEST(['a', NULL, 'b', 'a']) AS x"],
  ["STRING_AGG of nothing is NULL", "SELECT STRING_AGG(x) AS s FROM UNNEST(CAST([] AS ARRAY<STRING>)) AS x"],

  // Windows and QUALIFY.
  ["window functions: running SUM, RANK, ROW_NUMBER by partition", "SELECT x, SUM(x) OVER (ORDER BY x) AS running, RANK() OVER (ORDER BY x DESC) AS rank_desc, ROW_NUMBER() OVER (PARTITION BY MOD(x, 2) ORDER BY x) AS nth_in_parity FROM UNNEST([1, 2, 3]) AS x"],
  ["running SUM with ties sums the peers (RANGE frame)", "SELECT x, SUM(x) OVER (ORDER BY x) AS running, COUNT(*) OVER (ORDER BY x) AS seen FROM UNNEST([1, 2, 2, 3]) AS x"],
  ["RANK, DENSE_RANK, PERCENT_RANK, CUME_DIST, NTILE", "SELECT x, RANK() OVER w AS r, DENSE_RANK() OVER w AS dr, PERCENT_RANK() OVER w AS pr, CUME_DIST() OVER w AS cd, NTILE(2) OVER w AS tile FROM UNNEST([10, 20, 20, 30]) AS x WINDOW w AS (ORDER BY x)"],
  ["LAG and LEAD with offsets and defaults", "SELECT x, LAG(x) OVER (ORDER BY x) AS prev, LEAD(x, 2) OVER (ORDER BY x) AS next2, LAG(x, 1, -1) OVER (ORDER BY x) AS prev_or FROM UNNEST([1, 2, 3, 4]) AS x"],
  ["FIRST_VALUE, LAST_VALUE, NTH_VALUE with frames", "SELECT x, FIRST_VALUE(x) OVER (ORDER BY x) AS first, LAST_VALUE(x) OVER (ORDER BY x) AS last_default, LAST_VALUE(x) OVER (ORDER BY x ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last_all, NTH_VALUE(x, 2) OVER (ORDER BY x ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS second FROM UNNEST([1, 2, 3]) AS x"],
  ["moving AVG over ROWS", "SELECT x, AVG(x) OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS moving, COUNT(*) OVER (PARTITION BY x > 1) AS group_size FROM UNNEST([1, 2, 4, 8]) AS x"],
  ["window ORDER BY puts NULLs first", "SELECT x, ROW_NUMBER() OVER (ORDER BY x) AS n, ROW_NUMBER() OVER (ORDER BY x DESC) AS n_desc FROM UNNEST([2, NULL, 1]) AS x"],
  ["QUALIFY keeps the latest game per player", "WITH scores AS (SELECT 'a' AS player, 1 AS game, 10 AS points UNION ALL SELECT 'a', 2, 30 UNION ALL SELECT 'b', 1, 20) SELECT player, points FROM scores WHERE TRUE QUALIFY ROW_NUMBER() OVER (PARTITION BY player ORDER BY game DESC) = 1"],
  ["QUALIFY on a window in the select list", "SELECT x, RANK() OVER (ORDER BY x) AS r FROM UNNEST([3, 1, 2]) AS x WHERE TRUE QUALIFY r <= 2"],

  // Query clauses.
  ["ORDER BY: NULLs first ascending", "SELECT x FROM UNNEST([2, NULL, 1]) AS x ORDER BY x"],
  ["ORDER BY: NULLs last descending", "SELECT x FROM UNNEST([2, NULL, 1]) AS x ORDER BY x DESC"],
  ["ORDER BY ... NULLS LAST / NULLS FIRST", "SELECT r.x, r.y FROM UNNEST([STRUCT(2 AS x, 1 AS y), STRUCT(NULL, 2), STRUCT(1, NULL), STRUCT(1, 3)]) AS r ORDER BY r.x NULLS LAST, r.y DESC NULLS FIRST"],
  ["ORDER BY strings compares code points", "SELECT s FROM UNNEST(['b', 'B', 'a', 'é', 'e', '']) AS s ORDER BY s"],
  ["LIMIT and OFFSET", "SELECT x FROM UNNEST([5, 4, 3, 2, 1]) AS x ORDER BY x LIMIT 2 OFFSET 1"],
  ["SELECT * EXCEPT / REPLACE", "WITH t AS (SELECT 1 AS a, 2 AS b, 3 AS c) SELECT * EXCEPT (b) REPLACE (c * 10 AS c) FROM t"],
  ["SELECT DISTINCT", "SELECT DISTINCT x FROM UNNEST([1, 1, NULL, NULL, 2]) AS x"],
  ["UNION / INTERSECT / EXCEPT DISTINCT, UNION ALL", "SELECT 'u' AS op, x FROM (SELECT x FROM UNNEST([1, 1, 2]) AS x UNION DISTINCT SELECT 2) UNION ALL SELECT 'i', x FROM (SELECT x FROM UNNEST([1, 2]) AS x INTERSECT DISTINCT SELECT 2) UNION ALL SELECT 'e', x FROM (SELECT x FROM UNNEST([1, 2]) AS x EXCEPT DISTINCT SELECT 2) UNION ALL SELECT 'a', 1 UNION ALL SELECT 'a', 1"],
  ["WITH, joins, USING", "WITH a AS (SELECT 1 AS k, 'x' AS v UNION ALL SELECT 2, 'y'), b AS (SELECT 2 AS k, TRUE AS f UNION ALL SELECT 3, FALSE) SELECT k, a.v, b.f FROM a FULL JOIN b USING (k)"],
  ["LEFT JOIN keeps unmatched rows", "WITH a AS (SELECT 1 AS k UNION ALL SELECT 2), b AS (SELECT 2 AS k, 'x' AS v) SELECT a.k, b.v FROM a LEFT JOIN b ON a.k = b.k"],
  ["scalar and EXISTS subqueries", "SELECT (SELECT MAX(x) FROM UNNEST([1, 5, 3]) AS x) AS top, EXISTS(SELECT 1 FROM UNNEST([1]) AS x WHERE x > 2) AS any_big, (SELECT x FROM UNNEST([7]) AS x WHERE x > 10) AS none"],
  ["IN (subquery) with NULLs", "SELECT 1 IN (SELECT x FROM UNNEST([1, NULL]) AS x) AS found, 3 IN (SELECT x FROM UNNEST([1, NULL]) AS x) AS unknown, 3 NOT IN (SELECT x FROM UNNEST([1, 2]) AS x) AS absent"],

  // UNNEST.
  ["UNNEST names the element after its alias", "SELECT x FROM UNNEST(['a', 'b']) AS x"],
  ["UNNEST WITH OFFSET counts from 0", "SELECT x, i FROM UNNEST(['a', 'b', 'c']) AS x WITH OFFSET AS i"],
  ["correlated UNNEST in a comma join", "SELECT t.k, p FROM (SELECT 1 AS k, ['x', 'y'] AS arr UNION ALL SELECT 2, ['z']) AS t, UNNEST(t.arr) AS p"],
  ["LEFT JOIN UNNEST WITH OFFSET keeps empty arrays", "SELECT t.k, x, i FROM (SELECT 1 AS k, ['x', 'y'] AS arr UNION ALL SELECT 2, []) AS t LEFT JOIN UNNEST(t.arr) AS x WITH OFFSET AS i"],
  ["CROSS JOIN UNNEST drops empty arrays", "SELECT t.k, x FROM (SELECT 1 AS k, [1, 2] AS arr UNION ALL SELECT 2, CAST([] AS ARRAY<INT64>)) AS t CROSS JOIN UNNEST(t.arr) AS x"],
  ["UNNEST of structs", "SELECT s.a, s.b FROM UNNEST([STRUCT(1 AS a, 'x' AS b), STRUCT(2 AS a, 'y' AS b)]) AS s"],
  ["UNNEST of NULL elements", "SELECT x FROM UNNEST([1, NULL, 2]) AS x"],
  ["x IN UNNEST(array) with IN's NULL semantics", "SELECT 'a' IN UNNEST(['a', 'b']) AS found, 'c' IN UNNEST(['a', 'b']) AS missing, 'a' IN UNNEST(CAST([] AS ARRAY<STRING>)) AS in_empty, 'c' IN UNNEST(['a', NULL]) AS unknown, 'a' NOT IN UNNEST(['a']) AS negated"],

  // Arrays.
  ["OFFSET, ORDINAL, SAFE_OFFSET, SAFE_ORDINAL", "SELECT [10, 20, 30][OFFSET(0)] AS o, [10, 20, 30][ORDINAL(3)] AS n, [10, 20][SAFE_OFFSET(2)] AS so, [10, 20][SAFE_ORDINAL(0)] AS sn, [10, 20][1] AS bare, [10, 20][SAFE_OFFSET(-1)] AS neg"],
  ["OFFSET out of range raises", "SELECT [10, 20][OFFSET(2)] AS v"],
  ["negative OFFSET raises", "SELECT [10, 20][OFFSET(-1)] AS v"],
  ["ORDINAL(0) raises", "SELECT [10, 20][ORDINAL(0)] AS v"],
  ["SPLIT(...)[SAFE_OFFSET(i)]", "SELECT SPLIT('20250115_LAL_PHI', '_')[SAFE_OFFSET(2)] AS a, SPLIT('20250115_LAL_PHI', '_')[OFFSET(0)] AS b"],
  ["ARRAY_LENGTH, ARRAY_CONCAT, ARRAY_REVERSE", "SELECT ARRAY_LENGTH([1, 2, 3]) AS n, ARRAY_LENGTH(CAST([] AS ARRAY<INT64>)) AS zero, ARRAY_CONCAT([1], [2, 3]) AS joined, ARRAY_REVERSE([1, 2, 3]) AS reversed"],
  ["ARRAY_CONCAT with NULL is NULL", "SELECT ARRAY_CONCAT([1], a) AS v, ARRAY_LENGTH(a) AS n FROM (SELECT CAST(NULL AS ARRAY<INT64>) AS a)"],
  ["ARRAY_TO_STRING skips NULLs", "SELECT ARRAY_TO_STRING(['a', NULL, 'b'], '-') AS text, ARRAY_TO_STRING(CAST([] AS ARRAY<STRING>), ',') AS empty"],
  ["GENERATE_ARRAY", "SELECT GENERATE_ARRAY(1, 7, 3) AS a, GENERATE_ARRAY(5, 1, -2) AS b, GENERATE_ARRAY(3, 1) AS empty, GENERATE_ARRAY(1, 2) AS c"],

  // Arithmetic.
  ["/ is FLOAT64 division", "SELECT 5 / 2 AS a, -7 / 2 AS b, 1 / 3 AS c, 4 / 2 AS d"],
  ["division by zero raises", "SELECT 1 / 0 AS v"],
  ["division by a zero column raises", "SELECT 10 / (x - 2) AS v FROM UNNEST([2]) AS x"],
  ["FLOAT64 division by zero raises", "SELECT 1.5 / 0.0 AS v"],
  ["NUMERIC division by zero raises", "SELECT NUMERIC '1' / NUMERIC '0' AS v"],
  ["SAFE_DIVIDE is NULL on zero", "SELECT SAFE_DIVIDE(1, 0) AS a, SAFE_DIVIDE(1, 4) AS b, SAFE_DIVIDE(0, 0) AS c, SAFE_DIVIDE(NULL, 1) AS d, SAFE_DIVIDE(1.5, 0.5) AS e"],
  ["IEEE_DIVIDE returns Infinity and NaN", "SELECT IEEE_DIVIDE(1, 0) AS a, IEEE_DIVIDE(-1, 0) AS b, IEEE_DIVIDE(0, 0) AS c, IEEE_DIVIDE(1, 4) AS d"],
  ["DIV truncates toward zero", "SELECT DIV(7, 2) AS a, DIV(-20, 3) AS b, DIV(20, -3) AS c, DIV(-7, -2) AS d"],
  ["DIV by zero raises", "SELECT DIV(1, 0) AS v"],
  ["MOD keeps the dividend's sign", "SELECT MOD(-25, 12) AS a, MOD(25, -12) AS b, MOD(25, 12) AS c, MOD(0, 5) AS d"],
  ["MOD by zero raises", "SELECT MOD(1, 0) AS v"],
  ["integer overflow raises", "SELECT 9223372036854775807 + 1 AS v"],
  ["integer multiplication overflow raises", "SELECT 4611686018427387904 * 2 AS v"],
  ["unary minus and integer arithmetic types", "SELECT -x AS neg, x + 1 AS plus, x * 2 AS times, x - 0.5 AS minus_float FROM UNNEST([3]) AS x"],
  ["ABS, SIGN", "SELECT ABS(-3) AS a, ABS(-2.5) AS b, SIGN(-2) AS c, SIGN(2.5) AS d, SIGN(0) AS e, ABS(NUMERIC '-1.5') AS f, SIGN(NUMERIC '-1.5') AS g"],
  ["ABS of the smallest INT64 raises", "SELECT ABS(-9223372036854775808) AS v"],
  ["SQRT, POW, LN, LOG, LOG10, EXP", "SELECT SQRT(16) AS q, POW(2, 10) AS p, POWER(2, -1) AS h, LN(1) AS l, LOG10(100) AS t, LOG(8, 2) AS b, LOG(100) AS n, EXP(0) AS e"],
  ["SQRT(-1) raises", "SELECT SQRT(-1) AS v"],
  ["POW(0, -1) raises", "SELECT POW(0, -1) AS v"],
  ["POW(-8, 1 / 3) raises", "SELECT POW(-8, 1 / 3) AS v"],
  ["EXP(1000) raises", "SELECT EXP(1000) AS v"],
  ["LN(0) raises", "SELECT LN(0) AS v"],
  ["LOG(x, 1) raises", "SELECT LOG(8, 1) AS v"],
  ["FLOOR and CEIL", "SELECT FLOOR(-1.5) AS f, CEIL(1.2) AS c, CEILING(-1.2) AS c2, FLOOR(2) AS fi, CEIL(NUMERIC '1.2') AS cn"],
  ["ROUND rounds halves away from zero", "SELECT ROUND(2.5) AS a, ROUND(-2.5) AS b, ROUND(0.5) AS c, ROUND(1.5) AS d, ROUND(-0.5) AS e"],
  ["ROUND with digits, of the exact binary value", "SELECT ROUND(0.125, 2) AS a, ROUND(2.675, 2) AS b, ROUND(-1.45, 1) AS c, ROUND(1.005, 2) AS d, ROUND(123.456, -1) AS e"],
  ["ROUND of INT64 values, as FLOAT64", "SELECT ROUND(CAST(1250 AS FLOAT64), -2) AS a, ROUND(CAST(-1250 AS FLOAT64), -2) AS c"],
  ["ROUND of NUMERIC rounds halves away from zero", "SELECT ROUND(NUMERIC '2.675', 2) AS a, ROUND(NUMERIC '-2.5') AS b, ROUND(NUMERIC '2.5') AS c, ROUND(NUMERIC '1250', -2) AS d"],
  ["ROUND and TRUNC of expressions and aggregates (the argument bound once)", "SELECT ROUND(SAFE_DIVIDE(SUM(x), COUNT(*)), 2) AS a, ROUND(x * 1.0, 1) AS b, TRUNC(-x / 3, 2) AS c, ROUND(AVG(x) * 100, -1) AS d FROM UNNEST([2.675, 0.125, -1.45]) AS x GROUP BY x ORDER BY x"],
  ["ROUND and TRUNC of a column and of NULL", "SELECT ROUND(t.x, 2) AS a, TRUNC(t.x, 1) AS b, ROUND(CAST(NULL AS FLOAT64), 1) AS c FROM (SELECT x FROM UNNEST([2.675, 1.005, -0.5]) AS x) AS t ORDER BY t.x"],
  ["ROUND and TRUNC next to a tie, for digits either side of the point", "SELECT x, ROUND(x, 1) AS r1, ROUND(x, 3) AS r3, ROUND(x * 1000, -2) AS rm2, TRUNC(x, 1) AS t1, TRUNC(x, 2) AS t2, TRUNC(x * 100, -1) AS tm1 FROM UNNEST([1.15, -1.15, 1.0005, 2.0015, 0.0625, -0.0625, 0.125, 2.3, -2.3, 0.29, 4.35, 23.25, -23.25, 0.45, 1.45, 8.345, 1.0000000000000002]) AS x ORDER BY x"],
  ["TRUNC toward zero, of the exact binary value", "SELECT TRUNC(-1.7) AS a, TRUNC(1.99, 1) AS b, TRUNC(2.3, 1) AS c, TRUNC(NUMERIC '1.239', 2) AS d, TRUNC(1259.0, -1) AS e"],
  ["GREATEST and LEAST", "SELECT GREATEST(1, 3, 2) AS a, LEAST(2, 1) AS b, LEAST('b', 'a') AS c, GREATEST(1, 2.5) AS d, GREATEST(DATE '2025-01-15', DATE '2024-01-01') AS e"],
  ["GREATEST and LEAST with NULL", "SELECT GREATEST(1, NULL, 3) AS a, LEAST(2, NULL) AS b, GREATEST(CAST(NULL AS STRING), 'a') AS c"],
  ["GREATEST and LEAST of expressions (their list bound once), NULL and NaN among them", "SELECT x, GREATEST(x + 1, 2 * x) AS g, LEAST(x - 1, IF(x > 1, NULL, x)) AS l, LEAST(x * 1.0, IF(x = 2, CAST('nan' AS FLOAT64), 5.0)) AS n, GREATEST(0, CAST(ROUND(x / 2) AS INT64) - 1) AS c FROM UNNEST([1, 2, 3]) AS x"],
  ["GREATEST and LEAST with NaN", "SELECT LEAST(2.0, CAST('nan' AS FLOAT64)) AS a, GREATEST(2.0, CAST('nan' AS FLOAT64)) AS b"],
  ["NUMERIC addition and multiplication are exact", "SELECT NUMERIC '1.123456789' * 3 AS a, NUMERIC '0.1' + NUMERIC '0.2' AS c, NUMERIC '0.1' + NUMERIC '0.2' = NUMERIC '0.3' AS d, NUMERIC '99999999999999999999.5' - NUMERIC '0.5' AS e"],
  ["NUMERIC and INT64 mix", "SELECT NUMERIC '1.5' + 1 AS a, 2 * NUMERIC '1.25' AS b, NUMERIC '7' - 10 AS c"],
  ["FLOAT64 special values", "SELECT IS_NAN(CAST('nan' AS FLOAT64)) AS a, IS_INF(CAST('-inf' AS FLOAT64)) AS b, CAST('inf' AS FLOAT64) > 1e308 AS c, IS_NAN(IEEE_DIVIDE(0, 0)) AS d"],

  // Strings.
  ["CONCAT is NULL when any argument is NULL", "SELECT CONCAT('a', 'b', 'c') AS a, CONCAT('a', n) AS b, CONCAT('x') AS c, 'a' || 'b' AS d, 'a' || n AS e FROM UNNEST([CAST(NULL AS STRING)]) AS n"],
  ["LOWER, UPPER", "SELECT LOWER('ÀB') AS a, UPPER('àb') AS b, UPPER('ǆ') AS c, LOWER('ΑΒΓ') AS d"],
  ["LENGTH of strings and bytes", "SELECT LENGTH('héllo') AS a, LENGTH(CAST('héllo' AS BYTES)) AS b, CHAR_LENGTH('😀') AS c, LENGTH('') AS d"],
  ["SUBSTR with positions 0, negative and beyond the end", "SELECT SUBSTR('apple', 2) AS a, SUBSTR('apple', 2, 2) AS b, SUBSTR('apple', -2) AS c, SUBSTR('apple', 0, 2) AS d, SUBSTR('apple', -123) AS e, SUBSTR('apple', 123) AS f, SUBSTRING('apple', -3, 2) AS g, SUBSTR('apple', -7, 3) AS h"],
  ["SUBSTR with a negative length raises", "SELECT SUBSTR('apple', 1, -1) AS v"],
  ["STRPOS, STARTS_WITH, ENDS_WITH, REPLACE", "SELECT STRPOS('hello', 'l') AS p, STRPOS('hello', 'z') AS z, STARTS_WITH('hello', 'he') AS s, ENDS_WITH('hello', 'lo') AS e, REPLACE('a.b.c', '.', '-') AS r, REPLACE('abc', '', 'x') AS empty_from"],
  ["TRIM, LTRIM, RTRIM", String.raw`SELECT TRIM('\t a b \n\u3000') AS a, LTRIM('  a  ') AS b, RTRIM('  a  ') AS c, TRIM('xxaxx', 'x') AS d, TRIM('abcba', 'ab') AS e`],
  ["SPLIT", "SELECT SPLIT('a,b,,c') AS a, SPLIT('a b', ' ') AS b, SPLIT('') AS c, SPLIT('abc', '') AS d, SPLIT('a--b', '--') AS e"],
  ["REGEXP_CONTAINS", String.raw`SELECT REGEXP_CONTAINS('foo123', r'[0-9]+') AS a, REGEXP_CONTAINS('a\nb', r'a.b') AS b, REGEXP_CONTAINS('abc', r'^b') AS c, REGEXP_CONTAINS('ABC', r'(?i)abc') AS d`],
  ["REGEXP_REPLACE replaces every match", String.raw`SELECT REGEXP_REPLACE('aaa', 'a', 'b') AS a, REGEXP_REPLACE('abc', r'(b)', r'<\1>') AS b, REGEXP_REPLACE('a1b22c', r'\d+', '#') AS c, REGEXP_REPLACE('abc', r'x*', '-') AS d, REGEXP_REPLACE('abc', r'.', r'\0\0') AS e`],
  ["REGEXP_EXTRACT", String.raw`SELECT REGEXP_EXTRACT('foo123bar', r'[0-9]+') AS a, REGEXP_EXTRACT('foo123bar', r'o([0-9]+)b') AS b, REGEXP_EXTRACT('foobar', r'[0-9]+') AS c, REGEXP_EXTRACT('a1b2', r'\d') AS d, REGEXP_SUBSTR('xay', 'a') AS e`],
  ["REGEXP_EXTRACT of an empty match", String.raw`SELECT REGEXP_EXTRACT('abc', r'x*') AS a, REGEXP_EXTRACT('abc', r'^') AS b`],
  ["LPAD and RPAD", "SELECT LPAD('abc', 5) AS a, LPAD('abc', 6, 'xy') AS b, LPAD('abc', 2) AS c, RPAD('abc', 5, '-') AS d, RPAD('abc', 7, 'xy') AS e"],
  ["LPAD with a negative length raises", "SELECT LPAD('abc', -1) AS v"],
  ["FORMAT with printf specifiers", "SELECT FORMAT('%d-%s', 5, 'x') AS a, FORMAT('%.2f|%5d|%-3d|', 3.14159, 42, 7) AS b, FORMAT('%d', NULL) AS c, FORMAT('%x %o %e', 255, 8, 12345.678) AS d, FORMAT('%05.1f%%', 2.25) AS e"],
  ["LIKE with BigQuery's backslash escape", String.raw`SELECT 'a_b' LIKE 'a\\_b' AS a, 'axb' LIKE 'a\\_b' AS b, 'axb' LIKE 'a_b' AS c, 'a%' NOT LIKE CONCAT('a', '\\%') AS d, 'abc' LIKE '%B%' AS e, 'a\nb' LIKE 'a_b' AS f`],
  ["string comparison is by code point", "SELECT 'a' < 'B' AS a, 'é' > 'z' AS b, 'abc' < 'abd' AS c"],

  // Dates and times.
  ["EXTRACT(DAYOFWEEK) is 1 for Sunday", "SELECT d, EXTRACT(DAYOFWEEK FROM d) AS dow FROM UNNEST([DATE '2025-01-12', DATE '2025-01-13', DATE '2025-01-18']) AS d"],
  ["EXTRACT date parts", "SELECT EXTRACT(YEAR FROM d) AS y, EXTRACT(MONTH FROM d) AS m, EXTRACT(DAY FROM d) AS dd, EXTRACT(DAYOFYEAR FROM d) AS doy, EXTRACT(QUARTER FROM d) AS q FROM UNNEST([DATE '2025-02-01', DATE '2024-12-31']) AS d"],
  ["EXTRACT(WEEK) counts Sunday-started weeks from 0", "SELECT d, EXTRACT(WEEK FROM d) AS w, EXTRACT(WEEK(MONDAY) FROM d) AS wm, EXTRACT(ISOWEEK FROM d) AS iw, EXTRACT(ISOYEAR FROM d) AS iy FROM UNNEST([DATE '2025-01-04', DATE '2025-01-05', DATE '2024-12-30', DATE '2021-01-03', DATE '2020-12-31']) AS d"],
  ["EXTRACT time parts of a TIMESTAMP", "SELECT EXTRACT(HOUR FROM ts) AS h, EXTRACT(MINUTE FROM ts) AS mi, EXTRACT(SECOND FROM ts) AS s, EXTRACT(MILLISECOND FROM ts) AS ms, EXTRACT(MICROSECOND FROM ts) AS us FROM UNNEST([TIMESTAMP '2025-01-15 10:07:08.123456']) AS ts"],
  ["EXTRACT(DATE / DATETIME / TIME FROM timestamp)", "SELECT EXTRACT(DATE FROM ts) AS d, EXTRACT(DATETIME FROM ts) AS dt, EXTRACT(TIME FROM ts) AS t FROM UNNEST([TIMESTAMP '2025-01-15 23:30:00-05']) AS ts"],
  ["EXTRACT ... AT TIME ZONE", "SELECT EXTRACT(HOUR FROM ts AT TIME ZONE 'America/New_York') AS h, EXTRACT(DATE FROM ts AT TIME ZONE 'Asia/Tokyo') AS d FROM UNNEST([TIMESTAMP '2025-01-15 20:00:00']) AS ts"],
  ["EXTRACT from a DATETIME", "SELECT EXTRACT(HOUR FROM dt) AS h, EXTRACT(DAYOFWEEK FROM dt) AS dow, EXTRACT(DATE FROM dt) AS d FROM UNNEST([DATETIME '2025-01-12 22:15:00']) AS dt"],
  ["DATE_ADD / DATE_SUB return a DATE, clamping to the month's end", "SELECT DATE_ADD(DATE '2025-01-31', INTERVAL 1 MONTH) AS m, DATE_ADD(DATE '2025-01-15', INTERVAL 2 WEEK) AS w, DATE_SUB(DATE '2025-01-15', INTERVAL 20 DAY) AS d, DATE_ADD(DATE '2024-02-29', INTERVAL 1 YEAR) AS y, DATE_ADD(DATE '2025-01-15', INTERVAL 1 QUARTER) AS q, DATE_SUB(DATE '2025-03-31', INTERVAL 1 MONTH) AS back"],
  ["DATE_ADD with a column amount and a negative amount", "SELECT DATE_ADD(DATE '2025-01-15', INTERVAL n DAY) AS d, DATE_SUB(DATE '2025-01-15', INTERVAL n MONTH) AS m FROM UNNEST([-1, 0, 40]) AS n"],
  ["DATE_ADD out of range raises", "SELECT DATE_ADD(d, INTERVAL 1 DAY) AS v FROM UNNEST([DATE '9999-12-31']) AS d"],
  ["DATETIME_ADD, TIMESTAMP_ADD, TIMESTAMP_SUB", "SELECT DATETIME_ADD(DATETIME '2025-01-31 10:00:00', INTERVAL 1 MONTH) AS dt, TIMESTAMP_ADD(TIMESTAMP '2025-01-15 10:00:00', INTERVAL 90 MINUTE) AS plus, TIMESTAMP_SUB(TIMESTAMP '2025-01-15 10:00:00', INTERVAL 1 DAY) AS minus, TIMESTAMP_ADD(TIMESTAMP '2025-01-15 10:00:00', INTERVAL 1500 MILLISECOND) AS ms"],
  ["DATE_DIFF counts part boundaries", "SELECT DATE_DIFF(DATE '2025-01-10', DATE '2025-01-15', DAY) AS days, DATE_DIFF(DATE '2025-01-12', DATE '2025-01-11', WEEK) AS sat_to_sun, DATE_DIFF(DATE '2025-01-18', DATE '2025-01-12', WEEK) AS sun_to_sat, DATE_DIFF(DATE '2025-01-13', DATE '2025-01-12', ISOWEEK) AS sun_to_mon_iso, DATE_DIFF(DATE '2025-02-01', DATE '2025-01-31', MONTH) AS months, DATE_DIFF(DATE '2025-01-01', DATE '2024-12-31', YEAR) AS years"],
  ["DATE_DIFF with WEEK(MONDAY), QUARTER, ISOYEAR", "SELECT DATE_DIFF(DATE '2025-01-13', DATE '2025-01-12', WEEK(MONDAY)) AS wm, DATE_DIFF(DATE '2025-04-01', DATE '2025-03-31', QUARTER) AS q, DATE_DIFF(DATE '2025-12-29', DATE '2025-12-28', ISOYEAR) AS iy, DATE_DIFF(DATE '2024-01-01', DATE '2025-06-01', MONTH) AS neg_months"],
  ["DATE_DIFF of timestamps' dates", "SELECT DATE_DIFF(DATE(TIMESTAMP '2025-01-15 23:59:59'), DATE(TIMESTAMP '2025-01-15 00:00:00'), DAY) AS same_day"],
  ["TIMESTAMP_DIFF counts whole units", "SELECT TIMESTAMP_DIFF(TIMESTAMP '2025-01-15 11:01:00', TIMESTAMP '2025-01-15 10:59:00', HOUR) AS h0, TIMESTAMP_DIFF(TIMESTAMP '2025-01-15 10:00:00', TIMESTAMP '2025-01-15 12:30:00', HOUR) AS h_neg, TIMESTAMP_DIFF(TIMESTAMP '2025-01-15 12:00:00', TIMESTAMP '2025-01-14 13:00:00', DAY) AS d0, TIMESTAMP_DIFF(TIMESTAMP '2025-01-15 10:00:01.5', TIMESTAMP '2025-01-15 10:00:00', MILLISECOND) AS ms"],
  ["DATETIME_DIFF", "SELECT DATETIME_DIFF(DATETIME '2025-01-15 00:00:00', DATETIME '2025-01-14 23:59:59', DAY) AS d, DATETIME_DIFF(DATETIME '2025-03-01 00:00:00', DATETIME '2025-01-31 00:00:00', MONTH) AS m, DATETIME_DIFF(DATETIME '2025-01-12 00:00:00', DATETIME '2025-01-11 00:00:00', WEEK) AS w"],
  ["DATE_TRUNC returns a DATE", "SELECT DATE_TRUNC(DATE '2025-01-15', MONTH) AS m, DATE_TRUNC(DATE '2025-01-15', WEEK) AS w, DATE_TRUNC(DATE '2025-01-15', WEEK(MONDAY)) AS wm, DATE_TRUNC(DATE '2025-01-15', ISOWEEK) AS iw, DATE_TRUNC(DATE '2025-05-15', QUARTER) AS q, DATE_TRUNC(DATE '2025-01-15', YEAR) AS y, DATE_TRUNC(DATE '2025-01-15', DAY) AS d"],
  ["DATE_TRUNC to ISOYEAR", "SELECT DATE_TRUNC(DATE '2025-01-15', ISOYEAR) AS a, DATE_TRUNC(DATE '2021-01-02', ISOYEAR) AS b"],
  ["DATE_TRUNC WEEK on a Sunday and a Saturday", "SELECT d, DATE_TRUNC(d, WEEK) AS w, DATE_TRUNC(d, WEEK(SATURDAY)) AS ws FROM UNNEST([DATE '2025-01-12', DATE '2025-01-18']) AS d"],
  ["TIMESTAMP_TRUNC, in UTC or a given zone", "SELECT TIMESTAMP_TRUNC(TIMESTAMP '2025-01-15 10:45:00', HOUR) AS h, TIMESTAMP_TRUNC(TIMESTAMP '2025-01-15 03:00:00', DAY) AS d, TIMESTAMP_TRUNC(TIMESTAMP '2025-01-15 03:00:00', DAY, 'America/New_York') AS d_ny, TIMESTAMP_TRUNC(TIMESTAMP '2025-01-15 03:00:00', MONTH) AS m, TIMESTAMP_TRUNC(TIMESTAMP '2025-01-15 03:00:00', WEEK) AS w"],
  ["DATETIME_TRUNC", "SELECT DATETIME_TRUNC(DATETIME '2025-01-15 10:45:30', HOUR) AS h, DATETIME_TRUNC(DATETIME '2025-01-15 10:45:30', MONTH) AS m, DATETIME_TRUNC(DATETIME '2025-01-15 10:45:30', WEEK(MONDAY)) AS w"],
  ["FORMAT_DATE", "SELECT FORMAT_DATE('%Y%m%d', DATE '2025-01-05') AS compact, FORMAT_DATE('%A %d %B %Y', DATE '2025-01-05') AS long_form, FORMAT_DATE('%F|%D|%j|%U|%u|%a %b %y', DATE '2025-01-05') AS codes, FORMAT_DATE('%W %w %V %G %h %m', DATE '2025-01-05') AS weeks"],
  ["FORMAT_DATE of a date in the year's first week", "SELECT d, FORMAT_DATE('%U %W %V %G', d) AS w FROM UNNEST([DATE '2021-01-01', DATE '2021-01-04', DATE '2024-12-30']) AS d"],
  ["FORMAT_TIMESTAMP and FORMAT_DATETIME", "SELECT FORMAT_TIMESTAMP('%Y-%m-%d %H:%M:%S %Z', TIMESTAMP '2025-01-15 10:00:00') AS ts, FORMAT_TIMESTAMP('%H:%M', TIMESTAMP '2025-01-15 10:00:00', 'America/New_York') AS new_york, FORMAT_TIMESTAMP('%H:%M:%E3S', TIMESTAMP '2025-01-15 10:00:07.25') AS fraction, FORMAT_TIMESTAMP('%E6S|%T|%R|%I %p', TIMESTAMP '2025-01-15 14:05:07.123456') AS more, FORMAT_DATETIME('%Y-%m-%d %H:%M', DATETIME '2025-01-15 10:30:00') AS dt"],
  ["FORMAT_DATE %E4Y pads the year", "SELECT FORMAT_DATE('%E4Y', DATE '0099-01-01') AS a, FORMAT_DATE('%E4Y', DATE '2025-01-01') AS b"],
  ["PARSE_DATE", "SELECT PARSE_DATE('%Y%m%d', '20250115') AS a, PARSE_DATE('%Y-%m-%d', '2025-01-15') AS b, PARSE_DATE('%F', '2025-01-15') AS c, PARSE_DATE('%d/%m/%Y', '15/01/2025') AS d, PARSE_DATE('%b %d %Y', 'Jan 15 2025') AS e"],
  ["PARSE_DATE without zero padding", "SELECT PARSE_DATE('%Y-%m-%d', '2025-1-5') AS v"],
  ["PARSE_DATE of a malformed string raises", "SELECT PARSE_DATE('%Y%m%d', '2025-01-15') AS v"],
  ["PARSE_DATE of an impossible date raises", "SELECT PARSE_DATE('%Y-%m-%d', '2025-02-30') AS v"],
  ["PARSE_TIMESTAMP and PARSE_DATETIME", "SELECT PARSE_TIMESTAMP('%Y-%m-%d %H:%M:%S', '2025-01-15 10:00:00') AS utc, PARSE_TIMESTAMP('%Y-%m-%d %H:%M:%S', '2025-01-15 10:00:00', 'America/New_York') AS ny, PARSE_DATETIME('%Y-%m-%d %H:%M', '2025-01-15 10:30') AS dt"],
  ["DATE(timestamp), DATE(timestamp, zone), DATE(y, m, d)", "SELECT DATE(TIMESTAMP '2025-01-15 23:30:00-05') AS utc, DATE(TIMESTAMP '2025-01-16 03:00:00', 'America/New_York') AS ny, DATE(2025, 1, 15) AS parts, DATE(DATETIME '2025-01-15 10:00:00') AS from_datetime, DATE('2025-01-15') AS from_string"],
  ["DATE(y, m, d) out of range raises", "SELECT DATE(2025, 2, 30) AS v"],
  ["DATETIME(...) and TIMESTAMP(...)", "SELECT DATETIME(2025, 1, 15, 10, 30, 0) AS dt, DATETIME(TIMESTAMP '2025-01-15 10:00:00') AS from_ts, TIMESTAMP('2025-01-15 10:00:00') AS ts, TIMESTAMP('2025-01-15 10:00:00', 'America/New_York') AS ts_ny, TIMESTAMP(DATE '2025-01-15') AS from_date"],
  ["comparisons of dates and timestamps", "SELECT DATE '2025-01-15' < DATE '2025-01-16' AS a, TIMESTAMP '2025-01-15 10:00:00+01' = TIMESTAMP '2025-01-15 09:00:00' AS b, DATE '2025-01-15' BETWEEN DATE '2025-01-01' AND DATE '2025-01-31' AS c"],
  // More of each family.
  ["COUNTIF in a window", "SELECT x, COUNTIF(x > 1) OVER (ORDER BY x) AS bigger_so_far, COUNTIF(x > 5) OVER () AS none FROM UNNEST([1, 2, 3]) AS x"],
  ["COUNTIF per group, with an empty group", "SELECT r.k, COUNTIF(r.v > 10) AS big FROM UNNEST([STRUCT('a' AS k, 1 AS v), STRUCT('a', 20), STRUCT('b', 2)]) AS r GROUP BY r.k"],
  ["SUM(DISTINCT), COUNT(*) OVER ()", "SELECT SUM(DISTINCT x) AS s, COUNT(DISTINCT x) AS n, MAX(x) - MIN(x) AS spread FROM UNNEST([1, 1, 2, 5]) AS x"],
  ["window RANGE frame over numbers", "SELECT x, SUM(x) OVER (ORDER BY x RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) AS near, COUNT(*) OVER (ORDER BY x ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before FROM UNNEST([1, 2, 3, 5]) AS x"],
  ["UNION ALL unifies INT64 and FLOAT64", "SELECT x FROM (SELECT 1 AS x UNION ALL SELECT 2.5)"],
  ["CASE and IF unify their branches' types", "SELECT CASE WHEN x > 1 THEN 1 ELSE 2.5 END AS a, IF(x > 1, NUMERIC '1.5', 2) AS b, IFNULL(CAST(NULL AS INT64), 2.5) AS c, COALESCE(NUMERIC '1', 2) AS d FROM UNNEST([1, 2]) AS x"],
  ["anonymous STRUCT fields take the array's names", "SELECT s.a, s.b FROM UNNEST([STRUCT(1 AS a, 'x' AS b), STRUCT(2, 'y'), (3, 'z')]) AS s"],
  ["anonymous STRUCT", "SELECT STRUCT(1, 'x') AS s"],
  ["STRUCT equality", "SELECT STRUCT(1 AS a, 'x' AS b) = STRUCT(1 AS a, 'x' AS b) AS same, STRUCT(1 AS a) = STRUCT(2 AS a) AS differ"],
  ["bitwise operators", "SELECT 5 & 3 AS a, 5 | 3 AS b, ~5 AS c, -8 & 7 AS d, ~-1 AS e, 5|-1 AS f, 6&-2 AS g"],
  ["MOD of NUMERIC", "SELECT MOD(NUMERIC '7.5', NUMERIC '2') AS a, MOD(NUMERIC '-7.5', NUMERIC '2') AS b"],
  ["CAST strings to FLOAT64", "SELECT CAST(' 1.5 ' AS FLOAT64) AS a, CAST('1e3' AS FLOAT64) AS b, CAST('inf' AS FLOAT64) AS c, CAST('-Infinity' AS FLOAT64) AS d, CAST('-0' AS FLOAT64) AS e"],
  ["CAST('x' AS FLOAT64) raises", "SELECT CAST('x' AS FLOAT64) AS v"],
  ["CAST loose date and timestamp strings", "SELECT CAST('2025-1-5' AS DATE) AS d, CAST('2025-01-15T10:00:00+05:30' AS TIMESTAMP) AS ts, CAST('2025-01-15 1:2:3' AS DATETIME) AS dt"],
  ["CAST a DATETIME string without seconds raises", "SELECT CAST('2025-01-15 10:00' AS DATETIME) AS v"],
  ["CAST a TIMESTAMP string with nanoseconds truncates them", "SELECT CAST('2025-01-15 10:00:00.123456789' AS TIMESTAMP) AS v"],
  ["CAST a DATE string with a time raises", "SELECT CAST('2025-01-15 10:00:00' AS DATE) AS v"],
  ["DATE(string) is the UTC date of a TIMESTAMP string", "SELECT s, DATE(s) AS v FROM UNNEST(['2025-01-15', '2025-01-15 23:00:00', '2025-01-15 23:00:00-05', '2025-01-15T10:00:00Z']) AS s"],
  ["DATE(string) of a non-canonical string raises", "SELECT DATE(s) AS v FROM UNNEST(['2025/01/15']) AS s"],
  ["SAFE_CAST strings to DATE: BigQuery's canonical text only", "SELECT s, SAFE_CAST(s AS DATE) AS v FROM UNNEST(['2025-01-15', '2025-1-5', ' 2025-01-15 ', '20250115', '2025/01/15', '2025-01-15 10:00:00', '2025-01-15T00:00:00', '+2025-01-15', '02025-01-15', '2025-01-15Z', '999-01-01', '0999-01-01', '2025-02-30', '2025-13-01']) AS s"],
  ["SAFE_CAST strings to DATETIME: BigQuery's canonical text only", "SELECT s, SAFE_CAST(s AS DATETIME) AS v FROM UNNEST(['2025-01-15', '2025-01-15 10:00', '2025-01-15 10:00:00', '2025-01-15T10:00:00', ' 2025-01-15 10:00:00 ', '2025-01-15 1:2:3', '2025-01-15 10:00:00.1234567', '2025-01-15 10:00:00Z', '2025-01-15 10:00:00+01', '2025-01-15  10:00:00', '2025-01-15 24:00:00', '2025-01-15 10:00:00.', '2025-01-15 10:00:00.1234567890', '2025-01-15T10:00', '2025-01-15 10:0:0.5']) AS s"],
  ["SAFE_CAST strings to TIMESTAMP: BigQuery's canonical text only", "SELECT s, SAFE_CAST(s AS TIMESTAMP) AS v FROM UNNEST(['2025-01-15', '2025-01-15 10:00', '2025-01-15T10:00:00Z', ' 2025-01-15 10:00:00 ', '2025-01-15 10:00:00.123456789', '2025-01-15 10:00:00+05:30', '2025-01-15 10:00:00+0530', '2025-01-15 10:00:00 UTC', '2025-01-15 10:00:00 America/New_York', '2025-01-15 10:00:00 +05', '2025-01-15T10:00:00 Z', '2025-01-15 10:00:00Asia/Tokyo', '2025-01-15Z', '2025-01-15 UTC', '2025-01-15 10:00:00+05', '2025-01-15 10:00:00 Etc/GMT+5', '2025-01-15 10:00:00  UTC', '2025-01-15 10:00:00+14:00']) AS s"],
  ["TIMESTAMP(string) and DATETIME(string) read BigQuery's canonical text", "SELECT TIMESTAMP('2025-01-15 10:00:00+01') AS a, DATETIME('2025-01-15 10:00:00') AS b, TIMESTAMP('2025-01-15 10:00:00', 'Asia/Tokyo') AS c"],
  ["TIMESTAMP(string) without seconds raises", "SELECT TIMESTAMP(s) AS v FROM UNNEST(['2025-01-15 10:00']) AS s"],
  ["CAST between DATE, DATETIME and TIMESTAMP", "SELECT CAST(DATE '2025-01-15' AS DATETIME) AS a, CAST(DATETIME '2025-01-15 10:30:00' AS DATE) AS b, CAST(DATETIME '2025-01-15 10:30:00' AS TIMESTAMP) AS c, CAST(TIMESTAMP '2025-01-15 10:30:00' AS DATETIME) AS d"],
  ["CAST NULL to each type", "SELECT CAST(NULL AS STRING) AS s, CAST(NULL AS INT64) AS i, CAST(NULL AS DATE) AS d, CAST(NULL AS ARRAY<STRING>) AS a, SAFE_CAST(NULL AS BOOL) AS b"],
  ["comparing a DATE with a string literal", "SELECT DATE '2025-01-15' = '2025-01-15' AS a, d > '2025-01-01' AS b FROM UNNEST([DATE '2025-01-15']) AS d"],
  ["LIKE matches characters, not bytes", "SELECT 'é' LIKE '_' AS a, 'aé' LIKE 'a_' AS b, 'é' LIKE '__' AS c"],
  ["FORMAT %s, widths and large integers", "SELECT FORMAT('%s|%5s|%-5s|', 'a', 'b', 'c') AS a, FORMAT('%d', 12345678901) AS b, FORMAT('%+d %+.1f', 5, 2.25) AS c, FORMAT('%g %G', 0.0001234, 1e20) AS d"],
  ["string functions on NULL", "SELECT LENGTH(s) AS a, UPPER(s) AS b, SUBSTR(s, 1) AS c, STRPOS(s, 'a') AS d, SPLIT(s) AS e, REPLACE(s, 'a', 'b') AS f, TRIM(s) AS g FROM UNNEST([CAST(NULL AS STRING)]) AS s"],
  ["REGEXP with an invalid pattern raises", "SELECT REGEXP_CONTAINS('a', s) AS v FROM UNNEST(['(']) AS s"],
  ["REGEXP_REPLACE with a $ in the replacement", String.raw`SELECT REGEXP_REPLACE('abc', 'b', '$1') AS a, REGEXP_REPLACE('a.b', r'\.', r'\\') AS b`],
  ["SUBSTR and LENGTH count characters", "SELECT SUBSTR('héllo', 2, 2) AS a, LENGTH('日本語') AS b, LPAD('é', 3, 'ü') AS c, STRPOS('日本語', '語') AS d"],
  ["REPLACE and SPLIT with multi-character patterns", "SELECT REPLACE('aaaa', 'aa', 'b') AS a, SPLIT('a::b::', '::') AS b"],
  ["STARTS_WITH and ENDS_WITH with empty strings", "SELECT STARTS_WITH('abc', '') AS a, ENDS_WITH('', '') AS b, STRPOS('abc', '') AS c"],
  ["EXTRACT from a TIMESTAMP: DAYOFWEEK, WEEK, ISOWEEK", "SELECT EXTRACT(DAYOFWEEK FROM ts) AS dow, EXTRACT(WEEK FROM ts) AS w, EXTRACT(ISOWEEK FROM ts) AS iw, EXTRACT(DAYOFYEAR FROM ts) AS doy FROM UNNEST([TIMESTAMP '2025-01-12 23:59:59', TIMESTAMP '2024-12-31 00:00:00']) AS ts"],
  ["TIMESTAMP_TRUNC to WEEK(MONDAY), ISOWEEK, ISOYEAR, QUARTER, YEAR", "SELECT TIMESTAMP_TRUNC(ts, WEEK(MONDAY)) AS wm, TIMESTAMP_TRUNC(ts, ISOWEEK) AS iw, TIMESTAMP_TRUNC(ts, ISOYEAR) AS iy, TIMESTAMP_TRUNC(ts, QUARTER) AS q, TIMESTAMP_TRUNC(ts, YEAR) AS y, TIMESTAMP_TRUNC(ts, MINUTE) AS mi, TIMESTAMP_TRUNC(ts, SECOND) AS s FROM UNNEST([TIMESTAMP '2025-01-15 10:45:30.5']) AS ts"],
  ["TIMESTAMP_TRUNC in a zone across DST", "SELECT TIMESTAMP_TRUNC(TIMESTAMP '2025-03-09 12:00:00', DAY, 'America/New_York') AS a, TIMESTAMP_TRUNC(TIMESTAMP '2025-11-02 12:00:00', DAY, 'America/Los_Angeles') AS b"],
  ["TIMESTAMP_DIFF in seconds, minutes, microseconds", "SELECT TIMESTAMP_DIFF(TIMESTAMP '2025-01-15 10:00:00', TIMESTAMP '2025-01-15 09:58:59.9', SECOND) AS s, TIMESTAMP_DIFF(TIMESTAMP '2025-01-15 10:00:00', TIMESTAMP '2025-01-15 09:58:59.9', MINUTE) AS m, TIMESTAMP_DIFF(TIMESTAMP '2025-01-15 10:00:00.000002', TIMESTAMP '2025-01-15 10:00:00', MICROSECOND) AS us"],
  ["DATE_DIFF ISOWEEK across years", "SELECT DATE_DIFF(DATE '2025-01-06', DATE '2024-12-29', ISOWEEK) AS a, DATE_DIFF(DATE '2021-01-04', DATE '2020-12-27', WEEK) AS b, DATE_DIFF(DATE '2021-01-03', DATE '2019-12-29', ISOYEAR) AS c"],
  ["DATE_ADD WEEK and QUARTER, negative", "SELECT DATE_ADD(DATE '2025-01-15', INTERVAL -2 WEEK) AS w, DATE_SUB(DATE '2025-05-31', INTERVAL 1 QUARTER) AS q, DATE_ADD(DATE '2025-01-31', INTERVAL -1 MONTH) AS m"],
  ["TIMESTAMP_ADD out of range raises", "SELECT TIMESTAMP_ADD(CAST(s AS TIMESTAMP), INTERVAL 1 DAY) AS v FROM UNNEST(['9999-12-31 23:59:59']) AS s"],
  ["DATE_SUB below year 1 raises", "SELECT DATE_SUB(d, INTERVAL 1 DAY) AS v FROM UNNEST([DATE '0001-01-01']) AS d"],
  ["FORMAT_DATE pads day, month and day of year", "SELECT FORMAT_DATE('%d|%m|%j|%y', DATE '2025-03-05') AS a"],
  ["FORMAT_TIMESTAMP in a zone across DST", "SELECT FORMAT_TIMESTAMP('%F %H:%M', TIMESTAMP '2025-07-15 10:00:00', 'America/New_York') AS summer, FORMAT_TIMESTAMP('%F %H:%M', TIMESTAMP '2025-01-15 10:00:00', 'America/New_York') AS winter"],
  ["PARSE_DATE with day names and %j", "SELECT PARSE_DATE('%A %d %B %Y', 'Wednesday 15 January 2025') AS a, PARSE_DATE('%Y %j', '2025 046') AS b"],
  ["PARSE_DATE with surrounding whitespace", "SELECT PARSE_DATE('%Y-%m-%d', ' 2025-01-15 ') AS v"],
  ["PARSE_TIMESTAMP with fractional seconds", "SELECT PARSE_TIMESTAMP('%Y-%m-%d %H:%M:%E6S', '2025-01-15 10:00:07.123456') AS a, PARSE_TIMESTAMP('%F %T', '2025-01-15 10:00:07') AS b"],
  ["DATE(y, m, d) from columns", "SELECT DATE(r.y, r.m, 1) AS d FROM UNNEST([STRUCT(2025 AS y, 1 AS m), STRUCT(2024, 2)]) AS r"],
  ["CAST(TIMESTAMP AS STRING) of a non-UTC literal", "SELECT CAST(TIMESTAMP '2025-01-15 10:00:00-05' AS STRING) AS v"],
  ["EXTRACT(DATE FROM ...) of a DATETIME and DATE(DATETIME)", "SELECT EXTRACT(DATE FROM DATETIME '2025-01-15 23:00:00') AS a, EXTRACT(YEAR FROM DATETIME '2025-01-15 23:00:00') AS b"],
  // Edge cases of each family.
  ["NULL IN UNNEST, IN UNNEST of a subquery-made array", "SELECT NULL IN UNNEST([1]) AS a, 2 IN UNNEST(ARRAY(SELECT x FROM UNNEST([1, 2]) AS x)) AS b"],
  ["GENERATE_ARRAY with NULL", "SELECT GENERATE_ARRAY(1, n) AS v FROM UNNEST([CAST(NULL AS INT64), 3]) AS n"],
  ["GENERATE_ARRAY with step 0 raises", "SELECT GENERATE_ARRAY(1, 5, 0) AS v"],
  ["ARRAY_REVERSE and ARRAY_TO_STRING of empty and NULL arrays", "SELECT ARRAY_REVERSE(CAST([] AS ARRAY<INT64>)) AS a, ARRAY_TO_STRING(['a', 'b'], '') AS b, ARRAY_TO_STRING(t.s, ',') AS c FROM (SELECT CAST(NULL AS ARRAY<STRING>) AS s) AS t"],
  ["LPAD and RPAD with an empty pattern", "SELECT LPAD('abc', 5, '') AS a, RPAD('abc', 2, '') AS b"],
  ["SUBSTR with length 0 and NULL position", "SELECT SUBSTR('abc', 2, 0) AS a, SUBSTR('abc', NULL) AS b, SUBSTR('abc', 1, NULL) AS c"],
  ["TRIM, REPLACE, STRPOS with NULL arguments", "SELECT TRIM('xax', n) AS a, REPLACE('abc', n, 'x') AS b, REPLACE('abc', 'b', n) AS c, STRPOS(n, 'a') AS d FROM UNNEST([CAST(NULL AS STRING)]) AS n"],
  ["FORMAT %x, %X and %o", "SELECT FORMAT('%x', 255) AS a, FORMAT('%o', 8) AS b, FORMAT('%X', 255) AS c, FORMAT('%#x|%08X', 255, 48879) AS d"],
  ["FORMAT %e and %g", "SELECT FORMAT('%e', 0.0) AS a, FORMAT('%g', 100000.0) AS b, FORMAT('%g', 1000000.0) AS c, FORMAT('%G', 1e-10) AS d, FORMAT('%.3e', 12345.678) AS e"],
  ["FORMAT of infinity and NaN", "SELECT FORMAT('%f', CAST('inf' AS FLOAT64)) AS a, FORMAT('%f', CAST('nan' AS FLOAT64)) AS b, FORMAT('%e', CAST('-inf' AS FLOAT64)) AS c"],
  ["CAST large and small FLOAT64 to STRING", "SELECT CAST(1e16 AS STRING) AS a, CAST(1e15 AS STRING) AS b, CAST(100.0 AS STRING) AS c, CAST(1.5e-5 AS STRING) AS d, CAST(123456789012345.6 AS STRING) AS e, CAST(0.000123 AS STRING) AS f"],
  ["NUMERIC extremes", "SELECT CAST(NUMERIC '99999999999999999999999999999.999999999' AS STRING) AS a, NUMERIC '-99999999999999999999999999999.999999999' AS b, CAST(1e-10 AS NUMERIC) AS c, CAST(NUMERIC '1.5' AS FLOAT64) AS d"],
  ["NUMERIC overflow raises", "SELECT n + 1 AS v FROM UNNEST([NUMERIC '99999999999999999999999999999.999999999']) AS n"],
  ["CAST BOOL to INT64 and INT64 to BOOL", "SELECT CAST(TRUE AS INT64) AS a, CAST(FALSE AS INT64) AS b, CAST(-3 AS BOOL) AS c"],
  ["negating the smallest INT64 raises", "SELECT -x AS v FROM UNNEST([-9223372036854775808]) AS x"],
  ["MOD of the smallest INT64 by -1", "SELECT MOD(x, -1) AS v FROM UNNEST([-9223372036854775808]) AS x"],
  ["DIV of the smallest INT64 by -1 raises", "SELECT DIV(x, -1) AS v FROM UNNEST([-9223372036854775808]) AS x"],
  ["ROUND and TRUNC of non-finite FLOAT64", "SELECT ROUND(CAST('inf' AS FLOAT64)) AS a, ROUND(CAST('-inf' AS FLOAT64), 2) AS b, TRUNC(CAST('inf' AS FLOAT64), -1) AS c, IS_NAN(ROUND(CAST('nan' AS FLOAT64), 1)) AS d"],
  ["TRUNC and CEIL of small negatives", "SELECT TRUNC(-0.5) AS a, CEIL(-0.5) AS b, ROUND(-0.4) AS c, FLOOR(0.5) AS d"],
  ["SAFE_DIVIDE with FLOAT64 zero and infinity", "SELECT SAFE_DIVIDE(1, 0.0) AS a, SAFE_DIVIDE(CAST('inf' AS FLOAT64), 2) AS b, SAFE_DIVIDE(0.0, 0.0) AS c"],
  ["STDDEV of identical values, CORR of a constant", "SELECT STDDEV(r.x) AS sd, VAR_POP(r.x) AS vp, CORR(r.x, r.y) AS c, COVAR_POP(r.x, r.y) AS cp FROM UNNEST([STRUCT(1.0 AS x, 2.0 AS y), STRUCT(1.0, 3.0)]) AS r"],
  ["AVG of large INT64 values", "SELECT AVG(x) AS a, SUM(x) AS s FROM UNNEST([9007199254740993, 9007199254740995]) AS x"],
  ["LAG by 0, LEAD by partition", "SELECT r.k, r.v, LAG(r.v, 0) OVER (PARTITION BY r.k ORDER BY r.v) AS same, LEAD(r.v) OVER (PARTITION BY r.k ORDER BY r.v) AS next FROM UNNEST([STRUCT('a' AS k, 1 AS v), STRUCT('a', 2), STRUCT('b', 3)]) AS r"],
  ["FIRST_VALUE and LAST_VALUE IGNORE NULLS", "SELECT r.x, FIRST_VALUE(r.y IGNORE NULLS) OVER w AS f, LAST_VALUE(r.y IGNORE NULLS) OVER w AS l FROM UNNEST([STRUCT(1 AS x, CAST(NULL AS INT64) AS y), STRUCT(2, 20), STRUCT(3, 30), STRUCT(4, NULL)]) AS r WINDOW w AS (ORDER BY r.x ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"],
  ["NTILE with an uneven split, PERCENT_RANK of one row", "SELECT x, NTILE(3) OVER (ORDER BY x) AS t, PERCENT_RANK() OVER (PARTITION BY x ORDER BY x) AS pr FROM UNNEST([1, 2, 3, 4]) AS x"],
  ["windowed AVG over a RANGE of values", "SELECT x, AVG(x) OVER (ORDER BY x RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS near, LOGICAL_AND(x > 1) OVER (ORDER BY x) AS all_big FROM UNNEST([1, 2, 3, 5]) AS x"],
  ["ARRAY_AGG DISTINCT ORDER BY DESC, LIMIT 1", "SELECT ARRAY_AGG(DISTINCT x ORDER BY x DESC) AS d, ARRAY_AGG(x ORDER BY x LIMIT 1)[OFFSET(0)] AS least FROM UNNEST([2, 1, 2, 3]) AS x"],
  ["COUNTIF(DISTINCT ...)", "SELECT COUNTIF(DISTINCT x > 1) AS d, COUNTIF(x > 1) AS n FROM UNNEST([1, 2, 3]) AS x"],
  ["MAX and MIN of NULLs only", "SELECT MAX(x) AS a, MIN(x) AS b, COUNT(DISTINCT x) AS c FROM UNNEST([CAST(NULL AS STRING), NULL]) AS x"],
  ["a correlated subquery over UNNEST", "SELECT t.k, (SELECT SUM(x) FROM UNNEST(t.arr) AS x) AS total, ARRAY_LENGTH(t.arr) AS n FROM (SELECT 1 AS k, [1, 2, 3] AS arr UNION ALL SELECT 2, [10]) AS t"],
  ["CROSS JOIN UNNEST WITH OFFSET", "SELECT t.k, x, i FROM (SELECT 'a' AS k, [5, 6] AS arr) AS t CROSS JOIN UNNEST(t.arr) AS x WITH OFFSET AS i"],
  ["comma cross join of two tables", "WITH a AS (SELECT 1 AS x UNION ALL SELECT 2), b AS (SELECT 'p' AS y UNION ALL SELECT 'q') SELECT a.x, b.y FROM a, b"],
  ["nested STRUCT field access", "WITH t AS (SELECT STRUCT(STRUCT(1 AS x, 'y' AS z) AS nested, [1, 2] AS arr) AS s) SELECT t.s.nested.x AS x, t.s.arr[OFFSET(1)] AS second, s.nested.z AS z FROM t"],
  ["typed ARRAY<STRUCT<...>> of tuples", "SELECT ARRAY<STRUCT<a INT64, b STRING>>[(1, 'x'), (2, 'y')] AS v"],
  ["EXTRACT QUARTER and DAYOFWEEK of a TIMESTAMP in a zone", "SELECT EXTRACT(QUARTER FROM ts) AS q, EXTRACT(DAYOFWEEK FROM ts AT TIME ZONE 'Asia/Tokyo') AS dow_tokyo, EXTRACT(DAYOFWEEK FROM ts) AS dow FROM UNNEST([TIMESTAMP '2025-03-31 20:00:00']) AS ts"],
  ["PARSE_DATE of NULL, PARSE_DATETIME with %I %p", "SELECT PARSE_DATE('%Y-%m-%d', CAST(NULL AS STRING)) AS a, PARSE_DATETIME('%Y-%m-%d %I:%M %p', '2025-01-15 02:30 PM') AS b"],
  ["PARSE_TIMESTAMP in a zone across DST", "SELECT PARSE_TIMESTAMP('%F %T', '2025-07-15 10:00:00', 'America/New_York') AS summer, PARSE_TIMESTAMP('%F %T', '2025-01-15 10:00:00', 'America/New_York') AS winter"],
  ["DATE(timestamp, zone) and TIMESTAMP(string, zone) across DST", "SELECT DATE(TIMESTAMP '2025-07-16 03:00:00', 'America/New_York') AS d, TIMESTAMP('2025-07-15 10:00:00', 'America/New_York') AS ts"],
  ["TIMESTAMP_DIFF across days, negative", "SELECT TIMESTAMP_DIFF(TIMESTAMP '2025-01-14 10:00:00', TIMESTAMP '2025-01-15 09:00:00', DAY) AS d, TIMESTAMP_DIFF(TIMESTAMP '2025-01-15 10:00:00', TIMESTAMP '2025-01-15 10:00:00.5', SECOND) AS s"],
  ["DATE_TRUNC of dates in the ISO year's first week", "SELECT d, DATE_TRUNC(d, ISOYEAR) AS iy, DATE_TRUNC(d, ISOWEEK) AS iw FROM UNNEST([DATE '2024-12-30', DATE '2027-01-02', DATE '2026-01-01']) AS d"],
  ["DATE_DIFF in YEAR and MONTH across negative spans", "SELECT DATE_DIFF(DATE '2024-12-31', DATE '2025-01-01', YEAR) AS y, DATE_DIFF(DATE '2025-01-01', DATE '2025-01-31', MONTH) AS m, DATE_DIFF(DATE '2025-01-11', DATE '2025-01-12', WEEK) AS w"],
  ["CAST DATETIME and TIMESTAMP to STRING with fractions", "SELECT CAST(DATETIME '2025-01-15 10:00:00.123' AS STRING) AS a, CAST(DATETIME '2025-01-15 10:00:00.000001' AS STRING) AS b, CAST(TIMESTAMP '2025-01-15 10:00:00.100' AS STRING) AS c"],
  ["CAST TIME", "SELECT CAST('10:11:12' AS TIME) AS a, CAST(TIME '10:11:12.5' AS STRING) AS b, CAST(DATETIME '2025-01-15 10:11:12' AS TIME) AS c"],
  ["SAFE_ functions and SAFE_CAST of edge values", "SELECT SAFE_CAST(CAST('nan' AS FLOAT64) AS INT64) AS a, SAFE_CAST('abc' AS NUMERIC) AS b, SAFE_CAST('1e40' AS NUMERIC) AS c, SAFE_CAST(' 1.5 ' AS NUMERIC) AS d, SAFE_CAST('0x10' AS INT64) AS e, SAFE_CAST('' AS INT64) AS f"],
  ["SAFE_DIVIDE overflow", "SELECT SAFE_DIVIDE(1e308, 1e-308) AS v"],
  ["FLOAT64 arithmetic with infinity is allowed", "SELECT x + 1 AS a, x * 2 AS b, -x AS c FROM UNNEST([CAST('inf' AS FLOAT64)]) AS x"],
  ["CAST(' 1.5 ' AS NUMERIC) and CAST('1e2' AS NUMERIC)", "SELECT CAST('1e2' AS NUMERIC) AS a, CAST('-.5' AS NUMERIC) AS b, CAST('+3' AS NUMERIC) AS c"],
  ["CAST('1.5.5' AS NUMERIC) raises", "SELECT CAST('1.5.5' AS NUMERIC) AS v"],
  ["CAST FLOAT64 to NUMERIC half away from zero", "SELECT CAST(0.0000000005 AS NUMERIC) AS a, CAST(-0.0000000005 AS NUMERIC) AS b, CAST(0.0000000015 AS NUMERIC) AS c"],
  ["CURRENT_DATE and CURRENT_TIMESTAMP run (their values are now's)", "SELECT CURRENT_DATE() >= DATE '2025-01-01' AS a, CURRENT_DATE >= DATE '2025-01-01' AS b, EXTRACT(YEAR FROM CURRENT_TIMESTAMP()) >= 2025 AS c, DATE(CURRENT_TIMESTAMP()) = CURRENT_DATE() AS d"],
  ["ERROR() raises", "SELECT ERROR('boom') AS v"],
];

/** DuckDB's type as BigQuery names the type it stands for (the translator's mapping, reversed). */
function bigQueryTypeName(type: DuckDBType): string {
  switch (type.typeId) {
    // An untyped NULL is an INT64 in BigQuery too.
    case DuckDBTypeId.SQLNULL:
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.INTEGER_LITERAL:
      return "INT64";
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.FLOAT:
      return "FLOAT64";
    case DuckDBTypeId.DECIMAL:
      return "NUMERIC";
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.STRING_LITERAL:
      return "STRING";
    case DuckDBTypeId.BOOLEAN:
      return "BOOL";
    case DuckDBTypeId.BLOB:
      return "BYTES";
    case DuckDBTypeId.DATE:
      return "DATE";
    case DuckDBTypeId.TIMESTAMP:
      return "DATETIME";
    case DuckDBTypeId.TIMESTAMP_TZ:
      return "TIMESTAMP";
    case DuckDBTypeId.TIME:
      return "TIME";
    case DuckDBTypeId.INTERVAL:
      return "INTERVAL";
    case DuckDBTypeId.LIST:
      return `ARRAY<${bigQueryTypeName((type as DuckDBListType).valueType)}>`;
    case DuckDBTypeId.STRUCT: {
      const struct = type as DuckDBStructType;
      return `STRUCT<${struct.entryNames.map((name, index) => `${name} ${bigQueryTypeName(struct.entryTypes[index] as DuckDBType)}`.trim()).join(", ")}>`;
    }
    default:
      return `DuckDB ${String(type)}`;
  }
}

/** A DuckDB value in zetasql_evaluate.ts's plain form. */
function plain(value: DuckDBValue, type: DuckDBType): Plain {
  if (value === null) return null;
  if (typeof value === "boolean" || typeof value === "string" || typeof value === "bigint") return value;
  if (typeof value === "number") return type.typeId === DuckDBTypeId.DOUBLE || type.typeId === DuckDBTypeId.FLOAT ? value : BigInt(value);
  if (value instanceof DuckDBDecimalValue) return decimalText(value.value, (type as DuckDBDecimalType).scale);
  if (value instanceof DuckDBBlobValue) return hexBytes(value.bytes);
  if (value instanceof DuckDBDateValue) return isoDate(value.days);
  if (value instanceof DuckDBTimestampTZValue) return isoTimestamp(value.micros);
  if (value instanceof DuckDBTimestampValue) return isoDateTime(value.micros);
  if (value instanceof DuckDBTimeValue) return isoTime(value.micros);
  if (value instanceof DuckDBListValue) return value.items.map((item) => plain(item, (type as DuckDBListType).valueType));
  if (value instanceof DuckDBStructValue) {
    const struct = type as DuckDBStructType;
    return Object.fromEntries(struct.entryNames.map((name, index) => [name, plain(value.entries[name] ?? null, struct.entryTypes[index] as DuckDBType)]));
  }
  throw new Error(`DuckDB value ${String(value)} of type ${String(type)} has no plain form here`);
}

let connection: DuckDBConnection | undefined;
let instance: DuckDBInstance | undefined;

async function duckdb(sql: string): Promise<Evaluation> {
  const translated = translateToDuckDB(sql);
  try {
    const reader = await (connection as DuckDBConnection).runAndReadAll(translated);
    const types = reader.columnTypes();
    return {
      ok: true,
      columns: reader.columnNames().map((name, index) => ({ name, type: bigQueryTypeName(types[index] as DuckDBType) })),
      rows: reader.getRows().map((row) => row.map((value, index) => plain(value, types[index] as DuckDBType))),
    };
  } catch (error) {
    return { ok: false, phase: "evaluation", error: `${(error as Error).message}\n(translated: ${translated})` };
  }
}

/** Whether the query has an ORDER BY outside any brackets and strings (its rows are ordered). */
function ordered(sql: string): boolean {
  let depth = 0;
  let top = "";
  for (const char of sql.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''")) {
    if (char === "(") depth++;
    else if (char === ")") depth--;
    else if (depth === 0) top += char;
  }
  return /\bORDER\s+BY\b/i.test(top);
}

/** FLOAT64 equal within a relative 1e-12 (NaN equals NaN). */
function close(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** DuckDB's value with every FLOAT64 that is close to ZetaSQL's replaced by ZetaSQL's, so toEqual shows real differences only. */
function reconcile(actual: Plain, expected: Plain): Plain {
  if (typeof actual === "number" && typeof expected === "number") return close(actual, expected) ? expected : actual;
  if (Array.isArray(actual) && Array.isArray(expected)) return actual.map((item, index) => reconcile(item, expected[index] ?? null));
  if (actual && expected && typeof actual === "object" && typeof expected === "object" && !Array.isArray(actual) && !Array.isArray(expected)) {
    return Object.fromEntries(Object.entries(actual).map(([key, item]) => [key, reconcile(item, expected[key] ?? null)]));
  }
  return actual;
}

/** A row's sort key, floats rounded so that rows equal within the tolerance sort alike. */
function rowKey(row: Plain[]): string {
  return JSON.stringify(row, (_, value: unknown) => (typeof value === "bigint" ? `${value}n` : typeof value === "number" ? value.toPrecision(10) : value));
}

const sorted = (rows: Plain[][]): Plain[][] => [...rows].sort((a, b) => (rowKey(a) < rowKey(b) ? -1 : rowKey(a) > rowKey(b) ? 1 : 0));

const IN_CI = process.env.CI === "true";
let evaluator: ZetaSqlEvaluator | undefined;
let startFailure: Error | undefined;
try {
  evaluator = await ZetaSqlEvaluator.start();
} catch (error) {
  startFailure = error as Error;
}

if (startFailure && IN_CI) {
  // In CI (Linux x86-64, where the bundled server runs) a server that does not start is a failure, never a skip.
  describe("the translator against ZetaSQL's reference evaluator (CI=true)", () => {
    it("has ZetaSQL's server to evaluate with", () => {
      throw startFailure as Error;
    });
  });
} else if (startFailure) {
  process.stderr.write(`evaluator.test.ts skipped: ZetaSQL's server does not start on ${process.platform}-${process.arch}: ${startFailure.message}\n`);
  describe("the translator against ZetaSQL's reference evaluator", () => {
    it.skip(`skipped: ZetaSQL's server does not start on ${process.platform}-${process.arch}`, () => undefined);
  });
}

describe.runIf(evaluator !== undefined)("the translator against ZetaSQL's reference evaluator", () => {
  beforeAll(async () => {
    instance = await DuckDBInstance.create(":memory:");
    connection = await instance.connect();
    // As the engine sets up each connection: UTC (BigQuery's default zone) and the macros.
    await connection.run("SET TimeZone = 'UTC'");
    for (const macro of DUCKDB_MACROS) await connection.run(macro);
  });

  afterAll(async () => {
    connection?.closeSync();
    instance?.closeSync();
    await evaluator?.close();
  });

  it.each(CASES)("%s", async (_, sql) => {
    const expected = await (evaluator as ZetaSqlEvaluator).query(sql);
    if (!expected.ok && expected.phase === "analysis") throw new Error(`not valid BigQuery SQL: ${expected.error}`);
    const actual = await duckdb(sql);
    if (!expected.ok || !actual.ok) {
      // Either both raise (any message) or the case fails, showing what each side did.
      const outcome = (result: Evaluation): string => (result.ok ? `rows ${rowKey(result.rows.flat())}` : `error: ${result.error}`);
      expect(actual.ok || expected.ok, `ZetaSQL: ${outcome(expected)}\nDuckDB: ${outcome(actual)}`).toBe(false);
      return;
    }
    expect(actual.columns).toEqual(expected.columns);
    const keepOrder = ordered(sql);
    const expectedRows = keepOrder ? expected.rows : sorted(expected.rows);
    const actualRows = keepOrder ? actual.rows : sorted(actual.rows);
    expect(reconcile(actualRows, expectedRows)).toEqual(expectedRows);
  });
});
