/**
 * Whether Application Default Credentials can be found, decided offline before any job. The
 * client library would otherwise probe the metadata server for ~11 s, print a Node warning and
 * fail with a network error that reads as "retry later" (exit 75), when the fix is a login.
 *
 * ADC's order: GOOGLE_APPLICATION_CREDENTIALS, gcloud's well-known file, then the metadata server,
 * which exists only on Google Cloud (Cloud Run, Functions, GCE), recognisable without a call.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BadInputError } from "../../errors.ts";

export const ADC_HINT =
  "Run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file " +
  "(for an emulator: RUNNER_BIGQUERY_AUTH=none with BIGQUERY_EMULATOR_HOST).";

export type CredentialSource = "key_file" | "gcloud" | "metadata_server";

/** gcloud's application_default_credentials.json (CLOUDSDK_CONFIG, APPDATA on Windows, ~/.config). */
function gcloudFile(env: NodeJS.ProcessEnv): string {
  const base = env.CLOUDSDK_CONFIG ?? (process.platform === "win32" && env.APPDATA ? path.join(env.APPDATA, "gcloud") : path.join(env.HOME ?? os.homedir(), ".config", "gcloud"));
  return path.join(base, "application_default_credentials.json");
}

/** On Google Cloud: serverless environment variables, an explicit metadata host, or a Google BIOS. */
function onGoogleCloud(env: NodeJS.ProcessEnv, readFile: (file: string) => string | undefined): boolean {
  if (env.K_SERVICE || env.CLOUD_RUN_JOB || env.FUNCTION_NAME || env.FUNCTION_TARGET || env.GCE_METADATA_HOST || env.GCE_METADATA_IP) return true;
  return ["/sys/class/dmi/id/bios_vendor", "/sys/class/dmi/id/product_name"].some((file) => /Google/.test(readFile(file) ?? ""));
}

function readIfPresent(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Where ADC will come from, or a BadInputError (exit 2) with the hint. Makes no network call. */
export function requireCredentials(env: NodeJS.ProcessEnv = process.env, readFile: (file: string) => string | undefined = readIfPresent): CredentialSource {
  const keyFile = env.GOOGLE_APPLICATION_CREDENTIALS;
  if (keyFile) {
    const text = readFile(keyFile);
    if (text === undefined) {
      throw new BadInputError("bigquery_credentials_missing", `GOOGLE_APPLICATION_CREDENTIALS names ${keyFile}, which cannot be read`, { suggestion: ADC_HINT });
    }
    try {
      JSON.parse(text);
    } catch (error) {
      throw new BadInputError("bigquery_credentials_invalid", `${keyFile} (GOOGLE_APPLICATION_CREDENTIALS): not JSON: ${(error as Error).message}`, { suggestion: ADC_HINT });
    }
    return "key_file";
  }
  if (readFile(gcloudFile(env)) !== undefined) return "gcloud";
  if (onGoogleCloud(env, readFile)) return "metadata_server";
  throw new BadInputError("bigquery_no_credentials", "no Google Cloud credentials found for --target bigquery", { suggestion: ADC_HINT });
}
