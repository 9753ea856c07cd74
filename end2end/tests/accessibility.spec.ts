import AxeBuilder from "@axe-core/playwright";
import { Browser, expect, Page, test } from "@playwright/test";
import {
  earlyInStep,
  hydrated,
  joinFromInvitation,
  keygen,
  linkIn,
  logIn,
  mailTo,
  newPerson,
  Person,
  signUp,
  totp,
  wrongCode,
} from "./helpers";

/**
 * axe-core with the WCAG 2.0, 2.1 and 2.2 A and AA rules, and one rule axe marks experimental:
 * `label-content-name-mismatch` (2.5.3, a control's name contains what it shows), which speech
 * input depends on. No rule is excluded, and any violation fails, whatever its impact.
 */
async function violations(page: Page, state: string): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .options({
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"] },
      rules: { "label-content-name-mismatch": { enabled: true } },
    })
    .analyze();
  // What axe could not decide (a colour behind an overlapping element, say) fails too: a
  // check that passes by not looking is no check.
  return [...results.violations, ...results.incomplete].map(
    (v) =>
      `${state}: ${v.id} (${v.impact ?? "undecided"}) ${v.help}\n` +
      v.nodes.map((n) => `    ${n.target.join(" ")}: ${n.failureSummary?.replace(/\n/g, " ")}`).join("\n"),
  );
}

const BACKGROUND = { light: "rgb(246, 247, 249)", dark: "rgb(20, 22, 26)" };

