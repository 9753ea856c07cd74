import { expect, test } from "@playwright/test";
import { hydrated, newPerson, signUp } from "./helpers";

test.use({ timezoneId: "Asia/Tokyo" });

test("the browser's own time zone is offered and previewed before saving", async ({ page }) => {
  await signUp(page, newPerson("Sumiko", "Iwamura"));
  await hydrated(page);
  const suggestion = page.getByRole("button", { name: "Use my browser's time zone (Asia/Tokyo)" });
  await expect(suggestion).toBeVisible();
  await suggestion.click();
  await expect(page.getByRole("combobox", { name: "Display timezone" })).toHaveValue("Asia/Tokyo");
  await expect(page.getByTestId("preview-sample")).toHaveText("2026-07-15 01:45 (UTC+09:00)");
  await expect(suggestion).toBeHidden();
  await page.getByRole("button", { name: "Save preferences" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Preferences saved." })).toBeVisible();
  await page.reload();
  await expect(page.getByTestId("member-since")).toHaveText(/\(UTC\+09:00\)$/);
});
