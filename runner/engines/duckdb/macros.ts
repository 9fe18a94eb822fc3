/**
 * DuckDB macros that give BigQuery semantics where a DuckDB built-in differs. The translator
 * (translate/) emits calls to them; the engine runs these statements once per connection. Every
 * name starts with `bq_` so that none can shadow a DuckDB built-in.
 *
 * Where BigQuery's behaviour depends on the argument's type (CAST, ROUND...), a macro dispatches
 * on typeof(x). Typed macro parameters would be neater but DuckDB cannot pick an overload when the
 * argument is an aggregate or window call (CAST(COUNT(*) AS STRING)), so every branch is written
 * to bind for any argument type (TRY_CAST) and only the matching branch runs.
 *
 * The timestamp macros assume the connection's TimeZone is UTC (the engine sets it), as BigQuery's
 * default time zone is.
 */

/** ASCII whitespace as absl's SimpleAtoi skips it around numbers in CAST(string AS INT64). */
const ASCII_SPACE = "chr(9) || chr(10) || chr(11) || chr(12) || chr(13) || ' '";

/** Unicode White_Space (ICU UCHAR_WHITE_SPACE), what BigQuery's one-argument TRIM removes. */
const UNICODE_SPACE = [9, 10, 11, 12, 13, 32, 133, 160, 5760, ...range(8192, 8202), 8232, 8233, 8239, 8287, 12288]
  .map((code) => `chr(${code})`)
  .join(" || ");

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

/** BigQuery's canonical DATE / DATETIME / TIMESTAMP text (the zone only after a time), as CAST reads it. */
const DATE_TEXT = "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}";
const TIME_TEXT = String.raw`[Tt ]([01]?[0-9]|2[0-3]):[0-9]{1,2}:[0-9]{1,2}(\.[0-9]{1,9})?`;
const ZONE_TEXT = "([Zz]|[+-][0-9]{1,2}(:?[0-9]{1,2})?| [A-Za-z][A-Za-z0-9_/+-]*)";

const INT_DECIMAL = String.raw`'[\t\n\x0B\f\r ]*[+-]?[0-9]+[\t\n\x0B\f\r ]*'`;
const INT_HEX = String.raw`'[\t\n\x0B\f\r ]*[+-]?0[xX][0-9a-fA-F]+[\t\n\x0B\f\r ]*'`;

/**
 * `<name>_once`: the macro with its first argument bound once, as a lambda's v. A macro repeats
 * its argument's expression at every use, and macros nest (GREATEST(0, CAST(x / 25 AS INT64)) held
 * dozens of copies of x / 25); DuckDB binds every copy when it plans the query, and with the
 * heaviest of these macros replaced by one-line stand-ins a date's model queries planned in half
 * the time. The lambda costs a list per row (about 25 ns), so the translator passes only an
 * argument that is more than a column or a literal (Tokens.isColumnOrLiteral); a constant one is
 * still folded to a literal. The other parameters are repeated as they are (the translator
 * passes literals).
 */
function boundOnce(name: string, rest: string[] = []): string {
  return `CREATE OR REPLACE MACRO ${name}_once(${["x", ...rest].join(", ")}) AS list_transform([x], lambda v: ${name}(${["v", ...rest].join(", ")}))[1]`;
}

