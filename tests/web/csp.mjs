// The pages under their Content-Security-Policy, in headless Chromium:
//   node tests/web/csp.mjs BASE_URL OUT_DIR PLANNER PASSWORD
// The student page plays a catch-up lesson (hls.js: blob: media) and the
// planner's grid lays out its slots (styles through the CSSOM) with no
// violation reported; then markup injected into the page with an inline
// handler is refused (one violation, the handler never runs). Prints one
// JSON line.
import { chromium } from "playwright-core";

const [base, outDir, name, password] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium",
                                        args: ["--no-sandbox",
                                               "--autoplay-policy=no-user-gesture-required"] });
const result = { errors: [], violations: {} };
const watch = async (page, key) => {
  result.violations[key] = [];
  await page.exposeFunction(`report_${key}`, (v) => result.violations[key].push(v));
  await page.addInitScript((k) => {
    document.addEventListener("securitypolicyviolation",
      (e) => window[`report_${k}`](`${e.violatedDirective} ${e.blockedURI}`));
  }, key);
  page.on("pageerror", (e) => result.errors.push(String(e)));
};
try {
  const student = await browser.newPage();
  await watch(student, "student");
  await student.goto(`${base}/`);
  const catchup = await student.waitForSelector("#programmes button.catchup", { timeout: 10000 });
  await catchup.click();
  await student.waitForFunction(() => document.querySelector("video").currentTime > 1.0,
                                null, { timeout: 20000 });
  result.currentTime = await student.evaluate(() => document.querySelector("video").currentTime);

  const planner = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await watch(planner, "planner");
  await planner.goto(`${base}/plan`);
  await planner.waitForSelector("#login:not([hidden])");
  await planner.fill("#name", name);
  await planner.fill("#password", password);
  await planner.click("#login button[type=submit]");
  await planner.waitForSelector(".slot");
  result.slotHeights = await planner.$$eval(".slot", (s) => s.map((x) => x.offsetHeight));
  result.slotTops = await planner.$$eval(".slot", (s) => s.map((x) => x.style.top));

  await student.evaluate(() => document.body.insertAdjacentHTML(
    "beforeend", '<img src="data:," onerror="window.injected = 1">'));
  await student.waitForTimeout(500);
  result.injectedRan = await student.evaluate(() => window.injected === 1);
} catch (e) {
  result.errors.push(String(e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
