import { expect, Page, Route } from "@playwright/test";
import { createHmac } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const STRONG_PASSWORD = "violet tractor wanders quietly";

export interface Person {
  first: string;
  last: string;
  email: string;
  mobile: string;
  password: string;
}

/** A new person per test: the browser tests share one database. */
export function newPerson(first = "Ada", last = "Lovelace"): Person {
  const id = `${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  const digits = id.slice(-8).padStart(8, "0");
  return {
    first,
    last,
    email: `${first.toLowerCase()}.${id}@example.com`,
    mobile: `+49 151 ${digits}`,
    password: STRONG_PASSWORD,
  };
}

/** Resolves once the WASM has hydrated the page (the app marks <body>). */
export async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1, { timeout: 30_000 });
}

export async function fillSignup(page: Page, p: Person) {
  await page.getByLabel("First name").fill(p.first);
  await page.getByLabel("Last name").fill(p.last);
  await page.getByLabel("Email").fill(p.email);
  await page.getByLabel("Mobile number").fill(p.mobile);
  await page.getByLabel("Password", { exact: true }).fill(p.password);
  await page.getByLabel("Confirm password").fill(p.password);
}

export async function signUp(page: Page, p: Person, opts: { js: boolean } = { js: true }) {
  await page.goto("/signup");
  if (opts.js) await hydrated(page);
  await fillSignup(page, p);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByRole("heading", { name: "User Settings" })).toBeVisible();
}

export async function logIn(page: Page, email: string, password: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

/**
 * The code an authenticator app shows for `key` (base32, spaces allowed) at Unix time `at`:
 * RFC 6238 with SHA-1, 6 digits and 30-second steps, written here independently of the
 * product's Rust implementation.
 */
export function totp(key: string, at = Date.now() / 1000): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of key.replace(/\s+/g, "").toUpperCase()) {
    const value = alphabet.indexOf(c);
    if (value < 0) throw new Error(`not base32: ${c}`);
    bits += value.toString(2).padStart(5, "0");
  }
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30)));
  const mac = createHmac("sha1", Buffer.from(bytes)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const number =
    (((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3]) %
    1_000_000;
  return number.toString().padStart(6, "0");
}

/** A well-formed code that is not the current one for `key`. */
export function wrongCode(key: string): string {
  return ((Number(totp(key)) + 1) % 1_000_000).toString().padStart(6, "0");
}

/** Waits until at least 8 s remain in the current 30-second step. */
export async function earlyInStep() {
  const into = (Date.now() / 1000) % 30;
  if (into > 22) await new Promise((r) => setTimeout(r, (30.5 - into) * 1000));
}

/**
 * The newest mail the server wrote to `to` whose subject contains `subject`, waiting for the
 * server's mail worker. The test servers have no SMTP relay, so every mail is an `.eml` file
 * in their mail folder (`E2E_MAIL_DIR`, set by `.ci/test`).
 */
export async function mailTo(to: string, subject: string, dir = process.env.E2E_MAIL_DIR): Promise<string> {
  if (!dir) throw new Error("E2E_MAIL_DIR is not set: run the browser tests through .ci/test");
  for (let i = 0; i < 100; i++) {
    const files = existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith(".eml"))
          .sort((a, b) => parseInt(b, 10) - parseInt(a, 10))
      : [];
    for (const file of files) {
      const text = readFileSync(join(dir, file), "utf8");
      const subjectLine = text.split("\r\n").find((l) => l.startsWith("Subject: ")) ?? "";
      if (text.includes(`To: ${to}\r\n`) && subjectLine.includes(subject)) return text;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no mail to ${to} about "${subject}" in ${dir}`);
}

/** The absolute link to `path` (e.g. "/verify-email/") in a mail. */
export function linkIn(mail: string, path: string): string {
  const escaped = path.replace(/[/.]/g, "\\$&");
  const found = mail.match(new RegExp(`https?://[^\\s/]+${escaped}[0-9a-f]{64}`));
  if (!found) throw new Error(`no ${path} link in:\n${mail}`);
  return found[0];
}

/** The codes in the page's "Your recovery codes" list, once it shows. */
export async function recoveryCodesOn(page: Page): Promise<string[]> {
  const list = page.getByRole("list", { name: "Your recovery codes" });
  await expect(list).toBeVisible();
  return list.locator("code").allTextContents();
}

/**
 * Holds back every script and WASM file of `page` until the returned function is called: the
 * pages show, but no island loads, as on a slow connection in the first moments after a load.
 */
export async function holdScripts(page: Page): Promise<() => Promise<void>> {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const hold = async (route: Route) => {
    await gate;
    // The page that asked may be gone by then.
    await route.continue().catch(() => {});
  };
  // The style sheet comes through: a page without it is not shown at all.
  const scripts = /\/pkg\/.*\.(js|wasm)(\?.*)?$/;
  await page.route(scripts, hold);
  return async () => {
    release();
    await page.unroute(scripts, hold);
  };
}
