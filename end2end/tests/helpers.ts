import { expect, Page, Route } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
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

/** Fills the sign-up form; `email: false` where the address is given (an invitation's). */
export async function fillSignup(page: Page, p: Person, { email = true } = {}) {
  await page.getByLabel("First name").fill(p.first);
  await page.getByLabel("Last name").fill(p.last);
  if (email) await page.getByLabel("Email").fill(p.email);
  await page.getByLabel("Mobile number").fill(p.mobile);
  await page.getByLabel("Password", { exact: true }).fill(p.password);
  await page.getByLabel("Confirm password").fill(p.password);
}

// Address checks in these tests match the path from the start (`/^[^?#]*\/settings$/`):
// `/login/two-factor?next=/settings` also ends in "/settings", and a check that matched it
// would pass before the redirect it waits for.
export async function signUp(page: Page, p: Person, opts: { js: boolean } = { js: true }) {
  await page.goto("/signup");
  if (opts.js) await hydrated(page);
  await fillSignup(page, p);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/^[^?#]*\/settings$/);
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
 * server's mail worker. The main test server has no SMTP relay, so every mail is an `.eml`
 * file in its mail folder (`E2E_MAIL_DIR`, set by `.ci/test`). The `:3002` server's mail goes
 * to a real SMTP server instead: read it with [`smtpMailTo`].
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

/**
 * The mails a real SMTP server received for `to` whose subject contains `subject`, oldest
 * first, each as its headers and its decoded body. The `:3002` test server sends through
 * aiosmtpd, which keeps every message in a Maildir (`E2E_SMTP_MAILDIR`, set by `.ci/test`).
 * Unlike the `.eml` files, these come as the relay got them: lines end in LF (Python's
 * mailbox) and long bodies are quoted-printable.
 */
export function smtpMailsTo(to: string, subject: string, dir = process.env.E2E_SMTP_MAILDIR): string[] {
  if (!dir) throw new Error("E2E_SMTP_MAILDIR is not set: run the browser tests through .ci/test");
  const files = ["new", "cur"]
    .map((sub) => join(dir, sub))
    .filter((sub) => existsSync(sub))
    .flatMap((sub) => readdirSync(sub).map((f) => join(sub, f)))
    .map((file) => ({ file, at: statSync(file).mtimeMs }))
    .sort((a, b) => a.at - b.at || a.file.localeCompare(b.file));
  const found: string[] = [];
  for (const { file } of files) {
    const mail = decodeMail(readFileSync(file));
    const header = (name: string) => mail.headers.find((h) => h.toLowerCase().startsWith(`${name}:`)) ?? "";
    if (header("to").toLowerCase().includes(to.toLowerCase()) && header("subject").includes(subject)) {
      found.push(`${mail.headers.join("\n")}\n\n${mail.body}`);
    }
  }
  return found;
}

/** The newest mail of [`smtpMailsTo`], waiting for the server's mail worker and the relay. */
export async function smtpMailTo(to: string, subject: string, dir = process.env.E2E_SMTP_MAILDIR): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const mails = smtpMailsTo(to, subject, dir);
    if (mails.length > 0) return mails[mails.length - 1];
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no mail to ${to} about "${subject}" in ${dir}`);
}

/** Unfolded header lines and the body, decoded from quoted-printable or base64. */
function decodeMail(raw: Buffer): { headers: string[]; body: string } {
  const text = raw.toString("latin1");
  const split = text.search(/\r?\n\r?\n/);
  const head = split < 0 ? text : text.slice(0, split);
  const rest = split < 0 ? "" : text.slice(split).replace(/^\r?\n\r?\n/, "");
  const headers = head
    .split(/\r?\n/)
    .reduce<string[]>((all, line) => {
      if (/^[ \t]/.test(line) && all.length > 0) all[all.length - 1] += ` ${line.trim()}`;
      else all.push(line);
      return all;
    }, [])
    .map(decodeWords);
  const encoding = (headers.find((h) => /^content-transfer-encoding:/i.test(h)) ?? "").split(":")[1]?.trim().toLowerCase();
  let bytes: Buffer;
  if (encoding === "quoted-printable") {
    bytes = Buffer.from(
      rest.replace(/=\r?\n/g, "").replace(/=([0-9A-Fa-f]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16))),
      "latin1",
    );
  } else if (encoding === "base64") {
    bytes = Buffer.from(rest.replace(/\s+/g, ""), "base64");
  } else {
    bytes = Buffer.from(rest, "latin1");
  }
  return { headers, body: bytes.toString("utf8") };
}

/** RFC 2047 encoded words (`=?utf-8?b?...?=`), as a subject with non-ASCII text comes. */
function decodeWords(header: string): string {
  return header.replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_, _charset, kind: string, data: string) =>
    kind.toLowerCase() === "b"
      ? Buffer.from(data, "base64").toString("utf8")
      : Buffer.from(
          data.replace(/_/g, " ").replace(/=([0-9A-Fa-f]{2})/g, (_m, hex) => String.fromCharCode(parseInt(hex, 16))),
          "latin1",
        ).toString("utf8"),
  );
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

/**
 * On the SSH Keys page: adds a 1024-bit RSA key, which is refused with its reason next to the
 * field, and the key and title stay as typed.
 */
export async function addRefusedKey(page: Page) {
  const weak = keygen("rsa", 1024);
  await page.getByLabel("Key", { exact: true }).fill(weak.line);
  await page.getByLabel("Title").fill("Old laptop");
  await page.getByRole("button", { name: "Add SSH key" }).click();
  await expect(page.locator("#key-error")).toContainText("This RSA key has 1024 bits; at least 2048 are needed.");
  await expect(page.getByLabel("Key", { exact: true })).toHaveValue(weak.line);
  await expect(page.getByLabel("Title")).toHaveValue("Old laptop");
}

/** A fresh key from the real ssh-keygen, and the fingerprint ssh-keygen prints for it. */
export function keygen(type: string, bits?: number): { line: string; fingerprint: string } {
  const dir = mkdtempSync(join(tmpdir(), "tessera-e2e-ssh-"));
  const path = join(dir, "id");
  const args = ["-q", "-N", "", "-t", type, "-C", "ada@laptop", "-f", path];
  if (bits) args.push("-b", String(bits));
  execFileSync("ssh-keygen", args);
  const line = readFileSync(`${path}.pub`, "utf8").trim();
  const fingerprint = execFileSync("ssh-keygen", ["-lf", `${path}.pub`], { encoding: "utf8" }).split(" ")[1];
  rmSync(dir, { recursive: true });
  return { line, fingerprint };
}

/**
 * The invited person's way in: the link in their mail, "Sign up to accept" and the sign-up
 * form (the email is the invitation's), onto the account's page as Member. `onLanding` runs on
 * the invitation's page first.
 */
export async function joinFromInvitation(page: Page, guest: Person, onLanding?: () => Promise<void>) {
  await page.goto(linkIn(await mailTo(guest.email, "invited you"), "/invitations/"));
  await hydrated(page);
  await onLanding?.();
  await page.getByRole("link", { name: "Sign up to accept" }).click();
  await hydrated(page);
  await fillSignup(page, guest, { email: false });
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByText("Your role: Member")).toBeVisible();
}
