import { Browser, expect, Page, test } from "@playwright/test";
import {
  earlyInStep,
  hydrated,
  joinFromInvitation,
  keygen,
  newPerson,
  Person,
  signUp,
  totp,
} from "./helpers";

// Every flow here is done with the keyboard alone: Tab, Shift+Tab, Enter, Space, Escape, the
// arrow keys and typing. Nothing is clicked, and no element is focused by the test itself.

/** What the focused element is called: its label, its own name, or its text. */
async function focusedName(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return "";
    const input = el as HTMLInputElement;
    const label = input.labels?.[0]?.textContent;
    return (label ?? el.getAttribute("aria-label") ?? el.innerText ?? "").trim();
  });
}

/** Presses Tab (or Shift+Tab) until the focused element is called `name`; fails if it never is. */
async function tabTo(page: Page, name: string | RegExp, { back = false, max = 60 } = {}) {
  const matches = (n: string) => (typeof name === "string" ? n === name : name.test(n));
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
    const now = await focusedName(page);
    if (matches(now)) return;
    seen.push(now);
  }
  throw new Error(`Tab never reached ${name}; it went through: ${seen.join(" | ")}`);
}

async function expectFocusOn(page: Page, name: string | RegExp) {
  await expect.poll(() => focusedName(page)).toEqual(typeof name === "string" ? name : expect.stringMatching(name));
}

async function signUpByKeyboard(page: Page, p: Person) {
  await page.goto("/signup");
  await hydrated(page);
  await tabTo(page, "First name");
  await page.keyboard.type(p.first);
  for (const [label, value] of [
    ["Last name", p.last],
    ["Email", p.email],
    ["Mobile number", p.mobile],
    ["Password", p.password],
    ["Confirm password", p.password],
  ]) {
    await tabTo(page, label);
    await page.keyboard.type(value);
  }
  await tabTo(page, "Sign up");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/^[^?#]*\/settings$/);
  await hydrated(page);
}

test("sign up, then link a device through every wizard step, with focus on each step's field", async ({ page }) => {
  const p = newPerson();
  await signUpByKeyboard(page, p);
  await expect(page.getByRole("heading", { name: "User Settings" })).toBeVisible();

  await page.goto("/settings/authentication");
  await hydrated(page);
  await tabTo(page, "Enable Two-factor authentication");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/wizard=name/);
  await hydrated(page);
  // Each step opens with focus on its first field, and says which step it is, politely.
  const progress = page.locator(".wizard-progress");
  await expect(progress).toHaveAttribute("role", "status");
  await expect(progress).toHaveText("Step 1 of 4: Name your device");
  await expectFocusOn(page, "Device name");
  // Cancelled, the wizard closes, and focus returns to what opened it.
  await tabTo(page, "Cancel");
  await page.keyboard.press("Enter");
  await expectFocusOn(page, "Enable Two-factor authentication");
  await page.keyboard.press("Enter");
  await expectFocusOn(page, "Device name");
  await page.keyboard.type("Phone");
  await page.keyboard.press("Enter");
  await expect(progress).toHaveText("Step 2 of 4: Scan the QR code");
  await expectFocusOn(page, "Scan the QR code");
  const key = (await page.locator("#setup-key").textContent())!.trim();
  await tabTo(page, "Next");
  await page.keyboard.press("Enter");
  await expect(progress).toHaveText("Step 3 of 4: Enter the code");
  await expectFocusOn(page, "Code");
  await earlyInStep();
  await page.keyboard.type(totp(key));
  await page.keyboard.press("Enter");
  await expect(progress).toHaveText("Step 4 of 4: Device linked");
  await expectFocusOn(page, "Device linked");
  // What the page says follows the change: nothing on it still says two-factor is off.
  await expect(page.getByText("“Phone” is linked to your account. Two-factor authentication is on.")).toBeVisible();
  await expect(page.getByText("Status: Off")).toHaveCount(0);
  await tabTo(page, "Done");
  await page.keyboard.press("Enter");
  await expect(page.getByText("Status: On — 1 linked device")).toBeVisible();
  await hydrated(page);

  // Rename: the in-place form takes focus to its field; Escape closes it and focus returns
  // to "Rename"; saved, the page says so and focus starts there.
  await tabTo(page, "Rename");
  await page.keyboard.press("Enter");
  await expectFocusOn(page, "New name");
  await page.keyboard.press("Escape");
  await expect(page.locator(".device details").first()).not.toHaveAttribute("open", "");
  await expectFocusOn(page, "Rename");
  await page.keyboard.press("Enter");
  await expectFocusOn(page, "New name");
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.type("Work phone");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/done=device-renamed/);
  await expect(page.locator(".device-name")).toHaveText(["Work phone"]);
  await expectFocusOn(page, "Device renamed.");

  // Remove: it asks only to confirm, so focus goes to its button.
  await hydrated(page);
  await tabTo(page, "Remove");
  await page.keyboard.press("Enter");
  await expectFocusOn(page, "Remove device");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/done=device-removed/);
  await expect(page.getByText("Status: Off")).toBeVisible();
  await expectFocusOn(page, "Device removed.");
});

