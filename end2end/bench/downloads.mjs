// What the browser downloads to show a settings page: every JS, WASM and CSS file Chromium
// requests for a fresh load of the page (the app shell, the page's own code chunks and their
// shared chunks), summed raw and brotli (the sizes of the precompressed `.br` files the server
// sends to browsers that accept brotli).
// Usage: node end2end/bench/downloads.mjs http://127.0.0.1:3100 target/site /settings ...
// Prints one line per page: path, files, JS+WASM raw, JS+WASM brotli, CSS raw, CSS brotli.
import { chromium } from "@playwright/test";
import { statSync } from "node:fs";

const [base, siteRoot, ...paths] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
});
try {
  const context = await browser.newContext({ baseURL: base });
  const page = await context.newPage();
  const id = `${Date.now()}`;
  await page.goto("/signup");
  await page.waitForSelector("body[data-hydrated]");
  await page.getByLabel("First name").fill("Bytes");
  await page.getByLabel("Last name").fill("Bench");
  await page.getByLabel("Email").fill(`bytes.${id}@example.com`);
  await page.getByLabel("Mobile number").fill(`+49 152 ${id.slice(-8)}`);
  await page.getByLabel("Password", { exact: true }).fill("violet tractor wanders quietly");
  await page.getByLabel("Confirm password").fill("violet tractor wanders quietly");
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL(/\/settings$/);
  for (const path of paths) {
    // A new context has an empty cache; it carries the signed-in session cookie over.
    const freshContext = await browser.newContext({ baseURL: base, storageState: await context.storageState() });
    const fresh = await freshContext.newPage();
    const files = new Set();
    fresh.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith("/pkg/")) files.add(url.pathname);
    });
    await fresh.goto(path);
    await fresh.waitForSelector("body[data-hydrated]", { timeout: 30_000 });
    await fresh.waitForLoadState("networkidle");
    const sum = { code: 0, codeBr: 0, css: 0, cssBr: 0 };
    for (const file of files) {
      const local = `${siteRoot}${file}`;
      const [raw, br] = [statSync(local).size, statSync(`${local}.br`).size];
      if (file.endsWith(".css")) {
        sum.css += raw;
        sum.cssBr += br;
      } else {
        sum.code += raw;
        sum.codeBr += br;
      }
    }
    console.log([path, files.size, sum.code, sum.codeBr, sum.css, sum.cssBr].join(" "));
    await freshContext.close();
  }
} finally {
  await browser.close();
}
