import { defineConfig, devices } from "@playwright/test";

// Browser tests drive Debian's Chromium (the `chromium` package); Playwright's own browser
// download is not available on these machines. `.ci/test` builds and starts the servers.
export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    // Overridable to run a second copy of the tests beside a running one. A name, not
    // 127.0.0.1: passkeys need a domain (an IP address cannot be a WebAuthn relying party).
    baseURL: process.env.E2E_BASE_URL ?? "http://localhost:3000",
    trace: "retain-on-failure",
    ...devices["Desktop Chrome"],
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
});
