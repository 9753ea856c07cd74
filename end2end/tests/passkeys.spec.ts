import { CDPSession, expect, Page, test } from "@playwright/test";
import { hydrated, logIn, newPerson, signUp } from "./helpers";

// Passkeys against Chromium's own virtual authenticator (DevTools protocol, no real device):
// the browser makes and signs real WebAuthn credentials for this page's origin. Passkeys need
// a domain name, so these tests run on http://localhost:3000 (the default public URL).

const SUDO_URL = process.env.E2E_SUDO_URL ?? "http://127.0.0.1:3002";

/** A platform authenticator (like a laptop's) that verifies its user and holds passkeys. */
async function virtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; id: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, id: authenticatorId };
}

/** Counts the page's requests for the browser's autofill of passkeys, as the page makes them. */
async function countRequests(page: Page) {
  await page.addInitScript(() => {
    const counts = { conditional: 0 };
    (window as unknown as { passkeyRequests: typeof counts }).passkeyRequests = counts;
    const get = navigator.credentials.get.bind(navigator.credentials);
    navigator.credentials.get = (options?: CredentialRequestOptions) => {
      if (options?.mediation === "conditional") counts.conditional += 1;
      return get(options);
    };
  });
}

/** Waits until the login page has asked the browser for its autofill of passkeys. */
async function autofillRequested(page: Page) {
  await page.waitForFunction(
    () => (window as unknown as { passkeyRequests: { conditional: number } }).passkeyRequests.conditional > 0,
  );
}

async function storedCredentials(cdp: CDPSession, id: string): Promise<number> {
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId: id });
  return credentials.length;
}

