import { expect, test } from "@playwright/test";
import { earlyInStep, fillSignup, logIn, newPerson, recoveryCodesOn, signUp, totp, wrongCode } from "./helpers";

test.use({ javaScriptEnabled: false });

test("every form works with JavaScript off", async ({ page }) => {
  const p = newPerson("Grace", "Hopper");

  // Sign up: a bad field comes back with its message, then a good sign-up lands in settings.
  await page.goto("/signup");
  await fillSignup(page, { ...p, mobile: "12345" });
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.locator("#mobile-error")).toHaveText(/^Start with \+ and the country code/);
  await fillSignup(page, p);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/^[^?#]*\/settings$/);
  await expect(page.getByLabel("First name")).toHaveValue("Grace");

  // Profile.
  await page.getByLabel("First name").fill("Rear Admiral Grace");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Profile saved." })).toBeVisible();
  await expect(page.getByLabel("First name")).toHaveValue("Rear Admiral Grace");
  await page.getByLabel("Last name").fill("  ");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.locator("#last_name-error")).toHaveText("Enter your last name.");

  // Preferences: refused, then saved; the server renders the preview in the new zone.
  await page.getByLabel("Display timezone").fill("Mars/Phobos");
  await page.getByRole("button", { name: "Save preferences" }).click();
  await expect(page.locator("#timezone-error")).toContainText("“Mars/Phobos” is not a time zone we know");
  await page.getByLabel("Display timezone").fill("America/New_York");
  await page.getByLabel("Date format").selectOption("mm/dd/yyyy");
  await page.getByLabel("Time format").selectOption("12h");
  await page.getByRole("button", { name: "Save preferences" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Preferences saved." })).toBeVisible();
  await expect(page.getByTestId("preview-sample")).toHaveText("07/14/2026 12:45 PM (UTC-04:00)");
  await expect(page.getByTestId("member-since")).toHaveText(/^\d{2}\/\d{2}\/\d{4} \d{1,2}:\d{2} (AM|PM) \(UTC-0[45]:00\)$/);

  // Password.
  await page.goto("/settings/authentication");
  await page.getByLabel("Current password").fill(p.password);
  await page.getByLabel("New password", { exact: true }).fill("marble orchard hums at dusk");
  await page.getByLabel("Confirm new password").fill("marble orchard hums at dusk");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Your password was changed." })).toBeVisible();

  // Log out through the navigation, then log in with the new password.
  await page.getByRole("link", { name: "Log out" }).click();
  await expect(page).toHaveURL(/^[^?#]*\/logout$/);
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/^[^?#]*\/login$/);
  await logIn(page, p.email, p.password);
  await expect(page.getByText("Incorrect email or password.")).toBeVisible();
  await logIn(page, p.email, "marble orchard hums at dusk");
  await expect(page).toHaveURL(/^[^?#]*\/settings$/);
});

test("two-factor authentication works with JavaScript off", async ({ page }) => {
  const p = newPerson("Katherine", "Johnson");
  await signUp(page, p, { js: false });
  await page.goto("/settings/authentication");
  await expect(page.getByText("Status: Off")).toBeVisible();

  // The wizard, one page per step.
  await page.getByRole("link", { name: "Enable Two-factor authentication" }).click();
  await page.getByLabel("Device name").fill("  ");
  await page.getByRole("button", { name: "Confirm", exact: true }).click();
  await expect(page.locator("#name-error")).toHaveText("Enter a name for this device, e.g. \u201cWork phone\u201d.");
  await page.getByLabel("Device name").fill("Desk phone");
  await page.getByRole("button", { name: "Confirm", exact: true }).click();
  await expect(page).toHaveURL(/wizard=scan/);
  await expect(page.getByRole("img", { name: "QR code" })).toBeVisible();
  const key = (await page.locator("#setup-key").textContent())!.trim();
  await page.getByRole("link", { name: "Next" }).click();
  await earlyInStep();
  await page.getByLabel("Code", { exact: true }).fill(wrongCode(key));
  await page.getByRole("button", { name: "Finish" }).click();
  await expect(page.locator("#code-error")).toContainText("That code is not correct.");
  await page.getByLabel("Code", { exact: true }).fill(totp(key));
  await page.getByRole("button", { name: "Finish" }).click();
  await expect(page.getByText("“Desk phone” is linked to your account.")).toBeVisible();
  const first = await recoveryCodesOn(page);
  expect(first).toHaveLength(10);
  await page.getByRole("link", { name: "Done" }).click();
  await expect(page.getByText("Status: On — 1 linked device")).toBeVisible();
  await expect(page.getByRole("list", { name: "Your recovery codes" })).toHaveCount(0);

  // New recovery codes: shown on the page the form comes back to, and only there.
  await page.getByRole("button", { name: "Regenerate" }).click();
  await expect(page).toHaveURL(/^[^?#]*\/settings\/authentication#recovery-codes$/);
  const fresh = await recoveryCodesOn(page);
  expect(fresh).toHaveLength(10);
  expect(fresh.filter((c) => first.includes(c))).toEqual([]);
  await page.reload();
  await expect(page.getByText("10 of 10 recovery codes left.")).toBeVisible();
  await expect(page.getByRole("list", { name: "Your recovery codes" })).toHaveCount(0);

  // Rename, then remove: each comes back to the page with what happened.
  const row = page.locator(".device");
  await row.getByText("Rename", { exact: true }).click();
  await row.getByLabel("New name").fill("  ");
  await row.getByRole("button", { name: "Save name" }).click();
  await expect(row.locator(".field-error")).toHaveText("Enter a name for this device, e.g. \u201cWork phone\u201d.");
  await expect(page.locator(".device-name")).toHaveText(["Desk phone"]);
  await row.getByLabel("New name").fill("Pocket phone");
  await row.getByRole("button", { name: "Save name" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Device renamed." })).toBeVisible();
  await expect(page.locator(".device-name")).toHaveText(["Pocket phone"]);
  await page.locator(".device").getByText("Remove", { exact: true }).click();
  await page.locator(".device").getByRole("button", { name: "Remove device" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Device removed." })).toBeVisible();
  await expect(page.getByText("Status: Off")).toBeVisible();
  await expect(page.getByRole("cell", { name: "Removed the device “Pocket phone”" })).toBeVisible();
});
