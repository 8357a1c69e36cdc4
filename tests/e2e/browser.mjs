// Debian's Chromium driven by playwright-core (no browser downloads), with a page that
// records WASM panics and console errors so tests can fail on them.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const WAIT_MS = 20_000;
export const outputDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'output', 'e2e');

export async function openBrowser({ viewport = { width: 1280, height: 900 } } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
    headless: true,
    viewport,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(WAIT_MS);
  page.setDefaultNavigationTimeout(WAIT_MS);

  const problems = [];
  // Requests a test provokes on purpose (a wrong password answers 401), which Chromium
  // reports as console errors.
  const expected = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    if (!expected.some((pattern) => pattern.test(text))) problems.push(`console error: ${text}`);
  });

  return {
    context,
    page,
    /** Lets console errors matching `pattern` pass. */
    expectConsoleError(pattern) {
      expected.push(pattern);
    },
    /** Every unexpected page error or console error so far. */
    problems: () => [...problems],
    /** The whole page, or with `{ fullPage: false }` the window (for dialogs fixed to it). */
    async screenshot(name, { fullPage = true } = {}) {
      mkdirSync(outputDir, { recursive: true });
      await page.screenshot({ path: join(outputDir, `${name}.png`), fullPage });
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
