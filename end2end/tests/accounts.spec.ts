import { expect, test } from "@playwright/test";
import { fillSignup, hydrated, linkIn, mailTo, newPerson, signUp } from "./helpers";

test("an Owner invites a new person who signs up with the locked email and joins; a Member sees no edit controls", async ({ browser }) => {
  // The Owner, in one browser context.
  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  const ada = newPerson("Ada", "Lovelace");
  await signUp(owner, ada);
  await owner.getByRole("button", { name: "User menu" }).click();
  await owner.getByRole("menuitem", { name: "Accounts" }).click();
  await expect(owner).toHaveURL(/^[^?#]*\/accounts$/);
  await hydrated(owner);
  await owner.getByRole("link", { name: "Ada Lovelace" }).click();
  await expect(owner.getByRole("heading", { name: "Ada Lovelace", level: 1 })).toBeVisible();
  await expect(owner.getByText("Your role: Owner")).toBeVisible();
  // Each page is a page load: the notice below is shown only once the page's island runs.
  await hydrated(owner);

  // Invite: the link goes only to the invited address (a mail file in the test setup).
  const grace = newPerson("Grace", "Hopper");
  await owner.getByLabel("Email", { exact: true }).fill(grace.email);
  await owner.getByLabel("Role", { exact: true }).selectOption("member");
  await owner.getByRole("button", { name: "Send invitation" }).click();
  await expect(owner.getByRole("status").filter({ hasText: `Invitation mailed to ${grace.email}.` })).toBeVisible();
  const link = linkIn(await mailTo(grace.email, "invited you"), "/invitations/");
  // Built from the server's configured public URL.
  expect(link).toMatch(/^http:\/\/localhost:\d+\/invitations\/[0-9a-f]{64}$/);
  await expect(owner.getByRole("cell", { name: grace.email, exact: true })).toBeVisible();

  // The invitee, in another browser: follows the link, signs up with the email locked.
  const guestContext = await browser.newContext();
  const guest = await guestContext.newPage();
  await guest.goto(link);
  await hydrated(guest);
  await expect(guest.getByText(`invited ${grace.email} to join “Ada Lovelace” as Member`)).toBeVisible();
  await guest.getByRole("link", { name: "Sign up to accept" }).click();
  await expect(guest.getByLabel("Email")).toHaveValue(grace.email);
  await expect(guest.getByLabel("Email")).toHaveAttribute("readonly", "");
  await fillSignup(guest, grace, { email: false });
  await guest.getByRole("button", { name: "Sign up" }).click();
  await expect(guest).toHaveURL(/^[^?#]*\/accounts\/\d+$/);
  await expect(guest.getByRole("heading", { name: "Ada Lovelace", level: 1 })).toBeVisible();
  await expect(guest.getByText("Your role: Member")).toBeVisible();
  // A Member reads, and has nothing to edit.
  await expect(guest.getByRole("button", { name: "Save account" })).toHaveCount(0);
  await expect(guest.getByRole("button", { name: "Send invitation" })).toHaveCount(0);
  await expect(guest.getByRole("button", { name: "Create workspace" })).toHaveCount(0);
  await expect(guest.getByText("Rename", { exact: true })).toHaveCount(0);
  await guest.goto("/accounts");
  await expect(guest.getByRole("link", { name: "Ada Lovelace" })).toBeVisible();
  await expect(guest.getByRole("link", { name: "Grace Hopper" })).toBeVisible();

  // The Owner sees the new member, renames a workspace, edits the account information.
  await owner.reload();
  await hydrated(owner);
  await expect(owner.getByRole("cell", { name: grace.email, exact: true })).toBeVisible();
  await expect(owner.getByRole("region", { name: "Users" }).locator("tr").filter({ hasText: grace.email })).toContainText("Member");
  const workspace = owner.locator(".workspace").filter({ hasText: "Default" });
  await workspace.getByText("Rename", { exact: true }).click();
  await workspace.getByLabel("New name").fill("Research");
  await workspace.getByRole("button", { name: "Save name" }).click();
  await expect(owner.locator(".workspace-name")).toHaveText(["Research"]);
  await owner.getByLabel("Company name").fill("Analytical Engines Ltd");
  await owner.getByLabel("Country").fill("XX");
  await owner.getByRole("button", { name: "Save account" }).click();
  await expect(owner.locator("#country-error")).toContainText("two-letter country code");
  await expect(owner.getByLabel("Company name")).toHaveValue("Analytical Engines Ltd");
  await owner.getByLabel("Country").fill("GB");
  await owner.getByRole("button", { name: "Save account" }).click();
  await expect(owner.getByRole("status").filter({ hasText: "Account information saved." })).toBeVisible();
  await expect(owner.getByRole("cell", { name: "Renamed a workspace: “Default” is now “Research”" })).toBeVisible();

  // The member sees the change in the list of all workspaces.
  await guest.goto("/workspaces");
  await expect(guest.getByText("Research")).toBeVisible();
  await ownerContext.close();
  await guestContext.close();
});
