import { defineConfig, devices } from '@playwright/test';

/**
 * Browser tests drive Debian's chromium (SERVICES.md §3): Playwright's own browser download is
 * unavailable here, so `executablePath` is required and `npx playwright install` is never run.
 * Video needs Playwright's ffmpeg download, so it stays off. The report tests open files from
 * disk and need no web server; tests that need one start it in their own spec file.
 */
export default defineConfig({
  testDir: 'test/browser',
  outputDir: 'test-results/',
  timeout: 30_000,
  workers: 1,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    headless: true,
    trace: 'off',
    video: 'off',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        channel: undefined,
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-dev-shm-usage',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      },
    },
  ],
});
