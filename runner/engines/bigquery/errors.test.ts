import { describe, expect, it } from "vitest";
import { DataFailureError, ExitCode, NotReadyError } from "../../errors.ts";
import { JobFailedError, JobTimeoutError, RetryBudget, describeProblem, failure, withRetries } from "./errors.ts";

/** What @google-cloud/common's ApiError carries for a failed request. */
function apiError(code: number, reason: string | undefined, message: string) {
  return Object.assign(new Error(message), { code, errors: reason ? [{ reason, message, domain: "global" }] : [] });
}

describe("describeProblem", () => {
  it.each([
    ["rateLimitExceeded (HTTP 403)", apiError(403, "rateLimitExceeded", "Exceeded rate limits: too many table update operations")],
    ["backendError", apiError(500, "backendError", "Backend error")],
    ["a 503 without a reason", apiError(503, undefined, "Service Unavailable")],
    ["a 429", apiError(429, undefined, "Too Many Requests")],
    ["quotaExceeded", apiError(403, "quotaExceeded", "Quota exceeded: too many concurrent queries")],
    ["a concurrent-update conflict", apiError(400, "invalidQuery", "Could not serialize access to table p:d.t due to concurrent update")],
    ["a job that failed with backendError", new JobFailedError("backendError", "Error encountered during execution. Retrying may solve the problem.", "job_1")],
    ["a job not done in time", new JobTimeoutError("job job_1 was not done within 1000 ms")],
    ["a reset connection", Object.assign(new Error("request to http://x failed, reason: socket hang up"), { code: "ECONNRESET" })],
    [
      "resourcesExceeded: too many DML statements outstanding",
      new JobFailedError("resourcesExceeded", "Too many DML statements outstanding against table nba-props-platform:nba_analytics.player_game_summary, limit is 20.", "job_3"),
    ],
    ["quotaExceeded for a rate quota (queued jobs)", apiError(403, "quotaExceeded", "Quota exceeded: Your project and region exceeded quota for max number of jobs that can be queued per project.")],
    ["quotaExceeded for a rate quota (bytes per second)", apiError(403, "quotaExceeded", "Quota exceeded: Your project exceeded quota for tabledata.list bytes per second per project.")],
  ])("%s is transient", (_name, error) => {
    expect(describeProblem(error).kind).toBe("transient");
  });

  it.each([
    ["invalidQuery", apiError(400, "invalidQuery", "Syntax error: Unexpected keyword FROM at [3:5]")],
    ["notFound", apiError(404, "notFound", "Not found: Table p:nba_raw.nbac_schedule was not found in location US")],
    ["accessDenied", apiError(403, "accessDenied", "Access Denied: Table p:nba_raw.nbac_schedule: User does not have permission")],
    ["bytesBilledLimitExceeded", apiError(400, "bytesBilledLimitExceeded", "Query exceeded limit for bytes billed: 1000000.")],
    ["a 400 without a reason", apiError(400, undefined, "Bad Request")],
    ["a job that failed with invalidQuery", new JobFailedError("invalidQuery", "Division by zero: 1 / 0", "job_2")],
    ["resourcesExceeded: memory", new JobFailedError("resourcesExceeded", "Resources exceeded during query execution: The query could not be executed in the allotted memory.", "job_4")],
    ["quotaExceeded: query usage per day", apiError(403, "quotaExceeded", "Quota exceeded: Your project exceeded quota for query usage per day.")],
    ["quotaExceeded: a custom daily quota", new JobFailedError("quotaExceeded", "Custom quota exceeded: Your usage exceeded the custom quota for QueryUsagePerDay, which is set by your administrator.", "job_5")],
    ["quotaExceeded: partition modifications", new JobFailedError("quotaExceeded", "Quota exceeded: Your table exceeded quota for Number of partition modifications to a column partitioned table.", "job_6")],
    ["quotaExceeded: table appends", new JobFailedError("quotaExceeded", "Quota exceeded: Your table exceeded quota for imports or query appends per table.", "job_7")],
  ])("%s is permanent", (_name, error) => {
    expect(describeProblem(error).kind).toBe("permanent");
  });

  it("keeps BigQuery's reason, status and own message", () => {
    expect(describeProblem(apiError(400, "invalidQuery", "Unrecognized name: gmae_id at [5:3]"))).toEqual({
      kind: "permanent",
      reason: "invalidQuery",
      status: 400,
      message: "Unrecognized name: gmae_id at [5:3]",
    });
  });
});