test("add and delete an SSH key; focus stays with the form, then goes to the list", async ({ page }) => {
  await signUp(page, newPerson());
  await page.goto("/settings/ssh-keys");
  await hydrated(page);
  const key = keygen("ed25519");
  await tabTo(page, "Key");
  await page.keyboard.insertText(key.line);
  await tabTo(page, "Add SSH key");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status").filter({ hasText: "SSH key added." })).toBeVisible();
  await expectFocusOn(page, "Add SSH key");

  await tabTo(page, "Delete", { back: true });
  await page.keyboard.press("Enter");
  await expectFocusOn(page, "Delete this key");
  await page.keyboard.press("Enter");
  await expect(page.getByText("You have no SSH keys yet.")).toBeVisible();
  // The row is gone: focus is on the list's heading, and the deletion was announced.
  await expectFocusOn(page, "Your keys");
  await expect(page.locator(".announcer").filter({ hasText: "SSH key “ada@laptop” deleted." })).toHaveCount(1);
});

test("invite a person and change their role, with focus kept on the button that was pressed", async ({ page, browser }) => {
  const owner = newPerson();
  await signUp(page, owner);
  await page.goto("/accounts");
  await hydrated(page);
  await tabTo(page, `${owner.first} ${owner.last}`);
  await page.keyboard.press("Enter");
  await expect(page.getByText("Your role: Owner")).toBeVisible();
  await hydrated(page);

  const guest = newPerson("Grace", "Hopper");
  await tabTo(page, "Email");
  await page.keyboard.type(guest.email);
  await tabTo(page, "Send invitation");
  await page.keyboard.press("Enter");
  const announcer = page.locator(".announcer");
  await expect(announcer).toHaveText(`Invitation mailed to ${guest.email}.`);
  await expect(page.getByRole("cell", { name: guest.email, exact: true })).toBeVisible();
  await expectFocusOn(page, "Send invitation");

  await joinAsMember(browser, guest);
  await page.reload();
  await hydrated(page);
  const row = page.getByRole("region", { name: "Users" }).locator("tr").filter({ hasText: guest.email });
  await expect(row).toContainText("Member");
  await tabTo(page, `Role of ${guest.email}`);
  // On a closed select, the arrow keys choose the option before (Member follows Admin).
  await page.keyboard.press("ArrowUp");
  await expect(page.getByLabel(`Role of ${guest.email}`)).toHaveValue("admin");
  await tabTo(page, "Change role");
  await page.keyboard.press("Enter");
  await expect(announcer).toHaveText(`Role of ${guest.email} changed.`);
  await expect(row.locator("td").nth(2)).toHaveText("Admin");
  await expectFocusOn(page, "Change role");
});

async function joinAsMember(browser: Browser, guest: Person) {
  const context = await browser.newContext();
  await joinFromInvitation(await context.newPage(), guest);
  await context.close();
}
