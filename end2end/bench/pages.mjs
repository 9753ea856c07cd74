// What a first visit to each page state costs the browser, in Chromium:
// - the JS, WASM and CSS files it requests (the app shell, the page's own code chunks and their
//   shared chunks), counted and summed raw and brotli (the `.br` files the server sends);
// - the time from navigation until the page is interactive on a slow phone network
//   (Lighthouse's slow 4G: 150 ms round trips, 1.6 Mbps down, 750 kbps up, empty cache):
//   until every island of the page has hydrated (the app marks <body data-hydrated>), which
//   includes the page's main form. Median of three loads.
//
// Usage: MAIL_DIR=<server's mail folder> node end2end/bench/pages.mjs http://localhost:3100 <site root>
// The site root is the folder of the server's `pkg/` (for the `.br` sizes).
// Prints one line per page state: label, files, JS+WASM raw, JS+WASM brotli, CSS raw, CSS brotli,
// interactive ms. DOWNLOADS_PER_FILE=1 also lists each file's raw and brotli size on stderr.
//
// The person measured signs up, confirms the address (the link from the mail the server wrote),
// then walks through the states: the settings pages, the two-factor wizard at each step (a
// device linked with oathtool as the authenticator app), two-factor on, a passkey being added
// and listed beside the device (Chromium's virtual authenticator), and an account's page.
import { chromium } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const [base, siteRoot] = process.argv.slice(2);
const SLOW_4G = { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 };
const LOADS = Number(process.env.INTERACTIVE_LOADS ?? 3);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
});

/** A fresh context (empty cache) carrying the signed-in session, or none. */
async function freshPage(session) {
  const context = await browser.newContext(session ? { baseURL: base, storageState: session } : { baseURL: base });
  return { context, page: await context.newPage() };
}

/** Files under /pkg/ a first load of `path` requests, and their sizes. */
async function downloads(path, session) {
  const { context, page } = await freshPage(session);
  const files = new Set();
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith("/pkg/")) files.add(url.pathname);
  });
  await page.goto(path);
  await page.waitForSelector("body[data-hydrated]", { timeout: 30_000 });
  await page.waitForLoadState("networkidle");
  await context.close();
  const sum = { files: files.size, code: 0, codeBr: 0, css: 0, cssBr: 0 };
  for (const file of files) {
    const local = `${siteRoot}${file}`;
    const [raw, br] = [statSync(local).size, statSync(`${local}.br`).size];
    if (process.env.DOWNLOADS_PER_FILE) console.error(`  ${path} ${file} ${raw} ${br}`);
    if (file.endsWith(".css")) {
      sum.css += raw;
      sum.cssBr += br;
    } else {
      sum.code += raw;
      sum.codeBr += br;
    }
  }
  return sum;
}

/** Milliseconds from navigation until every island has hydrated, on slow 4G. */
async function interactive(path, session) {
  const { context, page } = await freshPage(session);
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await cdp.send("Network.emulateNetworkConditions", SLOW_4G);
  // Noted in the page at the moment it happens, on the page's own clock (0 = navigation).
  await page.addInitScript(() => {
    new MutationObserver(() => {
      if (document.body?.hasAttribute("data-hydrated") && !window.__interactive) {
        window.__interactive = performance.now();
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-hydrated"] });
  });
  await page.goto(path);
  await page.waitForSelector("body[data-hydrated]", { timeout: 60_000 });
  const ms = await page.evaluate(() => window.__interactive);
  await context.close();
  return ms;
}

async function measure(label, path, session) {
  const sum = await downloads(path, session);
  const times = [];
  for (let i = 0; i < LOADS; i++) times.push(await interactive(path, session));
  times.sort((a, b) => a - b);
  const ms = Math.round(times[Math.floor(times.length / 2)]);
  console.log([label, sum.files, sum.code, sum.codeBr, sum.css, sum.cssBr, ms].join(" "));
}

try {
  await measure("/login", "/login");

  const context = await browser.newContext({ baseURL: base });
  const page = await context.newPage();
  const id = `${Date.now()}`;
  const email = `bytes.${id}@example.com`;
  await page.goto("/signup");
  await page.waitForSelector("body[data-hydrated]");
  await page.getByLabel("First name").fill("Bytes");
  await page.getByLabel("Last name").fill("Bench");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Mobile number").fill(`+49 152 ${id.slice(-8)}`);
  await page.getByLabel("Password", { exact: true }).fill("violet tractor wanders quietly");
  await page.getByLabel("Confirm password").fill("violet tractor wanders quietly");
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL(/\/settings$/);
  const session = () => context.storageState();
  await measure("/settings(email-unconfirmed)", "/settings", await session());

  // The link's page asks before it confirms (mail scanners open links): press its button.
  const mailDir = process.env.MAIL_DIR;
  let link;
  for (let i = 0; i < 50 && !link; i++) {
    for (const file of readdirSync(mailDir).filter((f) => f.endsWith(".eml"))) {
      const text = readFileSync(join(mailDir, file), "utf8");
      if (text.includes(`To: ${email}\r\n`)) link = text.match(/https?:\/\/\S+\/verify-email\/[0-9a-f]{64}/)?.[0];
    }
    if (!link) await new Promise((r) => setTimeout(r, 200));
  }
  if (!link) throw new Error(`no verification mail to ${email} in ${mailDir}`);
  await page.goto(link);
  await page.waitForSelector("body[data-hydrated]");
  await page.getByRole("button", { name: "Confirm email address" }).click();
  await page.waitForURL(/\/settings/);

  for (const path of ["/settings", "/settings/authentication", "/settings/ssh-keys", "/accounts"]) {
    await measure(path, path, await session());
  }
  await page.goto("/accounts");
  const account = await page.locator('main a[href^="/accounts/"]').first().getAttribute("href");
  await measure("/accounts/:id", account, await session());

  // The wizard, step by step, linking a device with oathtool as the authenticator app.
  await measure("?wizard=name", "/settings/authentication?wizard=name", await session());
  await page.goto("/settings/authentication?wizard=name");
  await page.waitForSelector("body[data-hydrated]");
  await page.getByLabel("Device name").fill("Bench phone");
  await page.getByRole("button", { name: "Confirm", exact: true }).click();
  const key = (await page.locator("#setup-key").textContent()).replace(/\s/g, "");
  await measure("?wizard=scan", "/settings/authentication?wizard=scan", await session());
  await measure("?wizard=confirm", "/settings/authentication?wizard=confirm", await session());
  await page.getByRole("link", { name: "Next" }).click();
  await page.getByLabel("Code", { exact: true }).fill(execFileSync("oathtool", ["--totp", "-b", key]).toString().trim());
  await page.getByRole("button", { name: "Finish" }).click();
  await page.getByText("is linked to your account").waitFor();
  await measure("?wizard=done", "/settings/authentication?wizard=done", await session());
  await measure("(two-factor-on)", "/settings/authentication", await session());

  // A passkey beside the device, added with Chromium's virtual authenticator.
  await measure("?passkey=add", "/settings/authentication?passkey=add", await session());
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  await page.goto("/settings/authentication?passkey=add");
  await page.waitForSelector("body[data-hydrated]");
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("Passkey added.").waitFor();
  await measure("(device-and-passkey)", "/settings/authentication", await session());
} finally {
  await browser.close();
}
