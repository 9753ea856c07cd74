import { expect, test } from "@playwright/test";
import { hydrated, newPerson, signUp } from "./helpers";

// A second server started by .ci/test whose sudo window is 4 seconds
// (APP_SECURITY_REAUTH_SECONDS=4), so the password question can be seen without waiting
// five minutes.
test.use({ baseURL: process.env.E2E_SUDO_URL ?? "http://127.0.0.1:3002" });

test("a sensitive action after the sudo window asks for the password, then carries on", async ({ page }) => {
  const p = newPerson();
  await signUp(page, p);
  await page.waitForTimeout(5_000);
  await page.goto("/settings/authentication");
  await page.getByRole("link", { name: "Enable Two-factor authentication" }).click();
  // The wizard's first step is a page load: wait for its island.
  await expect(page).toHaveURL(/wizard=name/);
  await hydrated(page);
  await page.getByLabel("Device name").fill("Phone");
  await page.getByRole("button", { name: "Confirm", exact: true }).click();

  await expect(page.getByRole("heading", { name: "Confirm access" })).toBeVisible();
  await expect(page.getByRole("img", { name: "QR code" })).toHaveCount(0);
  await page.getByLabel("Password", { exact: true }).fill("not my password at all");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.locator("#password-error")).toHaveText("That password is not correct.");
  await page.getByLabel("Password", { exact: true }).fill(p.password);
  await page.getByRole("button", { name: "Continue" }).click();

  // The refused step goes through without being asked for again.
  await expect(page.getByRole("img", { name: "QR code" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Confirm access" })).toHaveCount(0);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the password is asked on the page, then the form is sent again", async ({ page }) => {
    const p = newPerson();
    await signUp(page, p, { js: false });
    await page.waitForTimeout(5_000);
    await page.goto("/settings/authentication");
    await page.getByRole("link", { name: "Enable Two-factor authentication" }).click();
    await page.getByLabel("Device name").fill("Phone");
    await page.getByRole("button", { name: "Confirm", exact: true }).click();

    await expect(page.getByRole("heading", { name: "Confirm access" })).toBeVisible();
    await page.getByLabel("Password", { exact: true }).fill("not my password at all");
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(page.locator("#password-error")).toHaveText("That password is not correct.");
    await page.getByLabel("Password", { exact: true }).fill(p.password);
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Password confirmed: you can continue." })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Confirm access" })).toHaveCount(0);

    await page.getByRole("link", { name: "Enable Two-factor authentication" }).click();
    await page.getByLabel("Device name").fill("Phone");
    await page.getByRole("button", { name: "Confirm", exact: true }).click();
    await expect(page.getByRole("img", { name: "QR code" })).toBeVisible();
  });
});
