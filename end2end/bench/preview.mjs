// Measures how long the preferences preview takes to update after a keystroke, in Chromium:
// from the input event to the preview's DOM change (MutationObserver), median of 40 updates.
// Usage: node end2end/bench/preview.mjs http://127.0.0.1:3100
import { chromium } from "@playwright/test";

const base = process.argv[2] ?? "http://127.0.0.1:3000";
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
});
try {
  const page = await browser.newPage();
  const id = `${Date.now()}`;
  await page.goto(`${base}/signup`);
  await page.waitForSelector("body[data-hydrated]");
  await page.getByLabel("First name").fill("Preview");
  await page.getByLabel("Last name").fill("Bench");
  await page.getByLabel("Email").fill(`preview.${id}@example.com`);
  await page.getByLabel("Mobile number").fill(`+49 151 ${id.slice(-8)}`);
  await page.getByLabel("Password", { exact: true }).fill("violet tractor wanders quietly");
  await page.getByLabel("Confirm password").fill("violet tractor wanders quietly");
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL(/\/settings$/);
  await page.waitForSelector("body[data-hydrated]");
  // The zone list arrives after hydration; the browser's own zone button shows it is here.
  await page.waitForTimeout(1000);

  const times = await page.evaluate(async () => {
    const input = document.getElementById("timezone");
    const preview = document.querySelector("section.preview");
    const zones = ["Europe/Berlin", "Asia/Kathmandu", "America/New_York", "Australia/Lord_Howe"];
    const out = [];
    for (let i = 0; i < 40; i++) {
      const changed = new Promise((resolve) => {
        const observer = new MutationObserver(() => {
          observer.disconnect();
          resolve(performance.now());
        });
        observer.observe(preview, { subtree: true, childList: true, characterData: true });
      });
      const start = performance.now();
      input.value = zones[i % zones.length];
      input.dispatchEvent(new Event("input", { bubbles: true }));
      out.push((await changed) - start);
    }
    return out;
  });
  times.sort((a, b) => a - b);
  console.log(times[Math.floor(times.length / 2)].toFixed(2));
} finally {
  await browser.close();
}
