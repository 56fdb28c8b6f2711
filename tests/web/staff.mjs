// The planner's and operator's pages in headless Chromium:
//   node tests/web/staff.mjs BASE_URL OUT_DIR planner NAME PASSWORD DATE
//   node tests/web/staff.mjs BASE_URL OUT_DIR operator NAME PASSWORD
// planner: logs in, moves the 12:00 slot to 13:30, plans DATE, reads the
// conflicts, previews the publication and publishes. operator: logs in and
// waits for on-air text and an as-run row. Prints one JSON line.
import { chromium } from "playwright-core";

const [base, outDir, role, name, password, date] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium",
                                        args: ["--no-sandbox"] });
const result = { errors: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on("pageerror", (e) => result.errors.push(String(e)));
  await page.goto(`${base}/${role === "planner" ? "plan" : "ops"}`);
  // Kazakh first: the page opens in Kazakh, then the test reads it in English.
  result.loginLabel = await page.textContent("#login button[type=submit]");
  await page.click("#languages button[data-lang=en]");
  await page.waitForSelector("#login:not([hidden])");
  await page.fill("#name", name);
  await page.fill("#password", password);
  await page.click("#login button[type=submit]");
  await page.waitForSelector("#app:not([hidden])");
  result.who = await page.textContent("#who");
  if (role === "planner") {
    await page.waitForSelector(".slot");
    result.slotsBefore = await page.$$eval(".day[data-day=mon] .slot", (s) => s.map((x) => x.textContent));
    await page.click(".day[data-day=mon] .slot:has-text('12:00')");
    await page.fill("#slot-start", "13:30");
    await page.click("#slot-save");
    await page.waitForFunction(() => document.querySelector("#message").textContent.includes("saved"));
    await page.waitForSelector(".day[data-day=mon] .slot:has-text('13:30')");
    result.slotsAfter = await page.$$eval(".day[data-day=mon] .slot", (s) => s.map((x) => x.textContent));
    await page.fill("#from", date);
    await page.fill("#days", "1");
    await page.click("#range button[type=submit]");
    await page.waitForSelector("#conflicts li");
    result.conflicts = await page.$$eval("#conflicts li", (l) => l.map((x) => x.textContent));
    await page.click("#publish");
    await page.waitForSelector("#preview:not([hidden]) #diff li");
    result.diff = await page.$$eval("#diff li", (l) => l.map((x) => x.textContent));
    await page.screenshot({ path: `${outDir}/planner.png` });
    await page.click("#confirm-publish");
    await page.waitForFunction(() => document.querySelector("#message").textContent.includes("Published"));
    result.published = await page.textContent("#message");
  } else {
    await page.waitForSelector(".ops-channel .onair:not(:empty)");
    await page.waitForSelector(".asrun tr:nth-child(2)", { timeout: 30000 });
    result.onAir = await page.$$eval(".ops-channel .onair", (l) => l.map((x) => x.textContent));
    result.next = await page.$$eval(".ops-channel .next", (l) => l.map((x) => x.textContent));
    result.health = await page.$$eval(".ops-channel .health", (l) => l.map((x) => x.textContent));
    result.asrun = await page.$$eval(".asrun tr", (l) => l.slice(1).map((x) => x.textContent));
    await page.screenshot({ path: `${outDir}/operator.png`, fullPage: true });
  }
} catch (e) {
  result.errors.push(String(e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
