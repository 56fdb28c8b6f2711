// Opens a page in Debian's headless Chromium and saves a screenshot:
//   node tests/web/screenshot.mjs URL OUT.png [WIDTH HEIGHT]
import { chromium } from "playwright-core";

const [url, out, width = "1280", height = "900"] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium",
                                        args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required"] });
const page = await browser.newPage({ viewport: { width: +width, height: +height } });
page.on("console", (m) => console.error(`console: ${m.text()}`));
await page.goto(url);
await page.waitForTimeout(2500);
await page.screenshot({ path: out, fullPage: true });
await browser.close();
