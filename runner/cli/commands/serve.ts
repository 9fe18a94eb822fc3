/** `runner serve`: the Pub/Sub push endpoint (DESIGN sections 6 and 8, spec 1.3-1.5). */
import { Command, Option } from "commander";
import { z } from "zod";
import { ensureQuarantine, quarantineTable } from "../../checks/quarantine.ts";
import { defenseChecks } from "../../checks/defense.ts";
import { compileProject, PROJECT_DIR } from "../../compile/compile.ts";
import { rangeOf } from "../../dates.ts";
import type { Engine } from "../../engines/engine.ts";
import { engineKindOf } from "../../engines/open.ts";
import { BadInputError } from "../../errors.ts";
import { DEFAULT_CONCURRENCY } from "../../execution/run.ts";
import { targetOf } from "../../execution/write.ts";
import { ensureLedger } from "../../ledger/ledger.ts";
import { Logger } from "../../log.ts";
import { buildProjectGraph } from "../../plan/actions.ts";
import { AUTH_MODES, createAuthenticator, readCertsFile, type AuthConfig } from "../../server/auth.ts";
import { ensureDeliveries } from "../../server/deliveries.ts";
import { HEADERS_TIMEOUT_S, MAX_CONNECTIONS, REQUEST_TIMEOUT_S } from "../../server/limits.ts";
import { Counters } from "../../server/metrics.ts";
import { WorkerPlanner } from "../../server/planner.ts";
import { checkCanListen, startServer } from "../../server/server.ts";
import { DeliveryService } from "../../server/service.ts";
import { resolveTriggers } from "../../server/triggers.ts";
import {
  addBudgetOption,
  addExamples,
  addProjectOption,
  addWarehouseOption,
  parseOptions,
  ProjectOptionsSchema,
  varsFrom,
  overridesFrom,
  WarehouseOptionsSchema,
  wholeNumberFlag,
  type CliIO,
  type WarehouseOptions,
} from "../options.ts";

/** The shared secret of `--auth shared-secret`. */
export const SERVE_TOKEN_ENV = "RUNNER_SERVE_TOKEN";
/** Test-only: a JSON file `{kid: PEM}` of certificates the OIDC check trusts instead of Google's. */
export const OIDC_CERTS_ENV = "RUNNER_OIDC_CERTS_FILE";
/** Pub/Sub's longest ack deadline: an answer after it is too late (the message is redelivered). */
export const ACK_DEADLINE_MAX_S = 600;
export const DEFAULT_RUN_TIMEOUT_S = 540;
/** Cloud Run sends SIGKILL 10 s after SIGTERM. */
export const DEFAULT_SHUTDOWN_TIMEOUT_S = 8;
export const DEFAULT_MAX_RUNS = 4;

/** Seconds given as text: above 0, or 0 and more with `allowZero`. */
function secondsFlag({ allowZero = false } = {}) {
  return z
    .string()
    .refine((text) => {
      const seconds = Number(text);
      return text.trim() !== "" && Number.isFinite(seconds) && (allowZero ? seconds >= 0 : seconds > 0);
    }, `must be a number of seconds${allowZero ? ", 0 or more" : " above 0"}`)
    .transform(Number);
}

const ServeOptionsSchema = z
  .object({
    ...WarehouseOptionsSchema.shape,
    ...ProjectOptionsSchema.shape,
    port: wholeNumberFlag({ min: 0, max: 65535, meaning: "a port; 0 picks a free one" }),
    host: z.string().min(1, "must name an interface"),
    concurrency: wholeNumberFlag(),
    actionConcurrency: wholeNumberFlag(),
    runTimeout: secondsFlag().refine(
      (seconds) => seconds < ACK_DEADLINE_MAX_S,
      `must be below Pub/Sub's maximum ack deadline (${ACK_DEADLINE_MAX_S} s): an answer after it is lost, the message already redelivered`,
    ),
    shutdownTimeout: secondsFlag({ allowZero: true }),
    headersTimeout: secondsFlag(),
    requestTimeout: secondsFlag(),
    maxConnections: wholeNumberFlag(),
    auth: z.enum(AUTH_MODES),
    oidcAudience: z.string().min(1, "must not be empty").optional(),
    oidcServiceAccount: z.string().min(1, "must not be empty").optional(),
  })
  .superRefine((options, context) => {
    if (options.headersTimeout > options.requestTimeout) {
      context.addIssue({ code: "custom", path: ["headersTimeout"], message: `${options.headersTimeout} is longer than --request-timeout ${options.requestTimeout}: the head is part of the request` });
    }
    if (options.auth !== "oidc") return;
    if (!options.oidcAudience) context.addIssue({ code: "custom", path: ["oidcAudience"], message: "needed with --auth oidc: the push endpoint URL, or the audience set on the subscription" });
    if (!options.oidcServiceAccount) context.addIssue({ code: "custom", path: ["oidcServiceAccount"], message: "needed with --auth oidc: the subscription's push service account" });
  });
