import { expect, test } from "@playwright/test";
import { fillSignup, hydrated, linkIn, logIn, mailTo, newPerson, signUp } from "./helpers";

test("sign up, open the mailed link, and the address is confirmed", async ({ page }) => {
  const p = newPerson("Ada", "Lovelace");
  await signUp(page, p);
  const notice = page.getByRole("region", { name: "Account notice" });
  await expect(notice).toContainText("Confirm your email address");
  await expect(notice).toContainText(p.email);

  // Resend replaces the first link.
  await hydrated(page);
  const first = linkIn(await mailTo(p.email, "Confirm your email address"), "/verify-email/");
  await notice.getByRole("button", { name: "Resend" }).click();
  await expect(notice.getByRole("status")).toHaveText("We sent a new link. It replaces the ones before.");
  let second = first;
  for (let i = 0; i < 50 && second === first; i++) {
    second = linkIn(await mailTo(p.email, "Confirm your email address"), "/verify-email/");
    if (second === first) await page.waitForTimeout(200);
  }
  expect(second).not.toBe(first);

  await page.goto(first);
  await expect(page.getByRole("alert")).toContainText("does not work any more");
  // Opening the link asks for a click: a mail scanner fetching it confirms nothing.
  await page.goto(second);
  await expect(page.getByText(`Confirm that ${p.email} is your email address.`)).toBeVisible();
  await hydrated(page);
  await page.getByRole("button", { name: "Confirm email address" }).click();
  await expect(page).toHaveURL(/^[^?#]*\/settings\?done=email-confirmed$/);
  await expect(page.getByRole("status").filter({ hasText: "Thank you: your email address is confirmed." })).toBeVisible();
  await expect(page.getByRole("heading", { name: "User Settings" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Account notice" })).toHaveCount(0);
});

test("forgot password: a mailed link, a new password, and signed in with it", async ({ page }) => {
  const p = newPerson("Grace", "Hopper");
  await signUp(page, p);
  await page.context().clearCookies();

  await page.goto("/login");
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await expect(page).toHaveURL(/^[^?#]*\/password-reset$/);
  await hydrated(page);
  await page.getByLabel("Email").fill(p.email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("status").filter({ hasText: "If an account exists for that address, we sent a link." })).toBeVisible();

  const link = linkIn(await mailTo(p.email, "Reset your"), "/password-reset/");
  await page.goto(link);
  await expect(page.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
  await hydrated(page);
  // The same rules and strength meter as at sign-up.
  await page.getByLabel("New password", { exact: true }).fill("password1234");
  await page.getByLabel("Confirm new password").fill("password1234");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.locator("#new_password-error")).not.toBeEmpty();
  const fresh = "copper lantern drifts eastward";
  await page.getByLabel("New password", { exact: true }).fill(fresh);
  await expect(page.locator(".strength")).toBeVisible();
  await page.getByLabel("Confirm new password").fill(fresh);
  await page.getByRole("button", { name: "Set new password" }).click();

  await expect(page).toHaveURL(/^[^?#]*\/login\?done=password-reset$/);
  await expect(page.getByRole("status").filter({ hasText: "Your password was changed" })).toBeVisible();
  await logIn(page, p.email, p.password);
  await expect(page.getByText("Incorrect email or password.")).toBeVisible();
  await logIn(page, p.email, fresh);
  await expect(page).toHaveURL(/^[^?#]*\/settings$/);
  // The reset link was mailed to the address: it is confirmed now.
  await expect(page.getByRole("region", { name: "Account notice" })).toHaveCount(0);

  // The link worked once.
  await page.goto(link);
  await expect(page.getByRole("alert")).toContainText("does not work any more");
  await expect(page.getByRole("link", { name: "Ask for a new link" })).toBeVisible();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the notice, its Resend, the link and the reset request all work", async ({ page }) => {
    const p = newPerson("Mary", "Somerville");
    await page.goto("/signup");
    await fillSignup(page, p);
    await page.getByRole("button", { name: "Sign up" }).click();
    await expect(page).toHaveURL(/^[^?#]*\/settings$/);
    const notice = page.getByRole("region", { name: "Account notice" });
    await expect(notice).toContainText("Confirm your email address");
    await notice.getByRole("button", { name: "Resend" }).click();
    await expect(page).toHaveURL(/^[^?#]*\/settings\?done=verification-sent$/);
    await expect(page.getByRole("region", { name: "Account notice" }).getByRole("status")).toHaveText(
      "We sent a new link. It replaces the ones before.",
    );
    await page.goto(linkIn(await mailTo(p.email, "Confirm your email address"), "/verify-email/"));
    await page.getByRole("button", { name: "Confirm email address" }).click();
    await expect(page).toHaveURL(/^[^?#]*\/settings\?done=email-confirmed$/);
    await expect(page.getByRole("status").filter({ hasText: "Thank you: your email address is confirmed." })).toBeVisible();
    await expect(page.getByRole("region", { name: "Account notice" })).toHaveCount(0);

    await page.context().clearCookies();
    await page.goto("/password-reset");
    await page.getByLabel("Email").fill(p.email);
    await page.getByRole("button", { name: "Send reset link" }).click();
    await expect(page.getByRole("status").filter({ hasText: "If an account exists for that address, we sent a link." })).toBeVisible();
  });
});
