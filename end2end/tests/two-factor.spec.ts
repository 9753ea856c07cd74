import { expect, Page, test } from "@playwright/test";
import {
  earlyInStep,
  holdScripts,
  hydrated,
  logIn,
  newPerson,
  recoveryCodesOn,
  signUp,
  totp,
  wrongCode,
} from "./helpers";

test("the RFC 6238 vectors hold for the test's own generator", () => {
  // The product is checked against this generator, so it must be right itself.
  const key = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // ASCII "12345678901234567890"
  expect(totp(key, 59)).toBe("287082");
  expect(totp(key, 1111111109)).toBe("081804");
  expect(totp(key, 1234567890)).toBe("005924");
});

/** The wizard's six steps as the help text describes them. Returns the setup key. */
async function linkDevice(page: Page, name: string, button: string): Promise<{ key: string; codes: string[] }> {
  // 1. The circle (user menu), then Authentication.
  await page.getByRole("button", { name: "User menu" }).click();
  await page.getByRole("menuitem", { name: "Authentication" }).click();
  await expect(page).toHaveURL(/^[^?#]*\/settings\/authentication$/);
  // 2. Enable (or link another), a name, Confirm. Starting the wizard is a page load: wait
  // for its island, whose steps keep the new recovery codes in memory.
  await page.getByRole("link", { name: button }).click();
  await expect(page).toHaveURL(/wizard=name/);
  await hydrated(page);
  await page.getByLabel("Device name").fill(name);
  await page.getByRole("button", { name: "Confirm", exact: true }).click();
  // 3. and 4. The apps, the QR code and the setup key.
  await expect(page.getByText("Google Authenticator, Microsoft Authenticator, KeePassXC or Psono")).toBeVisible();
  await expect(page.getByRole("img", { name: "QR code" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Setup key" })).toBeVisible();
  const key = (await page.locator("#setup-key").textContent())!.trim();
  expect(key.replace(/ /g, "")).toMatch(/^[A-Z2-7]{32}$/);
  // A reload resumes the same device with the same secret.
  await page.reload();
  await hydrated(page);
  await expect(page.locator("#setup-key")).toHaveText(key);
  await page.getByRole("button", { name: "Copy" }).click();
  await expect(page.getByText("Copied")).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key.replace(/ /g, ""));
  await page.getByRole("link", { name: "Next" }).click();
  // 5. The code from the app, then Finish. A wrong one keeps the wizard here.
  await earlyInStep();
  await page.getByLabel("Code", { exact: true }).fill(wrongCode(key));
  await page.getByRole("button", { name: "Finish" }).click();
  await expect(page.locator("#code-error")).toContainText("That code is not correct.");
  // The previous step's code: the current one stays free for a login in this test.
  await page.getByLabel("Code", { exact: true }).fill(totp(key, Date.now() / 1000 - 30));
  await page.getByRole("button", { name: "Finish" }).click();
  // 6. Linked.
  await expect(page.getByText(`“${name}” is linked to your account.`)).toBeVisible();
  const codes = await page.getByRole("list", { name: "Your recovery codes" }).locator("code").allTextContents();
  await page.getByRole("link", { name: "Done" }).click();
  await expect(page.locator(".device-name").filter({ hasText: name })).toBeVisible();
  return { key, codes };
}

test("a person links two devices, logs in with the second and removes the first", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const p = newPerson();
  await signUp(page, p);
  await hydrated(page);

  const phone = await linkDevice(page, "Phone", "Enable Two-factor authentication");
  expect(phone.codes).toHaveLength(10);
  await expect(page.getByText("10 of 10 recovery codes left.")).toBeVisible();
  const laptop = await linkDevice(page, "Laptop", "Link another device");
  expect(laptop.codes).toHaveLength(0);
  await expect(page.getByText("Status: On — 2 linked devices")).toBeVisible();

  // Sign out, and in with a code from the second device.
  await page.getByRole("button", { name: "User menu" }).click();
  await page.getByRole("menuitem", { name: "Log out" }).click();
  await expect(page).toHaveURL(/^[^?#]*\/login$/);
  await hydrated(page);
  await logIn(page, p.email, p.password);
  await expect(page).toHaveURL(/^[^?#]*\/login\/two-factor/);
  await hydrated(page);
  await page.getByLabel("Authentication code").fill("123 456");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.locator("#code-error")).toContainText("not correct");
  await earlyInStep();
  await page.getByLabel("Authentication code").fill(totp(laptop.key));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/^[^?#]*\/settings$/);
  await hydrated(page);

  // Remove the first device; the second stays, and the log tells the story. The devices'
  // actions and the recovery codes, always on the page together, come in one file, once.
  const fetched: string[] = [];
  page.on("request", (request) => {
    const file = new URL(request.url()).pathname;
    if (/factor_actions|recovery_codes/.test(file)) fetched.push(file);
  });
  await page.goto("/settings/authentication");
  await hydrated(page);
  await page.waitForLoadState("networkidle");
  expect(fetched).toEqual(["/pkg/bundle_factor_actions+recovery_codes.wasm"]);
  const row = page.locator(".device").filter({ hasText: "Phone" });
  await row.getByText("Remove", { exact: true }).click();
  await expect(row.getByText("Remove “Phone”? Its codes stop working at once.")).toBeVisible();
  await row.getByRole("button", { name: "Remove device" }).click();
  await expect(page.locator(".device-name")).toHaveText(["Laptop"]);
  await expect(page.getByRole("cell", { name: "Removed the device “Phone”" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "Linked the device “Laptop”" })).toBeVisible();
});

/** Logs out through the user menu and in again with a recovery code in place of a code. */
async function logInWithRecoveryCode(page: Page, email: string, password: string, code: string) {
  await page.getByRole("button", { name: "User menu" }).click();
  await page.getByRole("menuitem", { name: "Log out" }).click();
  await expect(page).toHaveURL(/^[^?#]*\/login$/);
  await hydrated(page);
  await logIn(page, email, password);
  await expect(page).toHaveURL(/^[^?#]*\/login\/two-factor/);
  await hydrated(page);
  await page.getByLabel("Authentication code").fill(code);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/^[^?#]*\/settings$/);
}

test("Regenerate shows the new recovery codes once, and they work", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const p = newPerson("Mary", "Jackson");
  await signUp(page, p);
  await hydrated(page);
  const { codes: first } = await linkDevice(page, "Phone", "Enable Two-factor authentication");
  await hydrated(page);
  await page.getByRole("button", { name: "Regenerate" }).click();
  await expect(page.getByText("New recovery codes created. The old ones no longer work.")).toBeVisible();
  const fresh = await recoveryCodesOn(page);
  expect(fresh).toHaveLength(10);
  expect(fresh.filter((c) => first.includes(c))).toEqual([]);
  await page.reload();
  await hydrated(page);
  await expect(page.getByText("10 of 10 recovery codes left.")).toBeVisible();
  await expect(page.getByRole("list", { name: "Your recovery codes" })).toHaveCount(0);
  await logInWithRecoveryCode(page, p.email, p.password, fresh[0]);
});

test("codes and keys shown once reach the person before the page's islands have loaded", async ({ page }) => {
  const p = newPerson("Dorothy", "Vaughan");
  await signUp(page, p);
  // From here every form is sent before its island could take it over: plain posts.
  const release = await holdScripts(page);
  await page.goto("/settings/authentication?wizard=name", { waitUntil: "commit" });
  await page.getByLabel("Device name").fill("Slow phone");
  await page.getByRole("button", { name: "Confirm", exact: true }).click();
  await expect(page).toHaveURL(/wizard=scan/);
  await expect(page.getByRole("heading", { name: "Setup key" })).toBeVisible();
  const key = (await page.locator("#setup-key").textContent())!.trim();
  expect(key.replace(/ /g, "")).toMatch(/^[A-Z2-7]{32}$/);
  await page.getByRole("link", { name: "Next" }).click();
  await expect(page).toHaveURL(/wizard=confirm/);
  await earlyInStep();
  await page.getByLabel("Code", { exact: true }).fill(totp(key));
  await page.getByRole("button", { name: "Finish" }).click();
  await expect(page).toHaveURL(/wizard=done/);
  await expect(page.getByText("“Slow phone” is linked to your account.")).toBeVisible();
  const first = await recoveryCodesOn(page);
  expect(first).toHaveLength(10);

  // The case: Regenerate pressed right after the page shows.
  await page.goto("/settings/authentication", { waitUntil: "commit" });
  await page.getByRole("button", { name: "Regenerate" }).click();
  await expect(page).toHaveURL(/^[^?#]*\/settings\/authentication#recovery-codes$/);
  const fresh = await recoveryCodesOn(page);
  expect(fresh).toHaveLength(10);
  expect(fresh.filter((c) => first.includes(c))).toEqual([]);
  await expect(page.getByText("10 of 10 recovery codes left.")).toBeVisible();

  // Shown once: the next load of the page, scripts and all, no longer has them.
  await release();
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole("list", { name: "Your recovery codes" })).toHaveCount(0);
  await logInWithRecoveryCode(page, p.email, p.password, fresh[4]);
});
