// The live channel on the student page in headless Chromium:
//   node tests/web/live.mjs BASE_URL OUT_DIR EXPECTED_TITLE
// Waits until the channel card says EXPECTED_TITLE is on now, then until
// the live video has played more than 2 s; prints one JSON line.
import { chromium } from "playwright-core";

const [base, outDir, expected] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
});
const result = { errors: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("pageerror", (e) => result.errors.push(String(e)));
  await page.goto(`${base}/`);
  await page.waitForSelector(".channel .now");
  result.now = await page.textContent(".channel .now");
  result.playing = await page.textContent("#playing");
  result.source = await page.evaluate(() => document.querySelector("#playing").dataset.url);
  await page.waitForFunction(() => document.querySelector("video").currentTime > 2.0,
                             null, { timeout: 45000 });
  result.currentTime = await page.evaluate(() => document.querySelector("video").currentTime);
  await page.screenshot({ path: `${outDir}/student-live.png` });
} catch (e) {
  result.errors.push(String(e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
