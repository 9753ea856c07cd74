import { expect, Page, test } from "@playwright/test";
import { hydrated, newPerson, signUp } from "./helpers";

// Every page's Content-Security-Policy carries the nonce of its own inline scripts; it is set
// per response while the page renders. Two people loading pages at the same moment must each
// get their own page's policy, or the browser blocks the page's scripts and nothing hydrates.
test("pages loaded at the same time by two people each carry their own script policy", async ({ browser }) => {
  const people: Page[] = [];
  for (const first of ["Ada", "Grace"]) {
    const page = await (await browser.newContext()).newPage();
    await signUp(page, newPerson(first));
    people.push(page);
  }
  const paths = ["/settings", "/settings/authentication", "/settings/ssh-keys", "/accounts", "/workspaces"];
  await Promise.all(
    people.map(async (page, who) => {
      for (let i = 0; i < 6; i++) {
        const path = paths[(i + 2 * who) % paths.length];
        const response = (await page.goto(path))!;
        const policy = (await response.allHeaders())["content-security-policy"] ?? "";
        // From the HTML as sent: browsers hide nonce attributes from the DOM.
        const nonce = /<script[^>]* nonce="([^"]+)"/.exec(await response.text())?.[1];
        expect(nonce, `a nonce on the scripts of ${path}`).toBeTruthy();
        expect(policy, `policy of ${path}`).toContain(`'nonce-${nonce}'`);
        await hydrated(page);
      }
    }),
  );
});
