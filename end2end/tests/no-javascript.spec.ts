import { expect, test } from "@playwright/test";
import type { Browser, Page } from "@playwright/test";
import { addRefusedKey, earlyInStep, fillSignup, linkIn, logIn, mailTo, newPerson, recoveryCodesOn, signUp, totp, wrongCode } from "./helpers";
import type { Person } from "./helpers";

test.use({ javaScriptEnabled: false });

test("every form works with JavaScript off", async ({ page }) => {
  const p = newPerson("Grace", "Hopper");

  // Sign up: a bad field comes back with its message, then a good sign-up lands in settings.
  await page.goto("/signup");
  await fillSignup(page, { ...p, mobile: "12345" });
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.locator("#mobile-error")).toHaveText(/^Start with \+ and the country code/);
  // What was typed is still there, but the passwords, which are typed again.
  await expect(page.getByLabel("First name")).toHaveValue(p.first);
  await expect(page.getByLabel("Last name")).toHaveValue(p.last);
  await expect(page.getByLabel("Email")).toHaveValue(p.email);
  await expect(page.getByLabel("Mobile number")).toHaveValue("12345");
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue("");
  await page.getByLabel("Mobile number").fill(p.mobile);
  await page.getByLabel("Password", { exact: true }).fill(p.password);
  await page.getByLabel("Confirm password").fill(p.password);
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
  await expect(page.getByLabel("Display timezone")).toHaveValue("Mars/Phobos");
  await page.getByLabel("Display timezone").fill("America/New_York");
  await page.getByLabel("Date format").selectOption("mm/dd/yyyy");
  await page.getByLabel("Time format").selectOption("12h");
  await page.getByRole("button", { name: "Save preferences" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Preferences saved." })).toBeVisible();
  await expect(page.getByTestId("preview-sample")).toHaveText("07/14/2026 12:45 PM (UTC-04:00)");
  await expect(page.getByTestId("member-since")).toHaveText(/^\d{2}\/\d{2}\/\d{4} \d{1,2}:\d{2} (AM|PM) \(UTC-0[45]:00\)$/);

  // SSH keys: a refused key comes back in its box with its title.
  await page.goto("/settings/ssh-keys");
  await addRefusedKey(page);

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
  await expect(page.getByLabel("Email")).toHaveValue(p.email);
  await expect(page.getByLabel("Password")).toHaveValue("");
  // Only the next load of the page: opened again, the form is empty.
  await page.goto("/login");
  await expect(page.getByLabel("Email")).toHaveValue("");
  await logIn(page, p.email, "marble orchard hums at dusk");
  await expect(page).toHaveURL(/^[^?#]*\/settings$/);
});

// Each change on an account's page reloads it without JavaScript; the reloaded page says what
// was done, as the page with JavaScript does.
test("an account's forms say what they did with JavaScript off", async ({ page, browser }) => {
  const ada = newPerson("Ada", "Lovelace");
  await signUp(page, ada, { js: false });
  const said = (text: string) => expect(page.getByRole("status").filter({ hasText: text })).toBeVisible();

  await page.goto("/accounts");
  await page.getByLabel("Account name").fill("Analytical Engines");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Analytical Engines" })).toBeVisible();
  await said("Account created.");
  const accountPage = page.url().split("?")[0];

  // Workspaces: create, rename and delete.
  await page.getByLabel("Workspace name").fill("Research");
  await page.getByRole("button", { name: "Create workspace" }).click();
  await said("Workspace created.");
  const research = page.locator(".workspace").filter({ hasText: "Research" });
  await research.getByText("Rename", { exact: true }).click();
  await research.getByLabel("New name").fill("Difference Research");
  await research.getByRole("button", { name: "Save name" }).click();
  await said("Workspace renamed.");
  const renamed = page.locator(".workspace").filter({ hasText: "Difference Research" });
  await renamed.getByText("Delete", { exact: true }).click();
  await renamed.getByRole("button", { name: "Delete workspace" }).click();
  await said("Workspace deleted.");
  await expect(page.locator(".workspace").filter({ hasText: "Difference Research" })).toHaveCount(0);

  // Invitations: refused, sent, sent again, revoked.
  const grace = newPerson("Grace", "Hopper");
  const charles = newPerson("Charles", "Babbage");
  await invite(page, "not-an-address");
  await expect(page.locator("#email-error")).toHaveText("Enter an email address like name@example.com.");
  await invite(page, grace.email);
  await said("Invitation mailed.");
  const pending = page.getByRole("region", { name: "Add new user" });
  const graceRow = pending.getByRole("row").filter({ hasText: grace.email });
  await expect(graceRow).toBeVisible();
  await graceRow.getByRole("button", { name: "Resend" }).click();
  await said("Invitation mailed again.");
  await invite(page, charles.email);
  await pending.getByRole("row").filter({ hasText: charles.email }).getByRole("button", { name: "Revoke" }).click();
  await said("Invitation revoked.");
  await expect(pending.getByRole("row").filter({ hasText: charles.email })).toHaveCount(0);

  // Members: a role changed, then one leaves and another is removed.
  const katherine = newPerson("Katherine", "Johnson");
  await invite(page, katherine.email);
  const guests = await Promise.all([join(browser, grace), join(browser, katherine)]);
  await page.goto(accountPage);
  const users = page.getByRole("region", { name: "Users" });
  await users.getByLabel(`Role of ${grace.email}`).selectOption("admin");
  await users.getByRole("row").filter({ hasText: grace.email }).getByRole("button", { name: "Change role" }).click();
  await said("Role changed.");
  await expect(users.getByRole("row").filter({ hasText: grace.email })).toContainText("Admin");

  const gracePage = guests[0];
  await gracePage.getByText("Leave this account", { exact: true }).click();
  await gracePage.getByRole("button", { name: "Leave account" }).click();
  await expect(gracePage).toHaveURL(/^[^?#]*\/accounts\?done=left$/);
  await expect(gracePage.getByRole("status").filter({ hasText: "You left the account." })).toBeVisible();
  await expect(gracePage.getByRole("link", { name: "Analytical Engines" })).toHaveCount(0);

  const katherineRow = users.getByRole("row").filter({ hasText: katherine.email });
  await katherineRow.getByText("Remove", { exact: true }).click();
  await katherineRow.getByRole("button", { name: "Remove from account" }).click();
  await said("User removed from the account.");
  await expect(users.getByRole("row").filter({ hasText: katherine.email })).toHaveCount(0);
  await expect(users.getByRole("row").filter({ hasText: grace.email })).toHaveCount(0);
  await Promise.all(guests.map((g) => g.context().close()));
});

async function invite(page: Page, email: string) {
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByRole("button", { name: "Send invitation" }).click();
}

/** The invited person signs up from the mailed link, in a browser of their own without JavaScript. */
async function join(browser: Browser, guest: Person): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(linkIn(await mailTo(guest.email, "invited you"), "/invitations/"));
  await page.getByRole("link", { name: "Sign up to accept" }).click();
  await fillSignup(page, guest, { email: false });
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByText("Your role: Member")).toBeVisible();
  return page;
}

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