for (const theme of ["light", "dark"] as const) {
  test.describe(`in the ${theme} theme`, () => {
    test.use({ colorScheme: theme });

    test("every page state passes axe's WCAG 2.2 A and AA checks", async ({ page, browser }) => {
      test.setTimeout(120_000);
      const found: string[] = [];
      const check = async (state: string) => {
        // The theme is the one this run means to check.
        expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(BACKGROUND[theme]);
        found.push(...(await violations(page, state)));
      };

      // Sign-up and login, each with an error shown.
      const p = newPerson();
      await page.goto("/signup");
      await hydrated(page);
      // First, that the check sees what it is for: a button named only "User menu" showing
      // "AL" (how the user menu was), and grey on grey.
      await page.evaluate(() => {
        const probe = document.createElement("div");
        probe.id = "axe-probe";
            probe.innerHTML =
          '<button aria-label="User menu"><span aria-hidden="true">AL</span></button>' +
          '<p>Faint</p>';
        // Through the CSSOM: the page's style policy refuses inline style attributes.
        Object.assign(probe.querySelector("p")!.style, { color: "#999", background: "#aaa" });
        document.querySelector("form")!.after(probe);
      });
      const seen = (await violations(page, "probe")).map((v) => v.split(" ")[1]);
      expect(seen).toEqual(expect.arrayContaining(["label-content-name-mismatch", "color-contrast"]));
      await page.evaluate(() => document.getElementById("axe-probe")!.remove());
      await page.getByLabel("Email").fill("not an address");
      await page.getByRole("button", { name: "Sign up" }).click();
      await expect(page.locator(".field-invalid").first()).toBeVisible();
      await check("/signup with errors");
      await page.goto("/login");
      await hydrated(page);
      await logIn(page, p.email, "not the password");
      await expect(page.getByRole("alert").filter({ hasText: "Incorrect email or password." })).toBeVisible();
      await check("/login with an error");

      await signUp(page, p);
      await hydrated(page);
      await check("/settings (address not confirmed)");
      await page.goto(linkIn(await mailTo(p.email, "Confirm your email address"), "/verify-email/"));
      await hydrated(page);
      await page.getByRole("button", { name: "Confirm email address" }).click();
      await expect(page).toHaveURL(/^[^?#]*\/settings\?done=email-confirmed$/);
      await hydrated(page);
      await check("/settings");

      // Authentication: off, each step of the wizard, on with a device and recovery codes.
      await page.goto("/settings/authentication");
      await hydrated(page);
      await check("/settings/authentication");
      await page.getByRole("link", { name: "Enable Two-factor authentication" }).click();
      await expect(page).toHaveURL(/wizard=name/);
      await hydrated(page);
      await page.getByRole("button", { name: "Confirm", exact: true }).click();
      await expect(page.locator("#name-error")).not.toBeEmpty();
      await check("wizard: name, refused");
      await page.getByLabel("Device name").fill("Phone");
      await page.getByRole("button", { name: "Confirm", exact: true }).click();
      await expect(page.getByRole("img", { name: "QR code" })).toBeVisible();
      await check("wizard: scan");
      const key = (await page.locator("#setup-key").textContent())!.trim();
      await page.getByRole("link", { name: "Next" }).click();
      await earlyInStep();
      await page.getByLabel("Code", { exact: true }).fill(wrongCode(key));
      await page.getByRole("button", { name: "Finish" }).click();
      await expect(page.locator("#code-error")).toContainText("That code is not correct.");
      await check("wizard: confirm, refused");
      await page.getByLabel("Code", { exact: true }).fill(totp(key, Date.now() / 1000 - 30));
      await page.getByRole("button", { name: "Finish" }).click();
      await expect(page.getByRole("list", { name: "Your recovery codes" })).toBeVisible();
      await check("wizard: done, with recovery codes");
      await page.getByRole("link", { name: "Done" }).click();
      await hydrated(page);
      const device = page.locator(".device").filter({ hasText: "Phone" });
      await device.getByText("Rename", { exact: true }).click();
      await device.getByText("Remove", { exact: true }).click();
      await expect(device.getByRole("button", { name: "Remove device" })).toBeVisible();
      await check("/settings/authentication, two-factor on, Rename and Remove open");

      // The login's code step.
      await page.getByRole("button", { name: "User menu" }).click();
      await page.getByRole("menuitem", { name: "Log out" }).click();
      await expect(page).toHaveURL(/\/login/);
      await hydrated(page);
      await logIn(page, p.email, p.password);
      await expect(page.getByLabel("Authentication code")).toBeVisible();
      await hydrated(page);
      await check("/login/two-factor");
      await page.getByLabel("Authentication code").fill(totp(key));
      await page.getByRole("button", { name: "Verify" }).click();
      await expect(page).toHaveURL(/^[^?#]*\/settings$/);

      // SSH Keys with a key and a refused one.
      await page.goto("/settings/ssh-keys");
      await hydrated(page);
      await page.getByLabel("Key", { exact: true }).fill(keygen("ed25519").line);
      await page.getByRole("button", { name: "Add SSH key" }).click();
      await expect(page.getByRole("status").filter({ hasText: "SSH key added." })).toBeVisible();
      await page.getByLabel("Key", { exact: true }).fill(keygen("rsa", 1024).line);
      await page.getByRole("button", { name: "Add SSH key" }).click();
      await expect(page.locator("#key-error")).toContainText("at least 2048");
      await check("/settings/ssh-keys, a key and a refused key");

      // Accounts: the list, an account as Owner with an invitation out, then as Member.
      await page.goto("/accounts");
      await hydrated(page);
      await check("/accounts");
      await page.getByRole("link", { name: `${p.first} ${p.last}` }).click();
      await expect(page.getByText("Your role: Owner")).toBeVisible();
      await hydrated(page);
      const guest = newPerson("Grace", "Hopper");
      await page.getByLabel("Email", { exact: true }).fill(guest.email);
      await page.getByRole("button", { name: "Send invitation" }).click();
      await expect(page.getByRole("status").filter({ hasText: "Invitation mailed" })).toBeVisible();
      await check("/accounts/:id as Owner");
      await page.goto("/workspaces");
      await check("/workspaces");

      found.push(...(await asMember(browser, guest, theme)));
      expect(found, found.join("\n")).toEqual([]);
    });

    test.describe("on the server with a 4-second password window", () => {
      // Started by .ci/test with APP_SECURITY_REAUTH_SECONDS=4.
      test.use({ baseURL: process.env.E2E_SUDO_URL ?? "http://127.0.0.1:3002" });

      test("the password question passes axe's checks", async ({ page }) => {
        await signUp(page, newPerson());
        await page.waitForTimeout(5_000);
        await page.goto("/settings/authentication?wizard=name");
        await hydrated(page);
        await page.getByLabel("Device name").fill("Phone");
        await page.getByRole("button", { name: "Confirm", exact: true }).click();
        await expect(page.getByRole("heading", { name: "Confirm access" })).toBeVisible();
        await page.getByRole("button", { name: "Continue" }).click();
        await expect(page.locator("#password-error")).not.toBeEmpty();
        const found = await violations(page, "the password question, refused");
        expect(found, found.join("\n")).toEqual([]);
      });
    });
  });
}

/** The invitation's landing page, then the account's page as a Member. */
async function asMember(browser: Browser, guest: Person, theme: "light" | "dark") {
  const context = await browser.newContext({ colorScheme: theme });
  const page = await context.newPage();
  const found: string[] = [];
  await joinFromInvitation(page, guest, async () => {
    found.push(...(await violations(page, "the invitation")));
  });
  await hydrated(page);
  found.push(...(await violations(page, "/accounts/:id as Member")));
  await context.close();
  return found;
}

/** WCAG's contrast ratio of two computed colours (`rgb(r, g, b)`). */
function contrast(a: string, b: string): number {
  const luminance = (color: string) => {
    const [r, g, bl] = color.match(/[\d.]+/g)!.slice(0, 3).map((c) => {
      const v = Number(c) / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

for (const theme of ["light", "dark"] as const) {
  test.describe(`in the ${theme} theme`, () => {
    test.use({ colorScheme: theme });

    test("field borders and the focus ring stand out 3:1 from what is around them", async ({ page }) => {
      await signUp(page, newPerson());
      await hydrated(page);
      for (const path of ["/settings", "/settings/ssh-keys"]) {
        await page.goto(path);
        await hydrated(page);
        // Each field's border against its own background and against the panel around it.
        const fields = await page.evaluate(() => {
          const background = (el: Element | null): string => {
            for (; el; el = el.parentElement) {
              const c = getComputedStyle(el).backgroundColor;
              if (c !== "rgba(0, 0, 0, 0)" && c !== "transparent") return c;
            }
            return getComputedStyle(document.documentElement).backgroundColor;
          };
          return [...document.querySelectorAll("input:not([type=hidden]):not([readonly]), select, textarea")]
            .filter((el) => (el as HTMLElement).offsetParent !== null)
            .map((el) => ({
              id: el.id,
              border: getComputedStyle(el).borderTopColor,
              inside: background(el),
              around: background(el.parentElement),
            }));
        });
        expect(fields.length).toBeGreaterThan(1);
        for (const f of fields) {
          expect(contrast(f.border, f.inside), `${path} #${f.id} border on its background`).toBeGreaterThanOrEqual(3);
          expect(contrast(f.border, f.around), `${path} #${f.id} border on the panel`).toBeGreaterThanOrEqual(3);
        }
        // The focus ring, reached by Tab, against the page and the panel.
        await page.keyboard.press("Tab");
        const ring = await page.evaluate(() => {
          const el = document.activeElement!;
          const style = getComputedStyle(el);
          return { color: style.outlineColor, width: parseFloat(style.outlineWidth), style: style.outlineStyle };
        });
        expect(ring.style).not.toBe("none");
        expect(ring.width).toBeGreaterThanOrEqual(2);
        for (const bg of [BACKGROUND[theme], theme === "light" ? "rgb(255, 255, 255)" : "rgb(29, 32, 37)"]) {
          expect(contrast(ring.color, bg), `focus ring on ${bg}`).toBeGreaterThanOrEqual(3);
        }
      }
    });
  });
}

test.describe("with reduced motion asked for", () => {
  test.use({ reducedMotion: "reduce" });

  test("nothing moves: no animation or transition on any element", async ({ page }) => {
    await signUp(page, newPerson());
    await hydrated(page);
    await page.getByRole("button", { name: "User menu" }).click();
    await expect(page.getByRole("menu")).toBeVisible();
    const moving = await page.evaluate(() =>
      [...document.querySelectorAll("*")]
        .filter((el) => {
          const s = getComputedStyle(el);
          return s.animationName !== "none" || s.transitionDuration.split(",").some((d) => parseFloat(d) > 0);
        })
        .map((el) => el.tagName + (el.className ? `.${el.className}` : "")),
    );
    expect(moving).toEqual([]);
    expect(await page.evaluate(() => document.getAnimations().length)).toBe(0);
  });
});

/** Records each text a live region gets, from now on. */
async function watchRegion(page: Page, selector: string) {
  await page.evaluate((selector) => {
    const region = document.querySelector(selector)!;
    const w = window as unknown as { said: string[] };
    w.said = [];
    new MutationObserver(() => w.said.push(region.textContent ?? "")).observe(region, {
      childList: true,
      characterData: true,
      subtree: true,
    });
  }, selector);
  return () => page.evaluate(() => (window as unknown as { said: string[] }).said);
}

test("the strength meter and the preview are announced politely, not on every keystroke", async ({ page }) => {
  await page.goto("/signup");
  await hydrated(page);
  const meter = page.locator(".strength [aria-live=polite]");
  await expect(meter).toHaveCount(1);
  const said = await watchRegion(page, ".strength [aria-live=polite]");
  const password = "violet tractor wanders quietly";
  await page.getByLabel("Password", { exact: true }).pressSequentially(password, { delay: 80 });
  await expect(meter).toHaveText(/^Password strength: \S+/);
  await page.waitForTimeout(500);
  const readings = await said();
  // Each announcement is a change of words, far fewer than the keystrokes.
  expect(readings.length).toBeGreaterThan(0);
  expect(readings.length).toBeLessThan(password.length / 3);
  for (let i = 1; i < readings.length; i++) expect(readings[i]).not.toBe(readings[i - 1]);

  await signUp(page, newPerson());
  await hydrated(page);
  const preview = page.getByTestId("preview-announced");
  await expect(preview).toHaveAttribute("aria-live", "polite");
  const previewed = await watchRegion(page, "[data-testid=preview-announced]");
  const zone = page.getByRole("combobox", { name: "Display timezone" });
  await zone.fill("");
  await zone.pressSequentially("Europe/Berlin", { delay: 80 });
  // Nothing while typing; once the person pauses, the preview is read once.
  expect(await previewed()).toEqual([]);
  await expect(preview).toHaveText(/^Preview: now .*; sample 2026-07-14 18:45 \(UTC\+02:00\)$/);
  await page.waitForTimeout(1_500);
  expect(await previewed()).toHaveLength(1);
});

test("the user menu's name includes the initials it shows", async ({ page }) => {
  await signUp(page, newPerson("Ada", "Lovelace"));
  await expect(page.getByRole("button", { name: "AL User menu", exact: true })).toBeVisible();
});
