// The student page in Debian's headless Chromium (playwright-core):
//   node tests/web/student.mjs BASE_URL OUT_DIR
// Checks that the page shows the channels with what is on in Kazakh, that
// a catch-up link of the guide plays (the video's currentTime advances),
// and that the page switches to Russian; prints one JSON line of findings
// and saves screenshots (desktop and phone width) in OUT_DIR.
import { chromium } from "playwright-core";

const [base, outDir] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
});
const result = { errors: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("pageerror", (e) => result.errors.push(String(e)));
  await page.goto(`${base}/`);
  await page.waitForSelector(".channel");
  result.lang = await page.evaluate(() => document.documentElement.lang);
  result.channels = await page.$$eval(".channel h3", (hs) => hs.map((h) => h.textContent));
  result.heading = await page.textContent("#live h2");
  await page.waitForSelector(".programme");
  result.programmes = await page.$$eval(".programme", (ps) => ps.map((p) => p.textContent));
  const catchup = await page.waitForSelector("#programmes button.catchup", { timeout: 10000 });
  result.catchupUrl = await catchup.getAttribute("data-url");
  await catchup.click();
  await page.waitForFunction(() => document.querySelector("video").currentTime > 1.0,
                             null, { timeout: 20000 });
  result.currentTime = await page.evaluate(() => document.querySelector("video").currentTime);
  result.playing = await page.textContent("#playing");
  await page.screenshot({ path: `${outDir}/student-desktop.png`, fullPage: true });
  await page.click("#languages button[data-lang=ru]");
  result.headingRu = await page.textContent("#live h2");
  await page.waitForFunction(
    () => [...document.querySelectorAll(".programme.break")].some((p) =>
      p.textContent.includes("Перерыв")), null, { timeout: 10000 });
  result.breakRu = true;
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${outDir}/student-phone.png`, fullPage: true });
  result.phoneOverflow = await page.evaluate(
    () => document.documentElement.scrollWidth > window.innerWidth + 1);
} catch (e) {
  result.errors.push(String(e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
