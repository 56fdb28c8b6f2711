// The student page in a browser whose zone is not the station's:
//   node tests/web/zone.mjs BASE_URL OUT_DIR BROWSER_ZONE
// Prints one JSON line: the date of the guide the page asked for (it must
// be the station's day, not the browser's), the programmes' time labels,
// the next-airing text of a lesson search in Kazakh, and what the player
// says it plays, in Kazakh and then in Russian.
import { chromium } from "playwright-core";

const [base, outDir, zone] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium",
                                        args: ["--no-sandbox"] });
const result = { errors: [], guideDates: [] };
try {
  const context = await browser.newContext({ timezoneId: zone, locale: "en-US",
                                             viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (e) => result.errors.push(String(e)));
  page.on("request", (r) => {
    const m = r.url().match(/\/guide\?date=(\d{4}-\d\d-\d\d)/);
    if (m) result.guideDates.push(m[1]);
  });
  await page.goto(`${base}/`);
  await page.waitForSelector(".programme");
  result.browserToday = await page.evaluate(() => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-` +
           `${String(d.getDate()).padStart(2, "0")}`;
  });
  result.times = await page.$$eval(".programme time", (ts) => ts.map((t) => t.textContent));
  result.starts = await page.$$eval(".programme time", (ts) => ts.map((t) => t.dateTime));
  await page.selectOption("#grade", "5");
  await page.click("#search-form button[type=submit]");
  await page.waitForSelector(".result");
  result.nextAiring = await page.$$eval(".next-airing", (ss) => ss.map((s) => s.textContent));
  await page.click(".result button.catchup");
  result.playingKk = await page.textContent("#playing");
  await page.click("#languages button[data-lang=ru]");
  result.playingRu = await page.textContent("#playing");
  await page.screenshot({ path: `${outDir}/student-other-zone.png`, fullPage: true });
} catch (e) {
  result.errors.push(String(e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