async function logOut(page: Page) {
  await page.getByRole("button", { name: "User menu" }).click();
  await page.getByRole("menuitem", { name: "Log out" }).click();
  await expect(page).toHaveURL(/^[^?#]*\/login$/);
  await hydrated(page);
}

test("a person adds a passkey, signs in with password then passkey, with the passkey alone, and removes it", async ({
  page,
}) => {
  const { cdp, id } = await virtualAuthenticator(page);
  await countRequests(page);
  const p = newPerson();
  await signUp(page, p);
  await page.goto("/settings/authentication");
  await hydrated(page);
  await expect(page.getByText("Status: Off")).toBeVisible();

  // "Add a passkey" is a step of the page, like the device wizard's.
  await page.getByRole("link", { name: "Add a passkey" }).click();
  await expect(page).toHaveURL(/^[^?#]*\/settings\/authentication\?passkey=add/);
  await hydrated(page);

  // A dialog the person closes (here: the authenticator cannot verify them) saves nothing.
  await cdp.send("WebAuthn.setUserVerified", { authenticatorId: id, isUserVerified: false });
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "nothing was saved" })).toBeVisible();
  await expect(page.getByLabel("Passkey name")).toHaveCount(0);
  expect(await storedCredentials(cdp, id)).toBe(0);
  await cdp.send("WebAuthn.setUserVerified", { authenticatorId: id, isUserVerified: true });

  // The browser's dialog makes it; then the person names it, from a suggestion.
  await page.getByRole("button", { name: "Continue" }).click();
  const name = page.getByLabel("Passkey name");
  await expect(name).toBeFocused();
  await expect(name).toHaveValue(/^Passkey on /);
  await name.fill("");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("#passkey-name-error")).toContainText("Enter a name");
  await name.fill("Laptop");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(/^[^?#]*\/settings\/authentication\?done=passkey-added$/);
  await hydrated(page);
  await expect(page.getByRole("status").filter({ hasText: "Passkey added." })).toBeVisible();
  await expect(page.getByText("Status: On — 1 passkey")).toBeVisible();
  // The first second factor brings the recovery codes, shown once.
  await expect(page.getByRole("list", { name: "Your recovery codes" }).locator("code")).toHaveCount(10);
  const row = page.locator(".device").filter({ hasText: "Laptop" });
  await expect(row.locator(".device-kind")).toHaveText("Passkey");
  await expect(row.getByText("Never used to log in")).toBeVisible();
  expect(await storedCredentials(cdp, id)).toBe(1);

  // The password, then "Use a passkey" in place of a code. The virtual authenticator answers
  // at once while it simulates the person's touch, also the login page's autofill request:
  // it is held back until the button is pressed.
  const touch = (enabled: boolean) =>
    cdp.send("WebAuthn.setAutomaticPresenceSimulation", { authenticatorId: id, enabled });
  await touch(false);
  await logOut(page);
  await logIn(page, p.email, p.password);
  await expect(page).toHaveURL(/^[^?#]*\/login\/two-factor/);
  await hydrated(page);
  await expect(page.getByLabel("Authentication code")).toBeVisible();
  await touch(true);
  await page.getByRole("button", { name: "Use a passkey" }).click();
  await expect(page).toHaveURL(/^[^?#]*\/settings$/);
  await hydrated(page);

  // The passkey alone, with the button: no password, no code. The autofill request, made
  // while the authenticator does not answer, stays open until the button replaces it. (Its
  // options come from the server after hydration: touching before it is made would let the
  // autofill sign in first.)
  await touch(false);
  await logOut(page);
  await autofillRequested(page);
  await touch(true);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(/^[^?#]*\/settings$/);
  await hydrated(page);

  // And from the browser's autofill (conditional mediation): the virtual authenticator picks
  // the passkey the login page's email field offers, without a click. (Its answer, not the
  // address, says when: the address is /settings before the log-out and after the sign-in.)
  const signedIn = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith("/login/passkey-sign-in"));
  await page.getByRole("button", { name: "User menu" }).click();
  await page.getByRole("menuitem", { name: "Log out" }).click();
  expect((await signedIn).status()).toBeLessThan(400);
  await expect(page).toHaveURL(/^[^?#]*\/settings$/);
  await hydrated(page);
  await page.goto("/settings/authentication#sessions");
  await hydrated(page);
  await expect(page.getByRole("region", { name: "Sessions" })).toContainText("· Passkey");
  // The security log: each sign-in with its method, each use of the passkey by name.
  const log = page.getByRole("region", { name: "Security log" });
  await expect(log.getByRole("cell", { name: "Signed in (passkey)", exact: true })).toHaveCount(2);
  await expect(log.getByRole("cell", { name: "Signed in (password and passkey)", exact: true })).toHaveCount(1);
  await expect(log.getByRole("cell", { name: "Used the passkey “Laptop”", exact: true })).toHaveCount(3);
  await expect(log.getByRole("cell", { name: "Added the passkey “Laptop”", exact: true })).toHaveCount(1);
  await expect(page.locator(".device").filter({ hasText: "Laptop" }).getByText(/^Last used /)).toBeVisible();

  // Rename it, then remove it: the last second factor, so two-factor goes off, as it warns.
  const laptop = page.locator(".device").filter({ hasText: "Laptop" });
  await laptop.getByText("Rename", { exact: true }).click();
  const box = laptop.getByLabel("New name");
  await box.fill("Work laptop");
  await laptop.getByRole("button", { name: "Save name" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Passkey renamed." })).toBeVisible();
  await hydrated(page);
  const work = page.locator(".device").filter({ hasText: "Work laptop" });
  await work.getByText("Remove", { exact: true }).click();
  await expect(work.getByText("Remove “Work laptop”? It stops signing in at once.")).toBeVisible();
  await expect(work.getByText("This is your last second factor")).toBeVisible();
  await work.getByRole("button", { name: "Remove passkey" }).click();
  // Signed in by a passkey just now: no password question within the window.
  await expect(page.getByRole("status").filter({ hasText: "Passkey removed." })).toBeVisible();
  await expect(page.getByText("Status: Off")).toBeVisible();
  await expect(page.locator(".device")).toHaveCount(0);

  // The removed passkey no longer signs in, from the autofill or the button.
  expect(await storedCredentials(cdp, id)).toBe(1);
  await logOut(page);
  await expect(page.getByRole("alert").filter({ hasText: "not accepted" })).toBeVisible();
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "not accepted" })).toBeVisible();
  await expect(page).toHaveURL(/^[^?#]*\/login$/);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the pages say passkeys need it where the buttons would be", async ({ page }) => {
    // Said in a <noscript>, which Playwright's text matching skips: read what the page renders.
    const needs = "Passkeys need JavaScript, which is off in this browser.";
    await page.goto("/login");
    expect(await page.locator("main").innerText()).toContain(needs);
    await expect(page.getByRole("button", { name: "Sign in with a passkey" })).toBeHidden();
    await signUp(page, newPerson(), { js: false });
    await page.goto("/settings/authentication");
    expect(await page.locator("main").innerText()).toContain(needs);
    await page.getByRole("link", { name: "Add a passkey" }).click();
    expect(await page.locator("main").innerText()).toContain(needs);
    await expect(page.getByRole("button", { name: "Continue" })).toBeHidden();
  });
});

test("a site reached by an IP address says passkeys need a domain name", async ({ browser }) => {
  // The second test server is reached by 127.0.0.1: no passkeys there, and it says why.
  const byIp = await browser.newContext({ baseURL: SUDO_URL });
  const page = await byIp.newPage();
  await page.goto("/login");
  await hydrated(page);
  await expect(page.getByText("Passkeys need this site to be reached by a domain name")).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign in with a passkey" })).toHaveCount(0);
  await signUp(page, newPerson());
  await page.goto("/settings/authentication");
  await hydrated(page);
  await expect(page.getByText("Passkeys need this site to be reached by a domain name")).toBeVisible();
  await expect(page.getByRole("link", { name: "Add a passkey" })).toHaveCount(0);
  await byIp.close();
});