describe("failure", () => {
  it("is a data failure (exit 1) naming the action, BigQuery's reason and message, and the statement", () => {
    const error = failure(describeProblem(apiError(400, "invalidQuery", "Syntax error: Unexpected \")\" at [2:9]")), "-- stage\nSELECT a, FROM t)", { action: "team_offense_game_summary" }, undefined);
    expect(error).toBeInstanceOf(DataFailureError);
    expect(error.exitCode).toBe(ExitCode.dataFailure);
    expect(error.code).toBe("bigquery_invalid_query");
    expect(error.message).toBe('team_offense_game_summary: BigQuery invalidQuery: Syntax error: Unexpected ")" at [2:9]');
    expect(error.suggestion).toBe("The statement began: SELECT a, FROM t)");
  });

  it("says a per-day quota is used up and not retried, and when it resets", () => {
    const problem = describeProblem(apiError(403, "quotaExceeded", "Quota exceeded: Your project exceeded quota for query usage per day."));
    const error = failure(problem, "SELECT 1", { action: "player_game_summary" }, undefined);
    expect(error.exitCode).toBe(ExitCode.dataFailure);
    expect(error.code).toBe("bigquery_quota_exceeded");
    expect(error.message).toBe(
      "player_game_summary: BigQuery quotaExceeded (a per-day or monthly quota, used up: not retried): Quota exceeded: Your project exceeded quota for query usage per day.",
    );
    expect(error.suggestion).toContain("midnight Pacific time");
  });

  it("points permission problems at the roles", () => {
    const error = failure(describeProblem(apiError(403, "accessDenied", "Access Denied")), "SELECT 1", undefined, undefined);
    expect(error.suggestion).toContain("roles");
  });
});

describe("RetryBudget", () => {
  it("backs off exponentially (with jitter) and gives up as NOT READY (exit 75) after maxAttempts", async () => {
    const waits: number[] = [];
    const budget = new RetryBudget({ maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 300 }, { action: "player_game_summary" }, async (ms) => {
      waits.push(ms);
    });
    const problem = describeProblem(apiError(503, "backendError", "Backend error"));
    await budget.backoff(problem, undefined);
    await budget.backoff(problem, undefined);
    await budget.backoff(problem, undefined);
    const last = budget.backoff(problem, undefined);
    await expect(last).rejects.toBeInstanceOf(NotReadyError);
    await expect(last).rejects.toMatchObject({ exitCode: ExitCode.notReady, message: "player_game_summary: BigQuery backendError after 4 attempts: Backend error" });
    // 100, 200, then capped at 300; each between half and all of it.
    expect(waits).toHaveLength(3);
    [100, 200, 300].forEach((ceiling, index) => {
      expect(waits[index]).toBeGreaterThanOrEqual(ceiling / 2);
      expect(waits[index]).toBeLessThanOrEqual(ceiling);
    });
  });

  it("retries a transient error then returns, and never retries a permanent one", async () => {
    const budget = () => new RetryBudget({ maxAttempts: 5, initialDelayMs: 0, maxDelayMs: 0 }, undefined, async () => undefined);
    let calls = 0;
    await expect(
      withRetries(budget(), "SELECT 1", undefined, async () => {
        calls += 1;
        if (calls < 3) throw apiError(503, undefined, "Service Unavailable");
        return "done";
      }),
    ).resolves.toBe("done");
    expect(calls).toBe(3);

    calls = 0;
    await expect(
      withRetries(budget(), "SELECT 1", undefined, async () => {
        calls += 1;
        throw apiError(404, "notFound", "Not found: Dataset p:nba_raw");
      }),
    ).rejects.toMatchObject({ code: "bigquery_not_found" });
    expect(calls).toBe(1);
  });

  it("leaves a job's failure to the job loop: a request loop passes it on untried, the job loop runs it again", async () => {
    const budget = () => new RetryBudget({ maxAttempts: 5, initialDelayMs: 0, maxDelayMs: 0 }, undefined, async () => undefined);
    const jobFailed = new JobFailedError("backendError", "Error encountered during execution", "job_1");
    let calls = 0;
    const failOnce = async () => {
      calls += 1;
      if (calls === 1) throw jobFailed;
      return "done";
    };
    await expect(withRetries(budget(), "SELECT 1", undefined, failOnce)).rejects.toBe(jobFailed);
    expect(calls).toBe(1);

    calls = 0;
    await expect(withRetries(budget(), "SELECT 1", undefined, failOnce, { retried: "job" })).resolves.toBe("done");
    expect(calls).toBe(2);

    // A request's error reaching the job loop is not the job's: it goes on as it is.
    const unavailable = apiError(503, undefined, "Service Unavailable");
    await expect(withRetries(budget(), "SELECT 1", undefined, () => Promise.reject(unavailable), { retried: "job" })).rejects.toBe(unavailable);
  });

  it("throws what notAgain makes of a transient problem instead of trying again (a job inside a transaction)", async () => {
    const budget = new RetryBudget({ maxAttempts: 5, initialDelayMs: 0, maxDelayMs: 0 }, undefined, async () => undefined);
    let calls = 0;
    const attempt = async () => {
      calls += 1;
      throw new JobTimeoutError("job job_1 was not done within 1000 ms");
    };
    const error = await withRetries(budget, "SELECT 1", undefined, attempt, {
      retried: "job",
      notAgain: (problem) => new NotReadyError("bigquery_transient", `not again: ${problem.reason}`),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotReadyError);
    expect((error as Error).message).toBe("not again: runnerTimeout");
    expect(calls).toBe(1);
  });
});
