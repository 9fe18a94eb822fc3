/**
 * Where the real upstream samples are: ../shared/fixtures/ beside the repository, read in place and
 * never copied. A clone made elsewhere (CI's `git clone . /tmp/ci-check`) finds them beside the
 * repository it was cloned from; NBA_SHARED_FIXTURES overrides both. Missing fixtures fail loudly:
 * a test that silently skipped them could not fail.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function originDir(): string | undefined {
  try {
    const url = execFileSync("git", ["config", "--get", "remote.origin.url"], { cwd: ROOT, encoding: "utf8" }).trim();
    return url && path.isAbsolute(url) ? url : undefined;
  } catch {
    return undefined;
  }
}

function resolveFixtures(): string {
  const candidates = [
    process.env.NBA_SHARED_FIXTURES,
    path.resolve(ROOT, "..", "shared", "fixtures"),
    ...[originDir()].filter((dir): dir is string => dir !== undefined).map((dir) => path.resolve(dir, "..", "shared", "fixtures")),
  ].filter((dir): dir is string => Boolean(dir));
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, "README.md")));
  if (!found) {
    throw new Error(`the shared fixtures are not in any of ${candidates.join(", ")}; set NBA_SHARED_FIXTURES to their folder`);
  }
  return found;
}

export const FIXTURES = resolveFixtures();
