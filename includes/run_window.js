// The run window: every model and gate scopes itself to the run dates through this helper, so
// all of them filter the same way. The dates come from the compilation vars start_date and
// end_date (declared in includes/vars.js; dataform.json holds defaults, the runner sets them per run).

const vars = require("./vars");

function startDate() {
  return vars.date("start_date");
}

function endDate() {
  return vars.date("end_date");
}

/** A SQL predicate keeping rows of `column` inside the run dates. */
function filter(column) {
  return `${column} BETWEEN DATE '${startDate()}' AND DATE '${endDate()}'`;
}

module.exports = { startDate, endDate, filter };
