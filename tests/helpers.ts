/** Shared test helpers: run the CLI as a user would, and make throwaway project copies. */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export { FIXTURES } from "./fixtures_dir.ts";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `runner ARGS` in a child process (bin/runner.js), as a person or CI would. */
export function runCli(args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, "bin", "runner.js"), ...args],
      { cwd: ROOT, env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

/** A copy of the Dataform project (dataform.json, definitions/, includes/, assertions/) to edit in a test. */
/**
 * The environment of a machine with no Google credentials at all, under the empty home `home`: a
 * key file that does not exist, no gcloud config, no emulator, and a proxy that refuses, so that
 * any attempt to reach Google fails loudly instead of hanging.
 */
export function noCredentialsEnv(home: string): Record<string, string> {
  return {
    GOOGLE_APPLICATION_CREDENTIALS: path.join(home, "missing-key.json"),
    HOME: home,
    CLOUDSDK_CONFIG: path.join(home, "gcloud"),
    BIGQUERY_PROJECT: "offline-test",
    BIGQUERY_EMULATOR_HOST: "",
    RUNNER_BIGQUERY_API_ENDPOINT: "",
    HTTPS_PROXY: "http://127.0.0.1:9",
    NO_PROXY: "",
  };
}

export function copyProject(): string {
  const dir = tempDir("project");
  for (const entry of ["dataform.json", "definitions", "includes", "assertions"]) {
    fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  return dir;
}

/** Replaces `search` (which must occur) in a project file. */
export function editFile(file: string, search: string, replacement: string): void {
  const text = fs.readFileSync(file, "utf8");
  if (!text.includes(search)) throw new Error(`${file} does not contain ${search}`);
  fs.writeFileSync(file, text.split(search).join(replacement));
}
