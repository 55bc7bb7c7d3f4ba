// Drives the HTML report in headless Chromium for tests/it/html.rs and prints what it saw as
// JSON on stdout. Usage: node html_report.js REPORT.html SCREENSHOT.png
// Needs playwright-core (NODE_PATH) and Chromium at $MLGUARD_CHROMIUM or /usr/bin/chromium.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require("playwright-core");

async function main() {
  const [reportPath, screenshotPath] = process.argv.slice(2);
  const url = "file://" + path.resolve(reportPath);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "mlguard-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.MLGUARD_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
    viewport: { width: 1400, height: 1000 },
  });
  const requests = [];
  const consoleErrors = [];
  context.on("request", (r) => { if (r.url() !== url) requests.push(r.url()); });
  const page = context.pages()[0] || (await context.newPage());
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push("pageerror: " + e.message));
  await page.goto(url, { waitUntil: "load" });

  const visibleRows = () => page.$$eval("tr.finding", (rows) =>
    rows.filter((r) => r.offsetParent !== null).map((r) => ({
      rule: r.dataset.rule, severity: r.dataset.severity, status: r.dataset.status,
      pillar: r.dataset.pillar, text: r.innerText,
    })));
  const shownText = () => page.evaluate(() => {
    const shown = document.getElementById("shown");
    return shown ? shown.textContent : null;
  });
  const out = { steps: {} };
  out.title = await page.title();
  out.scores = await page.$$eval(".card[data-pillar]", (cards) =>
    Object.fromEntries(cards.map((c) => [c.dataset.pillar, Number(c.dataset.score)])));
  out.scoreTexts = await page.$$eval(".card .score-value", (ps) => ps.map((p) => p.textContent));
  out.remediations = await page.$$eval("table.rules tbody tr", (rows) => rows.map((r) => r.innerText));
  out.steps.initial = { rows: await visibleRows(), shown: await shownText() };

  if ((await page.$('input[name="severity"][value="critical"]')) !== null) {
    await page.click('input[name="severity"][value="critical"]');
    out.steps.withoutCritical = { rows: await visibleRows(), shown: await shownText() };
    await page.click('input[name="severity"][value="critical"]');
    await page.click('input[name="status"][value="suppressed"]');
    out.steps.withoutSuppressed = { rows: await visibleRows(), shown: await shownText() };
    await page.click('input[name="status"][value="suppressed"]');
    await page.selectOption("#pillar", "encryption");
    out.steps.encryptionOnly = { rows: await visibleRows(), shown: await shownText() };
    await page.selectOption("#pillar", "");
    const firstArn = await page.$eval("tr.finding code", (c) => c.textContent);
    await page.fill("#q", firstArn);
    out.steps.searchFirstArn = { query: firstArn, rows: await visibleRows(), shown: await shownText() };
    await page.fill("#q", "no finding has this text 0x5f3759df");
    out.steps.searchNothing = { rows: await visibleRows(), shown: await shownText() };
    await page.fill("#q", "");
  }
  if ((await page.$("section.framework")) !== null) {
    // The framework pages: their controls, the status filter and a control's drill-down.
    const visibleControls = (key) => page.$$eval(`#framework-${key} tr.control`, (rows) =>
      rows.filter((r) => r.offsetParent !== null).map((r) => ({
        id: r.dataset.control, status: r.dataset.status, coverage: r.dataset.coverage,
      })));
    out.frameworks = {};
    const keys = await page.$$eval("section.framework", (ss) => ss.map((s) => s.dataset.framework));
    for (const key of keys) {
      const summary = await page.$eval(`#framework-${key} .framework-summary`, (p) => ({
        text: p.textContent, controls: Number(p.dataset.controls), fail: Number(p.dataset.fail),
        pass: Number(p.dataset.pass), notEvidenced: Number(p.dataset.notEvidenced),
      }));
      const all = await visibleControls(key);
      await page.selectOption(`#framework-${key} select.control-filter`, "fail");
      const failing = await visibleControls(key);
      const shown = await page.$eval(`#framework-${key} .controls-shown`, (s) => s.textContent);
      await page.selectOption(`#framework-${key} select.control-filter`, "");
      let drill = null;
      if (failing.length > 0) {
        const id = failing[0].id;
        const row = `#framework-${key} tr.control[data-control="${id}"]`;
        // A closed <details> keeps its content out of rendering (content-visibility), where
        // offsetParent may still be set: checkVisibility() tells what a person sees.
        const hiddenBefore = await page.$$eval(`${row} tr.resource`, (rs) => rs.filter((r) => r.checkVisibility()).length);
        await page.click(`${row} details.drill summary`);
        const resources = await page.$$eval(`${row} tr.resource`, (rs) =>
          rs.filter((r) => r.checkVisibility()).map((r) => ({ rule: r.dataset.rule, status: r.dataset.status, text: r.innerText })));
        const rules = await page.$$eval(`${row} ul.control-rules li`, (ls) => ls.map((l) => ({ rule: l.dataset.rule, coverage: l.dataset.coverage })));
        drill = { control: id, visibleBeforeOpening: hiddenBefore, resources, rules };
      }
      out.frameworks[key] = { summary, controls: all, failing, shown, drill };
    }
    out.evidence = await page.$eval(".evidence", (e) => ({
      text: e.innerText,
      snapshotSha256: e.querySelector(".snapshot-sha256").textContent,
      policySha256: e.querySelector(".policy-sha256").textContent,
    }));
  }
  out.bodyText = await page.evaluate(() => document.body.innerText);
  out.pwned = await page.evaluate(() => window.__mlguardPwned === undefined ? null : String(window.__mlguardPwned));
  out.scriptCount = await page.evaluate(() => document.scripts.length);
  fs.mkdirSync(path.dirname(path.resolve(screenshotPath)), { recursive: true });
  await page.screenshot({ path: screenshotPath, fullPage: true });
  out.requests = requests;
  out.consoleErrors = consoleErrors;
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((e) => { process.stderr.write(String(e && e.stack || e) + "\n"); process.exit(1); });
