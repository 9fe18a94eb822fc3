// The run window: every model and gate scopes itself to the run dates through this helper, so
// all of them filter the same way. The dates come from the compilation vars start_date and
// end_date (dataform.json holds defaults; the runner sets them per run).

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

function varDate(name) {
  const value = dataform.projectConfig.vars[name];
  if (typeof value !== "string" || !DATE_PATTERN.test(value)) {
    throw new Error(`var ${name} must be a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  }
  return value;
}

function startDate() {
  return varDate("start_date");
}

function endDate() {
  return varDate("end_date");
}

/** A SQL predicate keeping rows of `column` inside the run dates. */
function filter(column) {
  return `${column} BETWEEN DATE '${startDate()}' AND DATE '${endDate()}'`;
}

module.exports = { startDate, endDate, filter };
