// The dashboard and the inbox of the demo store (`textback demo`, as `make run` makes it): a
// person who logs in with the printed login sees real figures, charts and conversations.
// Screenshots of both are saved for reviewers.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { openBrowser } from './browser.mjs';
import { startServer } from './server.mjs';
import { byTestId, eventually, assertText } from './store_support.mjs';

const TEST_TIMEOUT_MS = 240_000;

let server;
before(async () => {
  server = await startServer({ demo: true });
});
after(async () => {
  await server?.stop();
});

/** The figure a headline card shows, as a number ("$1,234.50" → 1234.5, "3.2%" → 3.2). */
const figure = async (page, id) => {
  const text = await byTestId(page, id).locator('[data-testid="headline-value"]').textContent();
  return Number(text.replace(/[^0-9.]/g, ''));
};

test('the demo store shows its results and its conversations', { timeout: TEST_TIMEOUT_MS }, async () => {
  const browser = await openBrowser();
  const { page } = browser;
  try {
    await page.goto(`${server.url}/login`);
    await byTestId(page, 'login-email').fill(server.demoLogin.email);
    await byTestId(page, 'login-password').fill(server.demoLogin.password);
    await byTestId(page, 'login-submit').click();

    // The landing page: sixty days of history, so the last 30 days have results.
    await byTestId(page, 'headlines').waitFor();
    assert.ok((await figure(page, 'headline-revenue')) > 0, 'revenue recovered');
    assert.ok((await figure(page, 'headline-carts')) > 0, 'carts recovered');
    assert.ok((await figure(page, 'headline-sent')) > 0, 'messages sent');
    await assertText(byTestId(page, 'headline-revenue').locator('[data-testid="headline-change"]'), 'vs previous 30 days');

    // The charts are drawn: lines with a point per day, bars with some revenue.
    const sent = byTestId(page, 'chart-messages').locator('polyline[data-series="Sent"]');
    const points = (await sent.getAttribute('points')).trim().split(' ');
    assert.equal(points.length, 30);
    const heights = await byTestId(page, 'chart-revenue').locator('rect').evaluateAll(
      (bars) => bars.map((bar) => Number(bar.getAttribute('height'))),
    );
    assert.ok(heights.some((h) => h > 0), 'some revenue bars');
    await byTestId(page, 'chart-engagement').locator('polyline').first().waitFor();

    // Every campaign in the table, the cart flow with revenue.
    const rows = byTestId(page, 'campaign-results-row');
    await eventually(async () => (await rows.count()) >= 4, 'four campaigns');
    await browser.screenshot('dashboard', { fullPage: true });

    // By week over 90 days: fewer, wider points.
    await byTestId(page, 'period-90').click();
    await eventually(async () => {
      const line = await byTestId(page, 'chart-messages').locator('polyline[data-series="Sent"]').getAttribute('points');
      return line.trim().split(' ').length <= 14;
    }, 'a weekly series');
    // The period is in the address: a reload shows it again.
    await eventually(async () => new URL(page.url()).search === '?days=90&by=week', 'the period in the address');
    await page.reload();
    await eventually(async () => (await byTestId(page, 'period-90').getAttribute('aria-pressed')) === 'true', 'the 90 days kept');
    await eventually(async () => {
      const line = await byTestId(page, 'chart-messages').locator('polyline[data-series="Sent"]').getAttribute('points');
      return line.trim().split(' ').length <= 14;
    }, 'still weekly after the reload');

    // Revenue in another currency than the store's is never added to its figure but shown on a
    // line under it. The demo sells in dollars only: the API's answer gets Canadian dollars here.
    const otherCurrencies = byTestId(page, 'headline-revenue').locator('[data-testid="headline-also"]');
    assert.equal(await otherCurrencies.count(), 0, 'a store selling in one currency shows no other');
    const dollars = await figure(page, 'headline-revenue');
    await page.route('**/api/v1/stats?*', async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      body.totals.revenue_other_currencies = [{ currency: 'CAD', cents: 1200 }];
      return route.fulfill({ response, json: body });
    });
    await page.reload();
    await assertText(otherCurrencies, 'plus CA$12.00');
    assert.equal(await figure(page, 'headline-revenue'), dollars, 'the dollars alone');
    await page.unroute('**/api/v1/stats?*');

    // The inbox: threads, some waiting for an answer, some opted out.
    await page.locator('nav.sidenav [data-testid="nav-inbox"]').click();
    const threads = byTestId(page, 'thread-row');
    await eventually(async () => (await threads.count()) >= 10, 'the demo threads');
    await byTestId(page, 'inbox-filter-opted_out').click();
    await eventually(async () => (await threads.count()) >= 1, 'opted-out threads');
    await byTestId(page, 'inbox-filter-all').click();
    await threads.first().click();
    await byTestId(page, 'message').first().waitFor();
    await browser.screenshot('inbox', { fullPage: false });
    assert.deepEqual(browser.problems(), [], 'the page logged errors');
  } catch (error) {
    await browser.screenshot('dashboard-failure').catch(() => {});
    throw error;
  } finally {
    await browser.close();
  }
});
