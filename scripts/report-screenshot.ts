/**
 * Renders `runner verify --format html` for a date and photographs it in headless Chromium, to
 * show the report as a person opens it. Needs a Chromium binary (Debian: apt-get install chromium;
 * or CHROMIUM_PATH). Usage:
 *   npm run report:screenshot -- --date 2024-01-15 [--warehouse FILE] [--out FILE.png]
 * The picture goes to the system temp directory unless --out says otherwise: nothing is left in the
 * repository.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";

const { values } = parseArgs({
  options: { date: { type: "string" }, warehouse: { type: "string" }, out: { type: "string", default: path.join(os.tmpdir(), "verify-report.png") } },
});
if (!values.date) {
  process.stderr.write("usage: npm run report:screenshot -- --date YYYY-MM-DD [--warehouse FILE] [--out FILE.png]\n");
  process.exit(2);
}
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!fs.existsSync(executablePath)) {
  process.stderr.write(`no Chromium at ${executablePath}: install it (apt-get install chromium) or set CHROMIUM_PATH\n`);
  process.exit(2);
}

const html = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "verify-")), "report.html");
const args = ["bin/runner.js", "verify", "--date", values.date, "--format", "html", "--output", html];
if (values.warehouse) args.push("--warehouse", values.warehouse);
const verify = spawnSync(process.execPath, args, { stdio: ["ignore", "inherit", "inherit"] });
if (!fs.existsSync(html)) process.exit(verify.status ?? 1);

const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(`file://${html}`);
  const sections = await page.locator("section").count();
  const charts = await page.locator("svg.chart").count();
  await page.screenshot({ path: values.out, fullPage: true });
  process.stdout.write(`${values.out}: ${sections} checks and ${charts} charts shown (verify exited ${verify.status})\n`);
} finally {
  await browser.close();
}
