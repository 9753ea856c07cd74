// What the browser downloads to show a settings page: every JS, WASM and CSS file Chromium
// requests for a fresh load of the page (the app shell, the page's own code chunks and their
// shared chunks), summed raw and brotli (the sizes of the precompressed `.br` files the server
// sends to browsers that accept brotli).
// Usage: MAIL_DIR=<server's mail folder> node end2end/bench/downloads.mjs http://127.0.0.1:3100 target/site /settings ... [--two-factor]
// Pages are measured for a person whose email is confirmed (the link read from the `.eml`
// the server wrote into MAIL_DIR); "/settings(email-unconfirmed)" is /settings before that,
// with the notice and its Resend form. `--two-factor` also measures the Authentication page
// after linking a device, and after adding a passkey too.
// Prints one line per page: path, files, JS+WASM raw, JS+WASM brotli, CSS raw, CSS brotli.
// With DOWNLOADS_PER_FILE=1 it also lists each file's raw and brotli size on stderr.
import { chromium } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const [base, siteRoot, ...paths] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
});
try {
  const context = await browser.newContext({ baseURL: base });
  const page = await context.newPage();
  const id = `${Date.now()}`;
  // Each page as a first visit: a new context has an empty cache and carries the signed-in
  // session cookie over (none for the login page).
  const measure = async (label, path, signedOut = false) => {
    const freshContext = await browser.newContext(
      signedOut ? { baseURL: base } : { baseURL: base, storageState: await context.storageState() },
    );
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
      if (process.env.DOWNLOADS_PER_FILE) console.error(`  ${label} ${file} ${raw} ${br}`);
      if (file.endsWith(".css")) {
        sum.css += raw;
        sum.cssBr += br;
      } else {
        sum.code += raw;
        sum.codeBr += br;
      }
    }
    console.log([label, files.size, sum.code, sum.codeBr, sum.css, sum.cssBr].join(" "));
    await freshContext.close();
  };
  await measure("/login", "/login", true);
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
  const email = `bytes.${id}@example.com`;
  await measure("/settings(email-unconfirmed)", "/settings");
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
  // The link's page asks before it confirms (mail scanners open links): press its button.
  await page.goto(link);
  await page.waitForSelector("body[data-hydrated]");
  await page.getByRole("button", { name: "Confirm email address" }).click();
  await page.waitForURL(/\/settings/);
  for (const path of paths.filter((p) => p !== "--two-factor")) await measure(path, path);
  if (paths.includes("--two-factor")) {
    // The Authentication page of a person with two-factor on (a device and recovery codes):
    // a device linked through the wizard, with oathtool as the authenticator app.
    await page.goto("/settings/authentication?wizard=name");
    await page.waitForSelector("body[data-hydrated]");
    await page.getByLabel("Device name").fill("Bench phone");
    await page.getByRole("button", { name: "Confirm", exact: true }).click();
    const key = (await page.locator("#setup-key").textContent()).replace(/\s/g, "");
    await page.getByRole("link", { name: "Next" }).click();
    await page.getByLabel("Code", { exact: true }).fill(execFileSync("oathtool", ["--totp", "-b", key]).toString().trim());
    await page.getByRole("button", { name: "Finish" }).click();
    await page.getByText("is linked to your account").waitFor();
    await measure("/settings/authentication(two-factor-on)", "/settings/authentication");
    // And a passkey beside the device (Chromium's virtual authenticator): both kinds listed.
    const cdp = await context.newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    await measure("/settings/authentication?passkey=add", "/settings/authentication?passkey=add");
    await page.goto("/settings/authentication?passkey=add");
    await page.waitForSelector("body[data-hydrated]");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Passkey added.").waitFor();
    await measure("/settings/authentication(device-and-passkey)", "/settings/authentication");
  }
} finally {
  await browser.close();
}
