import { expect, test } from "@playwright/test";
import { fillSignup, holdScripts, hydrated, logIn, newPerson, signUp } from "./helpers";

test("a person signs up, edits the profile and preferences, changes the password, logs out and in", async ({ page }) => {
  const p = newPerson();
  await page.goto("/signup");
  await hydrated(page);

  // The strength meter follows the typing.
  const password = page.getByLabel("Password", { exact: true });
  await password.pressSequentially("password1234");
  await expect(page.getByText(/^Strength: (Too weak|Weak)/)).toBeVisible();
  await password.fill(p.password);
  await expect(page.getByText(/^Strength: (Strong|Very strong)$/)).toBeVisible();

  // Bad input: a message next to the field, and what was typed stays.
  await page.getByLabel("First name").fill(p.first);
  await page.getByLabel("Last name").fill(p.last);
  await page.getByLabel("Email").fill("ada@");
  await page.getByLabel("Mobile number").fill(p.mobile);
  await page.getByLabel("Confirm password").fill(p.password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.locator("#email-error")).toHaveText("Enter an email address like name@example.com.");
  await expect(page.getByRole("alert").first()).toContainText("Please correct the highlighted fields.");
  await expect(page.getByLabel("First name")).toHaveValue(p.first);
  await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");

  await page.getByLabel("Email").fill(p.email);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/^[^?#]*\/settings$/);
  await expect(page.getByRole("heading", { name: "User Settings" })).toBeVisible();

  // Email and mobile are shown, read-only.
  await expect(page.getByLabel("Email")).toHaveValue(p.email);
  await expect(page.getByLabel("Email")).toHaveAttribute("readonly", "");
  await expect(page.getByLabel("Mobile number")).toHaveValue(/^\+49151\d{8}$/);
  await expect(page.getByText("Your email is not changeable.")).toBeVisible();

  // The circle shows the initials; renaming updates it without a reload.
  const menuButton = page.getByRole("button", { name: "User menu" });
  await expect(menuButton).toHaveText("AL");
  await page.getByLabel("First name").fill("Grace");
  await page.getByLabel("Last name").fill("Hopper");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Profile saved." })).toBeVisible();
  await expect(menuButton).toHaveText("GH");
  await page.getByLabel("First name").fill("");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.locator("#first_name-error")).toHaveText("Enter your first name.");
  // A refused save keeps what was typed rather than refilling the stored name.
  await expect(page.getByLabel("First name")).toHaveValue("");

  // Change the password on the Authentication page, reached through the user menu.
  await menuButton.click();
  await page.getByRole("menuitem", { name: "Authentication" }).click();
  await expect(page).toHaveURL(/^[^?#]*\/settings\/authentication$/);
  await hydrated(page);
  await page.getByLabel("Current password").fill("not my password at all");
  await page.getByLabel("New password", { exact: true }).fill("marble orchard hums at dusk");
  await page.getByLabel("Confirm new password").fill("marble orchard hums at dusk");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.locator("#current_password-error")).toHaveText("Your current password is not correct.");
  await page.getByLabel("Current password").fill(p.password);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Your password was changed." })).toBeVisible();
  await expect(page.getByLabel("Current password")).toHaveValue("");

  // Log out from the menu; the settings are gone; log in with the new password.
  await menuButton.click();
  await page.getByRole("menuitem", { name: "Log out" }).click();
  await expect(page).toHaveURL(/^[^?#]*\/login$/);
  await page.goto("/settings");
  await expect(page).toHaveURL(/^[^?#]*\/login\?next=\/settings$/);
  await hydrated(page);
  await logIn(page, p.email, p.password);
  await expect(page.getByRole("alert").first()).toHaveText("Incorrect email or password.");
  await logIn(page, p.email, "marble orchard hums at dusk");
  await expect(page).toHaveURL(/^[^?#]*\/settings$/);
  await expect(page.getByLabel("First name")).toHaveValue("Grace");
});

test("the preview follows every keystroke and matches what the server shows after saving", async ({ page }) => {
  await signUp(page, newPerson());
  await hydrated(page);
  const zone = page.getByRole("combobox", { name: "Display timezone" });
  const sample = page.getByTestId("preview-sample");
  await expect(sample).toHaveText("2026-07-14 16:45 (UTC+00:00)");

  // Filtered as you type.
  await zone.fill("");
  await zone.pressSequentially("kathm");
  await expect(page.getByRole("option", { name: "Asia/Kathmandu" })).toBeVisible();
  await expect(page.getByText("Choose a known time zone to see the preview.")).toBeVisible();
  await page.getByRole("option", { name: "Asia/Kathmandu" }).click();
  await expect(zone).toHaveValue("Asia/Kathmandu");
  await expect(sample).toHaveText("2026-07-14 22:30 (UTC+05:45)");

  // Typing a full name updates the preview at the last keystroke, before anything is saved.
  await zone.fill("");
  await zone.pressSequentially("Europe/Berlin");
  await expect(sample).toHaveText("2026-07-14 18:45 (UTC+02:00)");
  await page.getByLabel("Date format").selectOption("d mon yyyy");
  await expect(sample).toHaveText("14 Jul 2026 18:45 (UTC+02:00)");
  await page.getByLabel("Time format").selectOption("12h-seconds");
  await expect(sample).toHaveText("14 Jul 2026 6:45:30 PM (UTC+02:00)");
  await expect(page.getByTestId("preview-now")).toContainText(/\d{1,2}:\d{2}:\d{2} (AM|PM) \(UTC\+0[12]:00\)/);

  // An unknown zone is refused next to the field.
  await zone.fill("Mars/Phobos");
  await zone.press("Escape");
  await expect(page.locator("#timezone-error")).toContainText("Not a time zone we know");
  await page.getByRole("button", { name: "Save preferences" }).click();
  await expect(page.locator("#timezone-error")).toContainText("“Mars/Phobos” is not a time zone we know");

  await zone.fill("Europe/Berlin");
  const previewed = await sample.textContent();
  await page.getByRole("button", { name: "Save preferences" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Preferences saved." })).toBeVisible();
  // The server renders the same text, and every other time on the page in the same way.
  await page.reload();
  await expect(sample).toHaveText(previewed!);
  await expect(page.getByTestId("member-since")).toHaveText(/^\d{1,2} [A-Z][a-z]{2} \d{4} \d{1,2}:\d{2}:\d{2} (AM|PM) \(UTC\+0[12]:00\)$/);
});

test("the browser's preview formatting equals the independent rendering for DST edges", async ({ page }) => {
  const cases = (await import("../fixtures/time-cases.json", { with: { type: "json" } })).default as Array<{
    zone: string; unix: number; date_format: string; time_format: string; expected: string;
  }>;
  await page.goto("/login");
  await hydrated(page);
  const rendered = await page.evaluate(async (cases) => {
    // The module the page already loaded: the same WASM the preview runs.
    const wasm: any = await import("/pkg/tessera.js" as string);
    return cases.map((c) => wasm.format_in_zone(c.zone, c.unix, c.date_format, c.time_format));
  }, cases);
  expect(rendered).toEqual(cases.map((c) => c.expected));
  const unknown = await page.evaluate(async () => {
    const wasm: any = await import("/pkg/tessera.js" as string);
    return wasm.format_in_zone("Mars/Phobos", 0, "iso", "24h") ?? null;
  });
  expect(unknown).toBeNull();
});

test("the user menu works with the keyboard", async ({ page }) => {
  await signUp(page, newPerson("Katherine", "Johnson"));
  await hydrated(page);
  const button = page.getByRole("button", { name: "User menu" });
  await expect(button).toHaveAttribute("aria-haspopup", "menu");
  await button.focus();
  await page.keyboard.press("Enter");
  await expect(button).toHaveAttribute("aria-expanded", "true");
  await expect(page.getByRole("menuitem", { name: "User Settings" })).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("menuitem", { name: "Authentication" })).toBeFocused();
  await page.keyboard.press("End");
  await expect(page.getByRole("menuitem", { name: "Log out" })).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("menuitem", { name: "User Settings" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(button).toHaveAttribute("aria-expanded", "false");
  await expect(button).toBeFocused();
  await expect(page.getByRole("menuitem", { name: "Accounts" })).toBeHidden();

  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("menuitem", { name: "SSH Keys" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/^[^?#]*\/settings\/ssh-keys$/);
  await expect(page.getByRole("heading", { name: "SSH Keys" })).toBeVisible();
  await button.click();
  await page.getByRole("menuitem", { name: "Accounts" }).click();
  await expect(page.getByRole("heading", { name: "Accounts", level: 1 })).toBeVisible();
});

test("a user menu opened before the page's code arrives stays open when it does", async ({ page }) => {
  await signUp(page, newPerson("Grace", "Hopper"));
  await hydrated(page);
  const release = await holdScripts(page);
  await page.reload();
  // Without its code the menu opens while it has focus.
  await page.getByRole("button", { name: "User menu" }).click();
  const logOut = page.getByRole("menuitem", { name: "Log out" });
  await expect(logOut).toBeVisible();
  await release();
  await hydrated(page);
  // The island takes over what the person opened: the menu neither closes nor flickers shut.
  await expect(page.getByRole("button", { name: "User menu" })).toHaveAttribute("aria-expanded", "true");
  await expect(logOut).toBeVisible();
  await logOut.click();
  await expect(page).toHaveURL(/^[^?#]*\/login$/);
});

test("a form refused before its island loaded comes back as typed, and the page after it has its scripts again", async ({ page }) => {
  const p = newPerson("Katherine", "Johnson");
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  const release = await holdScripts(page);
  await page.goto("/signup", { waitUntil: "commit" });
  await fillSignup(page, { ...p, mobile: "12345" });
  // What the pages from here on ask for (this one's own requests are already out).
  const wasm: string[] = [];
  page.on("request", (r) => {
    if (r.url().endsWith(".wasm")) wasm.push(r.url());
  });
  // Sent before the island could take it over: a plain post, refused.
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.locator("#mobile-error")).toHaveText(/^Start with \+ and the country code/);
  await release();
  // The page showing the refusal is the server's alone: it loads no island code, which could
  // not take the refusal over, so nothing fails and what was typed stays.
  await page.waitForLoadState("networkidle");
  await expect(page.locator("body[data-hydrated]")).toHaveCount(0);
  expect(wasm).toEqual([]);
  await expect(page.getByLabel("Email")).toHaveValue(p.email);
  await expect(page.getByLabel("Mobile number")).toHaveValue("12345");
  await page.getByLabel("Mobile number").fill(p.mobile);
  await page.getByLabel("Password", { exact: true }).fill(p.password);
  await page.getByLabel("Confirm password").fill(p.password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/^[^?#]*\/settings$/);
  await hydrated(page);
  expect(wasm.length).toBeGreaterThan(0);
  expect(errors).toEqual([]);
});

test("signed-out visitors log in and come back where they were going", async ({ page, context }) => {
  const p = newPerson("Hedy", "Lamarr");
  await signUp(page, p);
  await context.clearCookies();
  await page.goto("/settings/authentication");
  await expect(page).toHaveURL(/^[^?#]*\/login\?next=\/settings\/authentication$/);
  await hydrated(page);
  await logIn(page, p.email, p.password);
  await expect(page).toHaveURL(/^[^?#]*\/settings\/authentication$/);
  await expect(page.getByRole("heading", { name: "Change password" })).toBeVisible();
});

test("the dark theme is remembered in the browser", async ({ page }) => {
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const [light, dark] = ["rgb(246, 247, 249)", "rgb(20, 22, 26)"];
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto("/login");
  await hydrated(page);
  expect(await background()).toBe(light);
  const toggle = page.getByRole("button", { name: "Dark theme" });
  await toggle.click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect(toggle).toHaveAttribute("aria-pressed", "true");
  expect(await background()).toBe(dark);
  await page.reload();
  await hydrated(page);
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  expect(await background()).toBe(dark);
  await page.getByRole("button", { name: "Dark theme" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
  // The person's choice stands against the system's.
  await page.emulateMedia({ colorScheme: "dark" });
  expect(await background()).toBe(light);
});

test.describe("with the system set to dark", () => {
  test.use({ colorScheme: "dark" });

  test("without a choice, the system's dark setting applies", async ({ page }) => {
    await page.goto("/login");
    await hydrated(page);
    await expect(page.getByRole("button", { name: "Dark theme" })).toHaveAttribute("aria-pressed", "true");
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe("rgb(20, 22, 26)");
  });
});

test("a form sends the same fields with JavaScript as without it", async ({ browser }) => {
  const sent: string[] = [];
  for (const javaScriptEnabled of [false, true]) {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    // Caught before the server: only what the browser sends is compared.
    let posted!: () => void;
    const caught = new Promise<void>((resolve) => (posted = resolve));
    await page.route("**/api/login", async (route) => {
      sent.push(route.request().postData() ?? "");
      await route.abort();
      posted();
    });
    await page.goto("/login?next=/settings/ssh-keys");
    if (javaScriptEnabled) await hydrated(page);
    await page.getByLabel("Email").fill("ada@example.com");
    await page.getByLabel("Password").fill("violet tractor & co");
    await page.getByRole("button", { name: "Log in" }).click();
    await caught;
    await context.close();
  }
  expect(sent[0]).toBe("next=%2Fsettings%2Fssh-keys&email=ada%40example.com&password=violet+tractor+%26+co");
  expect(sent[1]).toBe(sent[0]);
});

// A bundle that fails to arrive (a proxy that drops it, a deploy in between) leaves its
// island's files to the network, one by one: the page still becomes interactive, where a lazy
// island whose code fails to load would stop the page's WASM.
test("an island whose bundle fails to arrive loads its code file by file", async ({ page }) => {
  await page.route("**/pkg/bundle_*.wasm", (route) => route.abort());
  const files: string[] = [];
  page.on("request", (request) => {
    const file = new URL(request.url()).pathname;
    if (/^\/pkg\/(chunk|split)_.*\.wasm$/.test(file)) files.push(file);
  });
  await page.goto("/login");
  await hydrated(page);
  expect(files.filter((file) => file.startsWith("/pkg/split_login_form_loader_"))).toHaveLength(1);
  expect(files.filter((file) => file.startsWith("/pkg/split_passkey_sign_in_loader_"))).toHaveLength(1);
  await logIn(page, "nobody@example.com", "not the password");
  await expect(page.getByRole("alert").filter({ hasText: "Incorrect email or password." })).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
});

// Each page names, in its head, the WASM its islands load, so that the browser fetches it
// with the main module: every WASM file the page fetches is one it named, fetched once, and
// it names nothing it does not use. Each lazy island's code comes in one file (its bundle),
// not one per chunk: on a phone network every file is a round trip. Islands a page always
// shows together share one bundle, so the code they share comes once.
test("a page preloads exactly the code its islands load, one file per island or group", async ({ browser }) => {
  // A signed-out visitor's login page (the login form and the passkey sign-in), and a
  // signed-in person's Authentication page (the password section, the Resend form of the
  // notice that the address is not confirmed yet, and, since they are signed in elsewhere
  // too, the Sessions list's two sign-out islands), each in a browser of its own.
  const visitor = await browser.newPage();
  const person = await browser.newPage();
  const mary = newPerson("Mary", "Jackson");
  await signUp(person, mary);
  const elsewhere = await browser.newPage();
  await elsewhere.goto("/login");
  await hydrated(elsewhere);
  await logIn(elsewhere, mary.email, mary.password);
  await expect(elsewhere).toHaveURL(/^[^?#]*\/settings$/);
  await elsewhere.context().close();
  for (const [page, path, islands] of [
    [visitor, "/login", ["login_form", "passkey_sign_in"]],
    [person, "/settings/authentication", ["change_password_section", "end_one+end_others", "resend_form"]],
  ] as const) {
    const fetched: string[] = [];
    page.on("request", (request) => {
      const file = new URL(request.url()).pathname;
      if (file.endsWith(".wasm")) fetched.push(file);
    });
    await page.goto(path);
    await hydrated(page);
    await page.waitForLoadState("networkidle");
    const named = await page
      .locator('head link[rel="preload"][as="fetch"]')
      .evaluateAll((links) => links.map((l) => new URL((l as HTMLLinkElement).href).pathname));
    // The main module, then one bundle per lazy island or group, named by its islands.
    const bundles = named.filter((file) => file !== "/pkg/tessera.wasm").sort();
    expect(named, path).toContain("/pkg/tessera.wasm");
    expect(bundles.map((file) => file.replace(/^\/pkg\/bundle_(.*?)(_loader_\d+)?\.wasm$/, "$1")), path).toEqual(islands);
    expect([...fetched].sort(), path).toEqual([...named].sort());
    await page.context().close();
  }
});