type ServeOptions = z.output<typeof ServeOptionsSchema>;

function authConfig(options: ServeOptions): AuthConfig {
  if (options.auth === "shared-secret") {
    const secret = process.env[SERVE_TOKEN_ENV];
    if (!secret) {
      throw new BadInputError("missing_secret", `--auth shared-secret needs the secret in the environment variable ${SERVE_TOKEN_ENV}`);
    }
    return { mode: "shared-secret", secret };
  }
  if (options.auth === "oidc" && options.oidcAudience && options.oidcServiceAccount) {
    const certsFile = process.env[OIDC_CERTS_ENV];
    const certs = certsFile ? readCertsFile(certsFile, OIDC_CERTS_ENV) : undefined;
    return { mode: "oidc", oidc: { audience: options.oidcAudience, serviceAccount: options.oidcServiceAccount, certs } };
  }
  return { mode: "none" };
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}

function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      resolve(signal);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}

export function serveCommand(io: CliIO, setExit: (code: number) => void, openEngine: (options: WarehouseOptions) => Promise<Engine>): Command {
  const command = new Command("serve")
    .summary("serve the Pub/Sub push endpoint: run the triggered models per message")
    .description(
      "An HTTP server for Pub/Sub push deliveries of Phase 2 completion messages (POST / or /process). The " +
        "message's table selects the models (the trigger map, with everything they depend on, gates included); " +
        "its game_date is the run date. Answers: 200 completed / failed (acknowledged) / skipped / duplicate / " +
        "no_processors; 500 + Retry-After for not ready (gate unmet), a busy date, a timeout or an engine error " +
        "(Pub/Sub retries); 400 malformed or over Pub/Sub's limits; 413 too large; 401/403 auth (checked before the body " +
        "is read; logged and counted, not recorded). One run per date at a time. Every authenticated delivery is recorded " +
        "in the runner's deliveries table (nba_orchestration.phase3_runner_deliveries by default). GET /healthz (alive), GET /readyz (warehouse reachable), GET /metrics (counters). " +
        "SIGTERM/SIGINT: stop accepting, let runs finish (bounded by --shutdown-timeout), close, exit 0.",
    )
    .addOption(new Option("--port <n>", "port to listen on (0: any free port)").env("PORT").default("8080"))
    .addOption(new Option("--host <host>", "interface to listen on (0.0.0.0 in a container)").default("127.0.0.1"))
    .addOption(new Option("--concurrency <n>", "runs (dates) at most this many at a time; more wait for a slot").default(String(DEFAULT_MAX_RUNS)))
    .addOption(new Option("--action-concurrency <n>", "actions of one level run at most this many at a time").default(String(DEFAULT_CONCURRENCY)))
    .addOption(
      new Option("--run-timeout <s>", `answer 500 (retry) when a delivery is not done after this long; below the ack deadline (max ${ACK_DEADLINE_MAX_S})`).default(
        String(DEFAULT_RUN_TIMEOUT_S),
      ),
    )
    .addOption(new Option("--shutdown-timeout <s>", "on SIGTERM, wait this long for runs in progress").default(String(DEFAULT_SHUTDOWN_TIMEOUT_S)))
    .addOption(new Option("--headers-timeout <s>", "close a connection whose request head has not arrived after this long (408)").default(String(HEADERS_TIMEOUT_S)))
    .addOption(new Option("--request-timeout <s>", "close a connection whose whole request has not arrived after this long (408)").default(String(REQUEST_TIMEOUT_S)))
    .addOption(new Option("--max-connections <n>", "open connections at most; more are closed unanswered").default(String(MAX_CONNECTIONS)))
    .addOption(new Option("--auth <mode>", `who may post: none, shared-secret (env ${SERVE_TOKEN_ENV}) or oidc`).choices(AUTH_MODES).default("none"))
    .option("--oidc-audience <url>", "with --auth oidc: the audience of the push subscription's token")
    .option("--oidc-service-account <email>", "with --auth oidc: the push subscription's service account");
  addWarehouseOption(command);
  addBudgetOption(command);
  addProjectOption(command);
  addExamples(command, [
    "runner serve --port 8080",
    "RUNNER_SERVE_TOKEN=... runner serve --auth shared-secret",
    "runner serve --host 0.0.0.0 --auth oidc --oidc-audience https://phase3-xyz.run.app/process \\",
    "  --oidc-service-account pubsub-push@PROJECT.iam.gserviceaccount.com",
  ]);

  return command.action(async (raw: unknown) => {
    const options = parseOptions(ServeOptionsSchema, raw, "serve");
    const { port, actionConcurrency, runTimeout, shutdownTimeout, headersTimeout, requestTimeout, maxConnections } = options;
    const maxRuns = options.concurrency;
    const authenticator = createAuthenticator(authConfig(options));
    const projectDir = options.project ?? PROJECT_DIR;
    const vars = varsFrom(options);
    const overrides = overridesFrom(options);
    const log = new Logger({ component: "serve" });

    // The graph does not depend on the date: compile once for the trigger map and to fail fast.
    const today = vars.as_of_date ?? new Date().toISOString().slice(0, 10);
    const graph = buildProjectGraph(compileProject({ projectDir, dates: rangeOf(today, today), vars, overrides }));
    const triggers = resolveTriggers(graph);
    for (const trigger of triggers.values()) {
      if (trigger.missing.length > 0) {
        log.info(`Trigger ${trigger.table}: ${trigger.missing.join(", ")} not in this project`, { trigger: trigger.table, missing: trigger.missing });
      }
    }
    if (options.auth === "none" && !isLoopback(options.host)) {
      log.warn(`Listening on ${options.host} without authentication: only behind an authenticating front (Cloud Run IAM)`);
    }

    // Before the warehouse is opened (and its tables prepared): a taken port or a foreign --host is exit 2 at once.
    await checkCanListen(options.host, port);
    const engine = await openEngine(options);
    let closeEngine = true;
    let stopPlanner: () => Promise<void> = async () => {};
    try {
      // The server's own tables exist before the first delivery, so that concurrent runs never race
      // to create them (see runner/server/concurrency.ts).
      await ensureLedger(engine);
      await ensureDeliveries(engine);
      for (const action of graph.actions.values()) {
        if (action.role === "model" && action.kind === "incremental") await ensureQuarantine(engine, quarantineTable(targetOf(action)));
      }

      const counters = new Counters();
      // Runs are compiled in a worker thread, so that compiling never stalls /healthz or other requests.
      const planner = new WorkerPlanner(counters, log);
      planner.start();
      stopPlanner = () => planner.close();
      const service = new DeliveryService({
        engine,
        graph,
        projectDir,
        triggers,
        authenticator,
        planner,
        counters,
        varsFor: () => varsFrom(options),
        overrides,
        checks: defenseChecks(projectDir),
        // As `runner run` does on BigQuery: with a byte budget configured, estimate first, refuse above it.
        beforeRun:
          engineKindOf(options) === "bigquery"
            ? async ({ gameDate, plan }) => {
                const { enforceBudget } = await import("../../engines/bigquery/dry_run.ts");
                await enforceBudget(engine, [{ gameDate, plan }]);
              }
            : undefined,
        actionConcurrency,
        maxRuns,
        runTimeoutMs: runTimeout * 1000,
        log,
      });
      const stopSignal = waitForStopSignal();
      const server = await startServer({
        service,
        engine,
        host: options.host,
        port,
        limits: { headersTimeoutMs: headersTimeout * 1000, requestTimeoutMs: requestTimeout * 1000, maxConnections },
        log,
        traceProject: process.env.GOOGLE_CLOUD_PROJECT ?? graph.defaultDatabase,
      });
      const shown = server.host.includes(":") ? `[${server.host}]` : server.host;
      io.stdout(`runner serve listening on http://${shown}:${server.port}`);
      log.notice(`Listening on ${shown}:${server.port} (auth ${authenticator.mode}, ${maxRuns} run(s) at a time, run timeout ${runTimeout}s, at most ${maxConnections} connections, head within ${headersTimeout}s, request within ${requestTimeout}s)`, {
        port: server.port,
        triggers: Object.fromEntries([...triggers.values()].map((trigger) => [trigger.table, trigger.models])),
      });

      const signal = await stopSignal;
      log.notice(`${signal} received: no new deliveries; waiting up to ${shutdownTimeout}s for ${service.busy.runs} run(s) in progress`);
      const { drained } = await server.close(shutdownTimeout * 1000);
      if (!drained) {
        // Closing DuckDB under a running statement is not safe; exiting is: an open transaction is
        // discarded, committed MERGEs are whole, and the deliveries were answered 500 (redelivered).
        closeEngine = false;
        log.warn(`Shutdown: ${service.busy.runs} run(s) abandoned mid-way; their open transactions are rolled back, Pub/Sub redelivers them`);
      }
      log.notice("Server stopped");
      setExit(0);
    } finally {
      await stopPlanner();
      if (closeEngine) await engine.close();
    }
  });
}
