import { Browser, BrowserContext, expect, Locator, Page, test } from "@playwright/test";
import { hydrated, linkIn, logIn, newPerson, Person, signUp, smtpMailsTo, smtpMailTo } from "./helpers";

// Other browsers signed in as the same person, each a browser context of its own with the
// User-Agent of another browser, so that the Sessions list and the log can tell them apart.
// The names are woothee's reading of these strings, as the server shows them.
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const FIREFOX_NAME = "Firefox 128 on Linux";
const SAFARI =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";
const SAFARI_NAME = "Safari 17 on Mac OSX";

// The second server started by .ci/test: a 4-second sudo window, and its mail goes through a
// real SMTP server (aiosmtpd) into a Maildir. The third: sessions end after one idle minute.
const SUDO_URL = process.env.E2E_SUDO_URL ?? "http://127.0.0.1:3002";
const IDLE_URL = process.env.E2E_IDLE_URL ?? "http://127.0.0.1:3004";

const NEW_SIGN_IN = "New sign-in to your account";

// Contexts a test opened beside its own, closed also when it fails.
let opened: BrowserContext[] = [];
test.afterEach(async () => {
  await Promise.all(opened.map((c) => c.close()));
  opened = [];
});

/** A fresh browser (no cookies) with `userAgent`, signed in as `p`; it inherits `baseURL`. */
async function logInElsewhere(browser: Browser, p: Person, userAgent: string): Promise<Page> {
  const context = await browser.newContext({ userAgent });
  opened.push(context);
  const page = await context.newPage();
  await page.goto("/login");
  await hydrated(page);
  await logIn(page, p.email, p.password);
  await expect(page).toHaveURL(/^[^?#]*\/settings$/);
  return page;
}

/** The Sessions section of the Authentication page, loaded and hydrated. */
async function sessionsOf(page: Page): Promise<Locator> {
  await page.goto("/settings/authentication#sessions");
  await hydrated(page);
  const section = page.getByRole("region", { name: "Sessions", exact: true });
  await expect(section).toBeVisible();
  return section;
}

/** Whether the session of `page` has ended: its next page load asks to log in. */
async function expectSignedOut(page: Page) {
  await page.goto("/settings");
  await expect(page).toHaveURL(/^[^?#]*\/login(\?|$)/);
  await expect(page.getByRole("button", { name: "Log in" })).toBeVisible();
}

/**
 * Clicks `button` in `section`; if the sudo window has closed, the section's island asks for
 * the password first ("Confirm access"), is given it, and sends the form again. Resolves once
 * `done` shows.
 */
async function withAccess(section: Locator, button: Locator, password: string, done: Locator) {
  await button.click();
  const asked = section.getByRole("heading", { name: "Confirm access" });
  await expect(done.or(asked)).toBeVisible();
  if (await asked.isVisible()) {
    await section.getByLabel("Password", { exact: true }).fill(password);
    await section.getByRole("button", { name: "Continue" }).click();
  }
  await expect(done).toBeVisible();
}

test("the Sessions list shows both browsers, and one signs the other out", async ({ page, browser }) => {
  const p = newPerson("Ada", "Lovelace");
  await signUp(page, p);
  const other = await logInElsewhere(browser, p, FIREFOX);

  const section = await sessionsOf(page);
  const rows = section.locator("li.session");
  await expect(rows).toHaveCount(2);
  const mine = rows.filter({ hasText: "This session" });
  await expect(mine).toHaveCount(1);
  // The test's own browser: Playwright's "Desktop Chrome" User-Agent.
  await expect(mine).toContainText(/Chrome \d+/);
  await expect(mine.getByRole("button")).toHaveCount(0);
  const theirs = rows.filter({ hasText: FIREFOX_NAME });
  await expect(theirs).not.toContainText("This session");
  await expect(theirs).toContainText("127.0.0.1");
  await expect(theirs).toContainText(/Signed in .+ · Password/);
  await expect(theirs).toContainText("Last active");
  await expect(section.getByRole("button", { name: "Sign out all other sessions" })).toBeVisible();

  await withAccess(
    section,
    theirs.getByRole("button", { name: `Sign out ${FIREFOX_NAME}`, exact: true }),
    p.password,
    page.getByRole("status").filter({ hasText: "Session signed out." }),
  );
  await expect(page).toHaveURL(/^[^?#]*\/settings\/authentication\?done=session-ended$/);
  // As after every change that loads the page again, what it says is read first.
  await expect(page.getByText("Session signed out.")).toBeFocused();
  await expect(rows).toHaveCount(1);
  await expect(rows).toContainText("This session");
  await expect(section.getByRole("button", { name: "Sign out all other sessions" })).toHaveCount(0);
  await expect(
    page
      .getByRole("region", { name: "Security log", exact: true })
      .getByRole("cell", { name: `Signed out a session (${FIREFOX_NAME}, 127.0.0.1)` }),
  ).toBeVisible();

  await expectSignedOut(other);
  // This one is still signed in.
  await page.goto("/settings");
  await expect(page.getByRole("heading", { name: "User Settings" })).toBeVisible();
});

test.describe("on the server with a 4-second sudo window", () => {
  test.use({ baseURL: SUDO_URL });

  test("“Sign out all other sessions” asks for the password, then signs out every other browser", async ({
    page,
    browser,
  }) => {
    const p = newPerson("Grace", "Hopper");
    await signUp(page, p);
    const signedUpAt = Date.now();
    const second = await logInElsewhere(browser, p, FIREFOX);
    const third = await logInElsewhere(browser, p, SAFARI);

    const section = await sessionsOf(page);
    const rows = section.locator("li.session");
    await expect(rows).toHaveCount(3);
    await expect(rows.filter({ hasText: "This session" })).toHaveCount(1);
    await expect(rows.filter({ hasText: FIREFOX_NAME })).toHaveCount(1);
    await expect(rows.filter({ hasText: SAFARI_NAME })).toHaveCount(1);

    // The password check of the sign-up is over by now: the list asks for it again.
    await page.waitForTimeout(Math.max(0, signedUpAt + 5_000 - Date.now()));
    await section.getByRole("button", { name: "Sign out all other sessions" }).click();
    await expect(section.getByRole("heading", { name: "Confirm access" })).toBeVisible();
    await expect(rows).toHaveCount(3);
    await section.getByLabel("Password", { exact: true }).fill(p.password);
    await section.getByRole("button", { name: "Continue" }).click();

    // The refused form went again by itself.
    await expect(page.getByRole("status").filter({ hasText: "All other sessions were signed out." })).toBeVisible();
    await expect(page).toHaveURL(/^[^?#]*\/settings\/authentication\?done=other-sessions-ended$/);
    await expect(page.getByText("All other sessions were signed out.")).toBeFocused();
    await expect(rows).toHaveCount(1);
    await expect(rows).toContainText("This session");
    await expect(
      page
        .getByRole("region", { name: "Security log", exact: true })
        .getByRole("cell", { name: "Signed out all other sessions (2)" }),
    ).toBeVisible();

    await expectSignedOut(second);
    await expectSignedOut(third);
    await page.goto("/settings");
    await expect(page.getByRole("heading", { name: "User Settings" })).toBeVisible();
  });

  test("a sign-in from a new browser is mailed through the SMTP server, once", async ({ page, browser }) => {
    const p = newPerson("Mary", "Somerville");
    await signUp(page, p);
    // Security mail goes only to a confirmed address: confirm it as a person would.
    await page.goto(linkIn(await smtpMailTo(p.email, "Confirm your email address"), "/verify-email/"));
    await hydrated(page);
    await page.getByRole("button", { name: "Confirm email address" }).click();
    await expect(page).toHaveURL(/^[^?#]*\/settings\?done=email-confirmed$/);
    // Signing up sent no such mail (the mail it did send, the link, has come through).
    expect(smtpMailsTo(p.email, NEW_SIGN_IN)).toHaveLength(0);

    const elsewhere = await logInElsewhere(browser, p, FIREFOX);
    const mail = await smtpMailTo(p.email, NEW_SIGN_IN);
    expect(mail).toContain(`Subject: Tessera: ${NEW_SIGN_IN}`);
    expect(mail).toContain(FIREFOX_NAME);
    expect(mail).toContain("127.0.0.1");
    expect(mail).toContain(`${SUDO_URL}/settings/authentication#sessions`);
    // The link leads to the list, where that browser is the one reading it.
    await elsewhere.goto(`${SUDO_URL}/settings/authentication#sessions`);
    const current = elsewhere
      .getByRole("region", { name: "Sessions", exact: true })
      .locator("li.session")
      .filter({ hasText: "This session" });
    await expect(current).toContainText(FIREFOX_NAME);

    // The same browser again, after logging out: it keeps its device cookie, so no mail.
    await elsewhere.goto("/settings");
    await hydrated(elsewhere);
    await elsewhere.getByRole("button", { name: "User menu" }).click();
    await elsewhere.getByRole("menuitem", { name: "Log out" }).click();
    await expect(elsewhere).toHaveURL(/^[^?#]*\/login$/);
    await hydrated(elsewhere);
    await logIn(elsewhere, p.email, p.password);
    await expect(elsewhere).toHaveURL(/^[^?#]*\/settings$/);
    // A mail queued after that login: the outbox goes out in order, so once it has arrived,
    // a second sign-in mail would have too.
    const asker = await browser.newContext();
    opened.push(asker);
    const reset = await asker.newPage();
    await reset.goto("/password-reset");
    await hydrated(reset);
    await reset.getByLabel("Email").fill(p.email);
    await reset.getByRole("button", { name: "Send reset link" }).click();
    await expect(reset.getByRole("status").filter({ hasText: "If an account exists for that address, we sent a link." })).toBeVisible();
    await smtpMailTo(p.email, "Reset your");
    expect(smtpMailsTo(p.email, NEW_SIGN_IN)).toHaveLength(1);
  });

  test("the wizard says shortly before the password confirmation runs out, and once it has", async ({ page }) => {
    const runsOut =
      "For your security, your password confirmation runs out in less than a second. " +
      "After that, you will be asked for your password again.";
    const ranOut = "Your password confirmation ran out: you will be asked for your password again before the next step.";
    // The warning shows for one second (a quarter of the window): record every text the
    // status takes, rather than hope a poll falls into that second.
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { accessTimer: string[] }).accessTimer = seen;
      new MutationObserver(() => {
        const text = document.querySelector(".access-timer")?.textContent?.trim() ?? "";
        if (text && seen[seen.length - 1] !== text) seen.push(text);
      }).observe(document, { childList: true, subtree: true, characterData: true });
    });
    const seen = () => page.evaluate(() => (window as unknown as { accessTimer: string[] }).accessTimer);

    const p = newPerson("Katherine", "Johnson");
    await signUp(page, p);
    // Straight on, within the 4 seconds the sign-up's password check lasts.
    await page.goto("/settings/authentication?wizard=name");
    await hydrated(page);
    const status = page.locator(".access-timer");
    await expect(status).toHaveAttribute("role", "status");
    await expect(page.getByRole("status").filter({ hasText: ranOut })).toBeVisible({ timeout: 15_000 });
    expect(await seen()).toEqual([runsOut, ranOut]);

    // A page loaded with the window shut has nothing to warn about.
    await page.reload();
    await hydrated(page);
    await page.waitForTimeout(2_000);
    await expect(status).toBeEmpty();
    expect(await seen()).toEqual([]);
  });
});

test.describe("on the server whose sessions end after one idle minute", () => {
  test.use({ baseURL: IDLE_URL });

  test("the page warns before the idle timeout, and “Stay signed in” keeps the session", async ({ page }) => {
    // The warning comes 15 seconds (a quarter of the timeout) before the end, after about 45
    // seconds without activity, by the server's clock.
    test.setTimeout(180_000);
    const p = newPerson("Dorothy", "Vaughan");
    await signUp(page, p);
    await hydrated(page);
    // The live region is on the page, empty, before it speaks: screen readers announce what
    // then appears in it.
    const timer = page.locator(".session-timer");
    await expect(timer).toHaveAttribute("role", "status");
    await expect(timer).toBeEmpty();

    const warning = page.getByRole("status").filter({ hasText: "Your session ends in" });
    await expect(warning).toHaveText(/Your session ends in less than 15 seconds because of inactivity\./, {
      timeout: 70_000,
    });
    const stay = warning.getByRole("button", { name: "Stay signed in" });
    await expect(stay).toBeVisible();
    await stay.click();
    await expect(page.getByRole("button", { name: "Stay signed in" })).toHaveCount(0);
    await expect(timer).toBeEmpty();

    // Past the minute the session had without the click: only "Stay signed in" kept it. The
    // page stays quiet meanwhile (its next warning is 45 seconds after the click).
    await page.waitForTimeout(20_000);
    await expect(timer).toBeEmpty();
    await page.reload();
    await expect(page).toHaveURL(/^[^?#]*\/settings$/);
    await expect(page.getByRole("heading", { name: "User Settings" })).toBeVisible();
    await expect(page.getByText("Your session has ended because of inactivity.")).toHaveCount(0);
  });
});

test("the Security log has its own section, with wrong passwords and sign-ins and their browser", async ({
  page,
  browser,
}) => {
  const p = newPerson("Mary", "Jackson");
  await signUp(page, p);

  const context = await browser.newContext({ userAgent: FIREFOX });
  opened.push(context);
  const other = await context.newPage();
  await other.goto("/login");
  await hydrated(other);
  await logIn(other, p.email, "not my password at all");
  await expect(other.getByText("Incorrect email or password.")).toBeVisible();
  await logIn(other, p.email, p.password);
  await expect(other).toHaveURL(/^[^?#]*\/settings$/);

  await other.goto("/settings/authentication#security-log");
  const log = other.getByRole("region", { name: "Security log", exact: true });
  await expect(log).toBeVisible();
  await expect(
    other.getByRole("region", { name: "Two-factor authentication" }).getByRole("heading", { name: "Security log" }),
  ).toHaveCount(0);
  await expect(log.getByRole("columnheader")).toHaveText(["When", "What", "Browser", "Address"]);

  const rows = log.locator("tbody tr");
  const what = (text: string) => rows.filter({ has: other.getByRole("cell", { name: text, exact: true }) });
  const failed = what("Wrong password at sign-in");
  await expect(failed).toHaveCount(1);
  await expect(failed.getByRole("cell").nth(2)).toHaveText(FIREFOX_NAME);
  await expect(failed.getByRole("cell").nth(3)).toHaveText("127.0.0.1");
  // The sign-up signed in too, in the test's own browser.
  const signedIn = what("Signed in (password)");
  await expect(signedIn).toHaveCount(2);
  await expect(signedIn.first().getByRole("cell").nth(2)).toHaveText(FIREFOX_NAME);
  await expect(signedIn.last().getByRole("cell").nth(2)).toHaveText(/^Chrome \d+/);
  // Newest first.
  const whats = await rows.locator("td:nth-child(2)").allTextContents();
  expect(whats.slice(0, 2)).toEqual(["Signed in (password)", "Wrong password at sign-in"]);
  await expect(log.getByRole("link", { name: "Older events" })).toHaveCount(0);
});
