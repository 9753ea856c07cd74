import { expect, Page } from "@playwright/test";

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
