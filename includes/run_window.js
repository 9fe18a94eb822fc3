// The run window: every model and gate scopes itself to the run dates through this helper, so
// all of them filter the same way. The dates come from the compilation vars start_date and
// end_date (declared in includes/vars.js): the runner sets both for every compile (--date,
// --start-date/--end-date); a scheduled GCP Dataform workflow sets neither, and then the window
// defaults by model kind (spec 1.4), computed when the project is compiled:
//
//   game models (box scores, team and player summaries, shot zones, defense zones, their gates):
//     D = the date the games were played: yesterday in America/New_York;
//   upcoming-context models (nbac_schedule_latest, upcoming_team_game_context,
//   upcoming_player_game_context and their gates schedule_available, player_history_complete):
//     D = the date of the upcoming games: today in America/New_York.
//
// A model reads its kind's window: `run_window.filter(...)` (and startDate/endDate) is the game
// window; the upcoming-context models and their gates use `run_window.upcoming.filter(...)`, and
// pass `run_window.upcoming` to the schedule helpers that need the dates. With start_date/end_date
// set, both kinds read the same dates. Compile-time "today" means a GCP Dataform release
// configuration must compile on the workflow's schedule (README, Running under GCP Dataform).

const constants = require("./constants");
const vars = require("./vars");

const DAY_MS = 86400000;

/** The calendar date "YYYY-MM-DD" of `now` in `timeZone`. */
function dateIn(timeZone, now) {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(now);
  const part = (type) => parts.find((candidate) => candidate.type === type).value;
  return `${part("year")}-${part("month")}-${part("day")}`;
}

function addDays(date, days) {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Model kinds, how many days before today their default run date is, and that date in words. */
const KINDS = Object.fromEntries(
  Object.entries(constants.RUN_WINDOW_DAYS_BEFORE_TODAY).map(([kind, daysBeforeToday]) => [
    kind,
    { daysBeforeToday, defaultText: `${vars.daysBeforeTodayText(daysBeforeToday)} in ${constants.SCHEDULE_TIMEZONE}` },
  ]),
);

/** The default run date of a model kind, as of `now`. */
function defaultDate(kind, now = new Date()) {
  const declared = KINDS[kind];
  if (!declared) throw new Error(`run window kind ${kind}: unknown (one of ${Object.keys(KINDS).join(", ")})`);
  return addDays(dateIn(constants.SCHEDULE_TIMEZONE, now), -declared.daysBeforeToday);
}

/** The run dates {start, end} of a model kind: the vars when set (both or neither), else the kind's default. */
function dates(kind) {
  const start = vars.date("start_date");
  const end = vars.date("end_date");
  if (start === null && end === null) {
    const date = defaultDate(kind);
    return { start: date, end: date };
  }
  if (start === null || end === null) {
    throw new Error(`var ${start === null ? "start_date" : "end_date"} is not set: give both start_date and end_date, or neither (${KINDS[kind].defaultText})`);
  }
  if (start > end) throw new Error(`var start_date=${start} is after end_date=${end}`);
  return { start, end };
}

/** The window of one model kind: its first and last run date and the SQL predicate keeping them. */
function windowOf(kind) {
  return {
    kind,
    startDate: () => dates(kind).start,
    endDate: () => dates(kind).end,
    /** A SQL predicate keeping rows of `column` inside the run dates. */
    filter: (column) => {
      const { start, end } = dates(kind);
      return `${column} BETWEEN DATE '${start}' AND DATE '${end}'`;
    },
  };
}

const game = windowOf("game");
const upcoming = windowOf("upcoming");

module.exports = {
  // The game window, the default: run_window.filter("game_date").
  startDate: game.startDate,
  endDate: game.endDate,
  filter: game.filter,
  game,
  upcoming,
  KINDS,
  defaultDate,
};
