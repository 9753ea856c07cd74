import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { addRefusedKey, hydrated, keygen, newPerson, signUp } from "./helpers";

test("a person adds an SSH key, sees its fingerprint and deletes it; a refused key keeps what was typed", async ({ page }) => {
  await signUp(page, newPerson());
  await page.getByRole("button", { name: "User menu" }).click();
  await page.getByRole("menuitem", { name: "SSH Keys" }).click();
  await expect(page).toHaveURL(/^[^?#]*\/settings\/ssh-keys$/);
  await hydrated(page);
  await expect(page.getByText("You have no SSH keys yet.")).toBeVisible();

  // Refused: RSA below 2048 bits, with the reason next to the field and the input kept.
  await addRefusedKey(page);

  // Accepted: the title comes from the comment when left empty.
  const key = keygen("ed25519");
  await page.getByLabel("Key", { exact: true }).fill(key.line);
  await page.getByLabel("Title").fill("");
  await expect(page.getByLabel("Title")).toHaveAttribute("placeholder", "ada@laptop");
  await page.getByRole("button", { name: "Add SSH key" }).click();
  await expect(page.getByRole("status").filter({ hasText: "SSH key added." })).toBeVisible();
  const row = page.locator(".key").filter({ hasText: "ada@laptop" });
  await expect(row.locator(".fingerprint")).toHaveText(key.fingerprint);
  await expect(row).toContainText("ssh-ed25519 · 256 bits");
  await expect(row).toContainText("Never expires");
  await expect(page.getByLabel("Key", { exact: true })).toHaveValue("");

  // The download holds the key.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download authorized_keys" }).click(),
  ]);
  const saved = readFileSync((await download.path())!, "utf8");
  expect(saved).toBe(`${key.line.split(" ").slice(0, 2).join(" ")} ada@laptop\n`);

  // Delete, after confirming.
  await row.getByText("Delete", { exact: true }).click();
  await row.getByRole("button", { name: "Delete this key" }).click();
  await expect(page.getByText("You have no SSH keys yet.")).toBeVisible();
});