export const DUCKDB_MACROS: readonly string[] = [
  // x / y: BigQuery raises "division by zero" for every numeric type; DuckDB returns NULL,
  // Infinity or NaN. The translator wraps every divisor in this.
  `CREATE OR REPLACE MACRO bq_nonzero(y) AS CASE WHEN y = 0 THEN error('division by zero') ELSE y END`,
  // SAFE_DIVIDE is NULL where x / y would raise: on zero, and on overflow of finite operands.
  `CREATE OR REPLACE MACRO bq_safe_divide(x, y) AS CASE
      WHEN y = 0 OR (NOT isfinite(x / y) AND isfinite(x) AND isfinite(y)) THEN NULL ELSE x / y END`,
  // DIV truncates toward zero (so does DuckDB's // on integers) and raises on zero (DuckDB: NULL).
  // On NUMERIC DuckDB's // is a plain division, so DIV(NUMERIC) is refused when it runs.
  `CREATE OR REPLACE MACRO bq_div(x, y) AS CASE
      WHEN y = 0 THEN error('division by zero: DIV(' || x || ', 0)')
      WHEN typeof(x) NOT LIKE '%INT%' OR typeof(y) NOT LIKE '%INT%' THEN error('DIV() is only supported on INT64 by the local engine')
      ELSE x // y END`,
  // MOD(x, -1) of an integer is 0, even for the smallest INT64 (whose DuckDB % overflows).
  `CREATE OR REPLACE MACRO bq_mod(x, y) AS CASE
      WHEN y = 0 THEN error('division by zero: MOD(' || x || ', 0)')
      WHEN y = -1 AND typeof(x) LIKE '%INT%' AND typeof(y) LIKE '%INT%' THEN 0
      ELSE x % y END`,
  // BigQuery (ZetaSQL CheckFloatingPointError) raises an error when POW, EXP or LOG turn finite
  // inputs into Infinity or NaN; DuckDB returns them. (SQRT, LN and LOG10 raise in DuckDB too.)
  `CREATE OR REPLACE MACRO bq_float_checked(r, x, y, call) AS CASE
      WHEN NOT isfinite(r) AND isfinite(x) AND isfinite(y) THEN error('Floating point error in function: ' || call)
      ELSE r END`,
  `CREATE OR REPLACE MACRO bq_exp(x) AS bq_float_checked(exp(x), x, 0.0, 'EXP(' || x || ')')`,
  `CREATE OR REPLACE MACRO bq_pow(x, y) AS bq_float_checked(pow(x, y), x, y, 'POW(' || x || ', ' || y || ')')`,
  // LOG(x, base) is log base `base` of x, computed as ZetaSQL does; DuckDB's log(x) is base 10.
  `CREATE OR REPLACE MACRO bq_log(x, b) AS bq_float_checked(ln(x) / ln(b), x, b, 'LOG(' || x || ', ' || b || ')')`,

  // ROUND and TRUNC on FLOAT64. BigQuery (ZetaSQL RoundDecimal / TruncDecimal) scales in extended
  // precision, so it rounds the double's exact binary value: ROUND(2.675, 2) = 2.67 because 2.675
  // is stored as 2.67499999.... DuckDB scales in double precision: 2.675 * 100 is exactly 267.5 and
  // std::round makes it 268. The two can only disagree when the scaled double lands exactly on .5
  // (ROUND) or on an integer (TRUNC); only then do these checks read the exact value, whose
  // decimal expansion printf prints digit for digit.
  `CREATE OR REPLACE MACRO bq_exact_text(v) AS printf('%.60f', abs(v))`,
  // The digit of |v| at decimal position pos (1 = first after the point, 0 = units, -1 = tens).
  `CREATE OR REPLACE MACRO bq_digit_at(s, pos) AS CASE
      WHEN pos >= 1 THEN substr(s, strpos(s, '.') + pos, 1)
      WHEN strpos(s, '.') - 1 + pos >= 1 THEN substr(s, strpos(s, '.') - 1 + pos, 1)
      ELSE '0' END`,
  // |v| truncated to d decimals and scaled by 10^d, exactly (as a double: callers keep it < 2^52).
  `CREATE OR REPLACE MACRO bq_exact_scaled_trunc(s, d) AS TRY_CAST(CASE
      WHEN d >= 0 THEN replace(substr(s, 1, strpos(s, '.') + d), '.', '')
      ELSE substr(s, 1, strpos(s, '.') - 1 + d) END AS DOUBLE)`,
  // The scaled value as DuckDB's round and trunc compute it: x * 10^d, or x / 10^-d for d < 0.
  // NaN and infinities never pass these checks (NaN <> 0.5, inf - inf is NaN).
  `CREATE OR REPLACE MACRO bq_scaled(x, d) AS CASE WHEN d >= 0 THEN x * pow(10, d) ELSE x / pow(10, -d) END`,
  // DuckDB rounds away from zero here, BigQuery toward zero: a double tie whose exact value is below.
  `CREATE OR REPLACE MACRO bq_half_below(x, d, scaled) AS
      abs(scaled - trunc(scaled)) = 0.5 AND bq_digit_at(bq_exact_text(x), d + 1) < '5'`,
  // DuckDB's trunc keeps the integer the scaled double landed on, BigQuery the one below it.
  `CREATE OR REPLACE MACRO bq_integral_below(x, d, scaled) AS
      scaled = trunc(scaled) AND abs(scaled) < 4503599627370496 AND d BETWEEN -15 AND 15
      AND bq_exact_scaled_trunc(bq_exact_text(x), d) < abs(scaled)`,
  // ROUND(x, d) / TRUNC(x, d) with d constant. The corrections keep the result in x's type: in the
  // half-below case truncating gives BigQuery's answer, in the integral-below case rounding three
  // quarters of a unit nearer zero does (a DECIMAL offset keeps a DOUBLE a DOUBLE). DuckDB's
  // NUMERIC (DECIMAL) rounding is already exact and half away from zero; its round(x, d < 0)
  // turns NaN and infinities into 0, BigQuery keeps them.
  `CREATE OR REPLACE MACRO bq_round(x, d) AS CASE
      WHEN typeof(x) <> 'DOUBLE' THEN round(x, CAST(d AS INTEGER))
      WHEN d < 0 AND NOT isfinite(TRY_CAST(x AS DOUBLE)) THEN x
      WHEN bq_half_below(TRY_CAST(x AS DOUBLE), d, bq_scaled(TRY_CAST(x AS DOUBLE), d)) THEN trunc(x, CAST(d AS INTEGER))
      ELSE round(x, CAST(d AS INTEGER)) END`,
  `CREATE OR REPLACE MACRO bq_trunc(x, d) AS CASE
      WHEN typeof(x) = 'DOUBLE' AND bq_integral_below(TRY_CAST(x AS DOUBLE), d, bq_scaled(TRY_CAST(x AS DOUBLE), d))
        THEN round(x - sign(x) * TRY_CAST(0.75 * pow(10, -d) AS DECIMAL(38, 18)), CAST(d AS INTEGER))
      ELSE trunc(x, CAST(d AS INTEGER)) END`,
  // ROUND(x, d) for a literal d from 1 to 11, which the translator passes with m = 10^d: the same
  // answers as bq_round without printf. The exact side of a tie comes from the rounding error of
  // s = x * m, which Dekker's TwoProduct gives in doubles: with x split in two halves of 26 bits
  // (Veltkamp: hi = bq_split_hi(x), x - hi), and m = 2^d * 5^d of at most 26 significant bits,
  // x * m - s = (hi * m - s) + (x - hi) * m exactly. bq_round's printf costs about 2 us a tie, and
  // averages of a few integers land on ties often (23.25 to one decimal). Measured: 20 columns of
  // 44,000 tie-heavy rows 0.8-1.1 s with bq_round, 0.09 s with this; in a season batch the
  // upcoming_player_game_context query's last projection 260 to 158 ms (the query 954 to 924 ms).
  `CREATE OR REPLACE MACRO bq_split_hi(a) AS (134217729 * a) - ((134217729 * a) - a)`,
  `CREATE OR REPLACE MACRO bq_tie_below(a, m, s) AS
      abs(s - trunc(s)) = 0.5 AND ((bq_split_hi(a) * m - s) + (a - bq_split_hi(a)) * m) * sign(a) < 0`,
  `CREATE OR REPLACE MACRO bq_round_digits(x, d, m) AS CASE
      WHEN typeof(x) <> 'DOUBLE' THEN round(x, d)
      WHEN bq_tie_below(TRY_CAST(x AS DOUBLE), m, TRY_CAST(x AS DOUBLE) * m) THEN trunc(x, d)
      ELSE round(x, d) END`,
  boundOnce("bq_round", ["d"]),
  boundOnce("bq_trunc", ["d"]),
  boundOnce("bq_round_digits", ["d", "m"]),

  // SIGN keeps its argument's type (FLOAT64 and NUMERIC too; DuckDB's sign is an integer) and NaN.
  `CREATE OR REPLACE MACRO bq_sign(x) AS CASE
      WHEN typeof(x) = 'DOUBLE' AND isnan(TRY_CAST(x AS DOUBLE)) THEN x
      WHEN x > 0 THEN 1 WHEN x < 0 THEN -1 WHEN x = 0 THEN 0 END`,

  // GREATEST / LEAST: NULL when any argument is NULL (DuckDB skips NULLs); LEAST is NaN when any
  // argument is NaN (DuckDB orders NaN above every number). The translator passes the arguments
  // as one list so that each is evaluated once and their types are unified as BigQuery does.
  `CREATE OR REPLACE MACRO bq_greatest(l) AS CASE WHEN list_aggregate(l, 'count') < len(l) THEN NULL ELSE list_max(l) END`,
  `CREATE OR REPLACE MACRO bq_least(l) AS CASE
      WHEN list_aggregate(l, 'count') < len(l) THEN NULL
      WHEN typeof(l) IN ('DOUBLE[]', 'FLOAT[]') AND CAST(list_max(l) AS VARCHAR) = 'nan' THEN list_max(l)
      ELSE list_min(l) END`,
  boundOnce("bq_greatest"),
  boundOnce("bq_least"),

  // Arrays: arr[OFFSET(i)] is 0-based and raises out of range; DuckDB lists are 1-based, return
  // NULL out of range and count negative indexes from the end.
  `CREATE OR REPLACE MACRO bq_offset(arr, i) AS CASE WHEN i < 0 OR i >= len(arr) THEN error('Array index ' || i || ' is out of bounds') ELSE arr[i + 1] END`,
  `CREATE OR REPLACE MACRO bq_safe_offset(arr, i) AS CASE WHEN i < 0 OR i >= len(arr) THEN NULL ELSE arr[i + 1] END`,

  // Strings.
  `CREATE OR REPLACE MACRO bq_length(s) AS CASE WHEN typeof(s) = 'BLOB' THEN octet_length(TRY_CAST(s AS BLOB)) ELSE length(CAST(s AS VARCHAR)) END`,
  // SUBSTR: position 0, or one before the start, means 1 (DuckDB counts it as a character before
  // the string); a negative length is an error (DuckDB: empty string).
  `CREATE OR REPLACE MACRO bq_substr(s, p) AS substring(s, CASE WHEN p = 0 OR p < -length(s) THEN 1 ELSE p END),
    (s, p, l) AS CASE WHEN l < 0 THEN error('Third argument in SUBSTR() cannot be negative') ELSE substring(s, CASE WHEN p = 0 OR p < -length(s) THEN 1 ELSE p END, l) END`,
  `CREATE OR REPLACE MACRO bq_unicode_space() AS ${UNICODE_SPACE}`,
  // One-argument TRIM removes Unicode whitespace in BigQuery, only spaces in DuckDB.
  `CREATE OR REPLACE MACRO bq_trim(s) AS trim(s, bq_unicode_space())`,
  `CREATE OR REPLACE MACRO bq_ltrim(s) AS ltrim(s, bq_unicode_space())`,
  `CREATE OR REPLACE MACRO bq_rtrim(s) AS rtrim(s, bq_unicode_space())`,
  `CREATE OR REPLACE MACRO bq_lpad(s, n) AS CASE WHEN n < 0 THEN error('LPAD: return length cannot be negative') ELSE lpad(s, n, ' ') END,
    (s, n, p) AS CASE WHEN n < 0 THEN error('LPAD: return length cannot be negative') ELSE lpad(s, n, p) END`,
  `CREATE OR REPLACE MACRO bq_rpad(s, n) AS CASE WHEN n < 0 THEN error('RPAD: return length cannot be negative') ELSE rpad(s, n, ' ') END,
    (s, n, p) AS CASE WHEN n < 0 THEN error('RPAD: return length cannot be negative') ELSE rpad(s, n, p) END`,
  // REGEXP_EXTRACT: NULL when nothing matches (DuckDB: empty string). The translator only uses it
  // for literal patterns whose capture group cannot be skipped by a successful match.
  `CREATE OR REPLACE MACRO bq_regexp_extract(s, re, g) AS CASE WHEN regexp_matches(s, re) THEN regexp_extract(s, re, g) END`,

  // DATE, DATETIME and TIMESTAMP values stop at 9999-12-31 in BigQuery, which raises beyond (and
  // before 0001-01-01); DuckDB's go on.
  `CREATE OR REPLACE MACRO bq_in_date_range(d) AS CASE
      WHEN year(d) < 1 OR year(d) > 9999 THEN error('Date or timestamp out of range: ' || d) ELSE d END`,

  // GENERATE_ARRAY(a, b, 0) raises; DuckDB's generate_series gives an empty list.
  `CREATE OR REPLACE MACRO bq_generate_array(a, b, s) AS CASE WHEN s = 0 THEN error('Sequence step cannot be 0.') ELSE generate_series(a, b, s) END`,
  // FORMAT's %x, %X and %o print a negative number with a minus sign, DuckDB's printf its two's
  // complement; the local engine raises rather than print something else.
  `CREATE OR REPLACE MACRO bq_format_unsigned(x) AS CASE
      WHEN x < 0 THEN error('FORMAT %x, %X or %o of a negative number is not supported by the local engine') ELSE x END`,

  // Weeks that start on weekday k (0 = Sunday, BigQuery's WEEK; 1 = Monday, ISOWEEK).
  `CREATE OR REPLACE MACRO bq_week_start(d, k) AS CAST(d AS DATE) - CAST((dayofweek(d) - k + 7) % 7 AS INTEGER)`,
  // EXTRACT(WEEK): weeks start on weekday k; days before the year's first such day are week 0.
  `CREATE OR REPLACE MACRO bq_week(d, k) AS (dayofyear(d) + 6 - (dayofweek(d) - k + 7) % 7) // 7`,

  // CAST(x AS STRING) for the types whose DuckDB text differs from BigQuery's: FLOAT64 as the
  // shortest of %.15g / %.17g that reads back to the same double (ZetaSQL RoundTripDoubleToString,
  // "1" not "1.0"), NUMERIC without trailing zeros, timestamps with 0, 3 or 6 fractional digits.
  `CREATE OR REPLACE MACRO bq_f64_to_string(x) AS CASE
      WHEN CAST(printf('%.15g', x + 0.0) AS DOUBLE) = x THEN printf('%.15g', x + 0.0)
      ELSE printf('%.17g', x + 0.0) END`,
  `CREATE OR REPLACE MACRO bq_timestamp_text(x) AS CASE
      WHEN microsecond(x) % 1000000 = 0 THEN strftime(x, '%Y-%m-%d %H:%M:%S')
      WHEN microsecond(x) % 1000 = 0 THEN strftime(x, '%Y-%m-%d %H:%M:%S.%g')
      ELSE strftime(x, '%Y-%m-%d %H:%M:%S.%f') END`,
  `CREATE OR REPLACE MACRO bq_to_string(x) AS CASE
      WHEN x IS NULL THEN NULL
      WHEN typeof(x) = 'DOUBLE' THEN bq_f64_to_string(TRY_CAST(x AS DOUBLE))
      WHEN typeof(x) LIKE 'DECIMAL%' AND contains(CAST(x AS VARCHAR), '.') THEN rtrim(rtrim(CAST(x AS VARCHAR), '0'), '.')
      WHEN typeof(x) = 'TIMESTAMP WITH TIME ZONE' THEN bq_timestamp_text(TRY_CAST(x AS TIMESTAMPTZ)) || '+00'
      WHEN typeof(x) = 'TIMESTAMP' THEN bq_timestamp_text(TRY_CAST(x AS TIMESTAMP))
      WHEN typeof(x) = 'TIME' THEN substr(bq_timestamp_text(DATE '2000-01-01' + TRY_CAST(x AS TIME)), 12)
      WHEN typeof(x) = 'BLOB' THEN decode(TRY_CAST(x AS BLOB))
      ELSE CAST(x AS VARCHAR) END`,

  // CAST(x AS INT64): FLOAT64 rounds half away from zero (DuckDB: half to even); a string must be
  // a plain or 0x integer (DuckDB also accepts '12.5', '1e2', '1_000'). A string of 1 to 18 ASCII
  // digits, the common case ('34', the parts of '34:12'), is read by DuckDB's own cast: it cannot
  // overflow, and one pattern instead of two and the trims took a season's player box-score
  // minutes from 125 to 46 ms.
  `CREATE OR REPLACE MACRO bq_int64_digits(s) AS regexp_full_match(s, '[0-9]{1,18}')`,
  `CREATE OR REPLACE MACRO bq_int64_text(s) AS regexp_full_match(s, ${INT_DECIMAL}) OR regexp_full_match(s, ${INT_HEX})`,
  // A signed decimal is DuckDB's to read, sign included (negated after, -9223372036854775808 would
  // overflow). DuckDB reads 0x only unsigned: the digits as a UBIGINT, signed in 128 bits, so that
  // -0x8000000000000000 is INT64's minimum and 0x8000000000000000 is out of range.
  `CREATE OR REPLACE MACRO bq_int64_from_text(s) AS CASE
      WHEN NOT contains(lower(s), 'x') THEN TRY_CAST(trim(s, ${ASCII_SPACE}) AS BIGINT)
      ELSE TRY_CAST(CASE WHEN starts_with(trim(s, ${ASCII_SPACE}), '-') THEN -1 ELSE 1 END
        * CAST(TRY_CAST(ltrim(trim(s, ${ASCII_SPACE}), '+-') AS UBIGINT) AS HUGEINT) AS BIGINT) END`,
  // A string's cast is one lambda's body: it uses the string a dozen times, bound once so (as
  // boundOnce, above). A number's cast never runs the lambda: the branch of the other type is
  // folded away once typeof(x) is known. A date's model queries 338 to 309 ms with this and
  // GREATEST / LEAST bound once (game_source_checks 45 to 29 ms); a season batch no slower.
  `CREATE OR REPLACE MACRO bq_text_to_int64(x) AS list_transform([x], lambda s: CASE
      WHEN s IS NULL THEN NULL
      WHEN bq_int64_digits(s) THEN TRY_CAST(s AS BIGINT)
      WHEN NOT bq_int64_text(s) OR bq_int64_from_text(s) IS NULL THEN error('Bad int64 value: ' || s)
      ELSE bq_int64_from_text(s) END)[1]`,
  `CREATE OR REPLACE MACRO bq_safe_text_to_int64(x) AS list_transform([x], lambda s: CASE
      WHEN bq_int64_digits(s) THEN TRY_CAST(s AS BIGINT)
      WHEN bq_int64_text(s) THEN bq_int64_from_text(s) END)[1]`,
  `CREATE OR REPLACE MACRO bq_double_to_int64(d) AS CASE
      WHEN isnan(d) OR isinf(d) THEN error('Illegal conversion of non-finite floating point number to an integer: ' || d)
      ELSE CAST(round(d) AS BIGINT) END`,
  `CREATE OR REPLACE MACRO bq_cast_int64(x) AS CASE
      WHEN typeof(x) = 'DOUBLE' THEN bq_double_to_int64(TRY_CAST(x AS DOUBLE))
      WHEN typeof(x) = 'VARCHAR' THEN bq_text_to_int64(TRY_CAST(x AS VARCHAR))
      ELSE CAST(x AS BIGINT) END`,
  `CREATE OR REPLACE MACRO bq_safe_cast_int64(x) AS CASE
      WHEN typeof(x) = 'DOUBLE' THEN TRY_CAST(round(TRY_CAST(x AS DOUBLE)) AS BIGINT)
      WHEN typeof(x) = 'VARCHAR' THEN bq_safe_text_to_int64(TRY_CAST(x AS VARCHAR))
      ELSE TRY_CAST(x AS BIGINT) END`,
  // CAST(x AS BOOL): from a string only 'true' / 'false', any case (DuckDB also takes 't', 'yes', '1'...).
  `CREATE OR REPLACE MACRO bq_cast_bool(x) AS CASE
      WHEN x IS NULL THEN NULL
      WHEN typeof(x) = 'VARCHAR' AND lower(CAST(x AS VARCHAR)) = 'true' THEN true
      WHEN typeof(x) = 'VARCHAR' AND lower(CAST(x AS VARCHAR)) = 'false' THEN false
      WHEN typeof(x) = 'VARCHAR' THEN error('Bad bool value: ' || x)
      ELSE CAST(x AS BOOLEAN) END`,
  `CREATE OR REPLACE MACRO bq_safe_cast_bool(x) AS CASE
      WHEN typeof(x) = 'VARCHAR' AND lower(CAST(x AS VARCHAR)) = 'true' THEN true
      WHEN typeof(x) = 'VARCHAR' AND lower(CAST(x AS VARCHAR)) = 'false' THEN false
      WHEN typeof(x) = 'VARCHAR' THEN NULL
      ELSE TRY_CAST(x AS BOOLEAN) END`,
  // CAST(string AS DATE / DATETIME / TIMESTAMP) takes only BigQuery's canonical text; DuckDB also
  // reads '2025/01/15', ' 2025-01-15 ', '2025-01-15 10:00' and a DATE from '2025-01-15 10:00:00'.
  `CREATE OR REPLACE MACRO bq_is_date_text(s) AS regexp_full_match(s, '${DATE_TEXT}')`,
  `CREATE OR REPLACE MACRO bq_is_datetime_text(s) AS regexp_full_match(s, '${DATE_TEXT}(${TIME_TEXT})?')`,
  `CREATE OR REPLACE MACRO bq_is_timestamp_text(s) AS regexp_full_match(s, '${DATE_TEXT}(${TIME_TEXT}${ZONE_TEXT}?)?')`,
  `CREATE OR REPLACE MACRO bq_cast_date(x) AS CASE
      WHEN typeof(x) = 'VARCHAR' AND NOT bq_is_date_text(CAST(x AS VARCHAR)) THEN error('Invalid date: ' || x) ELSE CAST(x AS DATE) END`,
  `CREATE OR REPLACE MACRO bq_safe_cast_date(x) AS CASE
      WHEN typeof(x) = 'VARCHAR' AND NOT bq_is_date_text(CAST(x AS VARCHAR)) THEN NULL ELSE TRY_CAST(x AS DATE) END`,
  `CREATE OR REPLACE MACRO bq_cast_datetime(x) AS CASE
      WHEN typeof(x) = 'VARCHAR' AND NOT bq_is_datetime_text(CAST(x AS VARCHAR)) THEN error('Invalid datetime: ' || x) ELSE CAST(x AS TIMESTAMP) END`,
  `CREATE OR REPLACE MACRO bq_safe_cast_datetime(x) AS CASE
      WHEN typeof(x) = 'VARCHAR' AND NOT bq_is_datetime_text(CAST(x AS VARCHAR)) THEN NULL ELSE TRY_CAST(x AS TIMESTAMP) END`,
  `CREATE OR REPLACE MACRO bq_cast_timestamp(x) AS CASE
      WHEN typeof(x) = 'VARCHAR' AND NOT bq_is_timestamp_text(CAST(x AS VARCHAR)) THEN error('Invalid timestamp: ' || x) ELSE CAST(x AS TIMESTAMPTZ) END`,
  `CREATE OR REPLACE MACRO bq_safe_cast_timestamp(x) AS CASE
      WHEN typeof(x) = 'VARCHAR' AND NOT bq_is_timestamp_text(CAST(x AS VARCHAR)) THEN NULL ELSE TRY_CAST(x AS TIMESTAMPTZ) END`,
  // DATE(string) is the UTC date of the string read as a TIMESTAMP (zone and time allowed).
  `CREATE OR REPLACE MACRO bq_date(x) AS CASE
      WHEN typeof(x) = 'VARCHAR' THEN CAST(bq_cast_timestamp(x) AS DATE) ELSE CAST(x AS DATE) END`,
  // CAST(string AS BYTES) is the UTF-8 encoding (DuckDB's VARCHAR -> BLOB cast reads \x escapes).
  `CREATE OR REPLACE MACRO bq_to_bytes(x) AS CASE WHEN typeof(x) = 'VARCHAR' THEN encode(CAST(x AS VARCHAR)) ELSE TRY_CAST(x AS BLOB) END`,
];
