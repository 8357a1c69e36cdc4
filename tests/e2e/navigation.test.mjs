// Moving around the app as a merchant does: Back past the login page, dialogs by keyboard alone,
// links to things that are not there, and what releasing a number leaves behind.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { openBrowser, WAIT_MS } from './browser.mjs';
import { startServer } from './server.mjs';
import { PASSWORD, assertText, byTestId, eventually, pathOf, storeHelpers, uniqueEmail } from './store_support.mjs';

const TEST_TIMEOUT_MS = 120_000;

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

const { api, signUpByApi, reserveNumber, createCampaign, textTheStore, openSignedIn } = storeHelpers(() => server);
const SHIPPING_STEP = { delay_minutes: 0, body: 'Order {{ order_number }} is on its way: {{ tracking_url }}' };

async function withBrowser(run) {
  const browser = await openBrowser();
  try {
    await run(browser);
    assert.deepEqual(browser.problems(), [], 'the page logged errors');
  } finally {
    await browser.close();
  }
}

async function waitForPath(page, path) {
  await page.waitForURL((url) => url.pathname === path, { timeout: WAIT_MS });
}

/** Back, then the path the app settles on (a redirect may follow the history step). */
async function back(page) {
  await page.goBack();
  await new Promise((r) => setTimeout(r, 500));
  return pathOf(page);
}

const focusedTestId = (page) => page.evaluate(() => document.activeElement?.dataset?.testid ?? document.activeElement?.tagName);
const focusInDialog = (page) =>
  page.evaluate(() => Boolean(document.activeElement?.closest('[data-testid="confirm-dialog"]')));

test('Back leaves through the page before, never loops through the login page', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withBrowser(async ({ page }) => {
    const email = uniqueEmail('back');
    await signUpByApi(email);
    // A public page first, so there is somewhere to go back to.
    await page.goto(`${server.url}/no-such-page`);
    await page.getByText('Page not found').waitFor();

    // Signed out, a protected page sends the visitor to log in: Back returns to where they were.
    await page.goto(`${server.url}/campaigns`);
    await waitForPath(page, '/login');
    assert.equal(await back(page), '/no-such-page', 'Back from the login page it was sent to');

    // Logged in, they arrive where they were going; Back does not bounce off the login page.
    await page.goto(`${server.url}/campaigns`);
    await waitForPath(page, '/login');
    await byTestId(page, 'login-email').fill(email);
    await byTestId(page, 'login-password').fill(PASSWORD);
    await byTestId(page, 'login-submit').click();
    await waitForPath(page, '/campaigns');
    assert.equal(await back(page), '/no-such-page', 'Back after logging in');

    // Logged out, Back does not land on the signed-in page that is gone.
    await page.goForward();
    await waitForPath(page, '/campaigns');
    await byTestId(page, 'logout').click();
    await waitForPath(page, '/login');
    assert.equal(await back(page), '/no-such-page', 'Back after logging out');
  });
});

test('a confirmation keeps the keyboard inside, Escape cancels it, and focus returns', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withBrowser(async ({ page }) => {
    const session = await signUpByApi(uniqueEmail('dialog'));
    await reserveNumber(session.token, '415');
    await openSignedIn(page, session, '/settings/number');

    const release = byTestId(page, 'release-number');
    await release.focus();
    await page.keyboard.press('Enter');
    await byTestId(page, 'confirm-dialog').waitFor();
    assert.equal(await focusedTestId(page), 'confirm-cancel', 'the safe choice has the focus');

    // Tab and Shift+Tab go round the dialog's own controls, never to the page behind it.
    for (let i = 0; i < 6; i += 1) {
      await page.keyboard.press('Tab');
      assert.ok(await focusInDialog(page), `Tab ${i + 1} left the dialog for ${await focusedTestId(page)}`);
    }
    await byTestId(page, 'confirm-cancel').focus();
    await page.keyboard.press('Shift+Tab');
    assert.ok(await focusInDialog(page), 'Shift+Tab from the first control left the dialog');
    assert.equal(await focusedTestId(page), 'release-confirm-input', 'Shift+Tab wraps to the last control that can act');

    // A click on the dialog's text leaves the focus nowhere; Tab still goes into the dialog.
    await byTestId(page, 'release-consequences').click();
    await page.keyboard.press('Tab');
    assert.ok(await focusInDialog(page), 'Tab after a click on the text left the dialog');

    await page.keyboard.press('Escape');
    await eventually(async () => (await byTestId(page, 'confirm-dialog').count()) === 0, 'the dialog to close');
    assert.equal(await focusedTestId(page), 'release-number', 'focus is back on the button that opened it');
    await byTestId(page, 'current-number').waitFor();
  });
});

test('the inbox shortcuts wait while a confirmation is open', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withBrowser(async ({ page }) => {
    const session = await signUpByApi(uniqueEmail('shortcuts'));
    const storeNumber = await reserveNumber(session.token, '415');
    await textTheStore('+16175550141', storeNumber, 'Is the blue one back in stock?');
    await textTheStore('+16175550142', storeNumber, 'Do you ship to Canada?');
    const threads = await api(session.token, '/threads');
    assert.equal(threads.body.items.length, 2);
    const open = threads.body.items[0].id;

    await openSignedIn(page, session, `/inbox/${open}`);
    await byTestId(page, 'customer-unsubscribe').click();
    await byTestId(page, 'confirm-dialog').waitFor();
    await page.keyboard.press('j');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(pathOf(page), `/inbox/${open}`, 'j opened another conversation behind the dialog');
    assert.equal(await byTestId(page, 'confirm-dialog').count(), 1, 'the dialog is still open');

    await page.keyboard.press('Escape');
    await eventually(async () => (await byTestId(page, 'confirm-dialog').count()) === 0, 'the dialog to close');
    await page.keyboard.press('j');
    await page.waitForURL((url) => url.pathname !== `/inbox/${open}`, { timeout: WAIT_MS });
  });
});

test('links to a campaign or a conversation that is not there say so', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withBrowser(async (browser) => {
    const { page } = browser;
    browser.expectConsoleError(/status of 404/);
    const session = await signUpByApi(uniqueEmail('missing'));

    await openSignedIn(page, session, '/campaigns/999999');
    await byTestId(page, 'back-to-campaigns').waitFor();
    assert.equal(await byTestId(page, 'retry').count(), 0, 'no "Try again" for a campaign that is not there');
    await byTestId(page, 'back-to-campaigns').click();
    await waitForPath(page, '/campaigns');

    await page.goto(`${server.url}/inbox/999999`);
    await byTestId(page, 'thread-not-found').waitFor();
    assert.equal(await byTestId(page, 'composer-input').count(), 0, 'no reply box for a conversation that is not there');
    assert.equal(await byTestId(page, 'retry').count(), 0);
  });
});

test('after a release, the page says campaigns stay stopped, and reminds once a new number is in', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withBrowser(async ({ page }) => {
    const session = await signUpByApi(uniqueEmail('stopped'));
    const first = await reserveNumber(session.token, '415');
    const created = await createCampaign(session.token, 'order_shipped', 'Shipping texts', SHIPPING_STEP);
    const activated = await api(session.token, `/campaigns/${created.id}/activate`, { method: 'POST', body: '{}' });
    assert.equal(activated.status, 200, JSON.stringify(activated.body));

    await openSignedIn(page, session, '/settings/number');
    assert.equal(await byTestId(page, 'stopped-campaigns-notice').count(), 0, 'nothing is stopped yet');
    await byTestId(page, 'release-number').click();
    await assertText(byTestId(page, 'release-consequences'), 'stay stopped until you activate them again');
    await byTestId(page, 'release-confirm-input').fill(first);
    await byTestId(page, 'confirm-ok').click();
    await assertText(byTestId(page, 'released-notice'), 'a new number does not restart them');

    const stopped = await api(session.token, `/campaigns/${created.id}`);
    assert.equal(stopped.body.status, 'stopped');

    // A new number: SMS is on, but the campaign is still stopped, and the page says so.
    await reserveNumber(session.token, '212');
    await page.reload();
    await byTestId(page, 'current-number').waitFor();
    await assertText(byTestId(page, 'stopped-campaigns-notice'), '1 campaign was stopped');
    await byTestId(page, 'stopped-campaigns-link').click();
    await waitForPath(page, '/campaigns');
    await assertText(byTestId(page, 'campaign-status'), 'Stopped');
  });
});

test('older messages that cannot be loaded say why, and the button tries again', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withBrowser(async (browser) => {
    const { page } = browser;
    browser.expectConsoleError(/status of 503/);
    const session = await signUpByApi(uniqueEmail('older'));
    const storeNumber = await reserveNumber(session.token, '415');
    await textTheStore('+16175550151', storeNumber, 'Hello, is anyone there?');
    const thread = (await api(session.token, '/threads')).body.items[0].id;

    // The first page claims older messages; the first request for them fails, the next works.
    let olderRequests = 0;
    await page.route(`**/api/v1/threads/${thread}/messages*`, async (route) => {
      const url = new URL(route.request().url());
      if (route.request().method() !== 'GET') return route.continue();
      if (!url.searchParams.has('cursor')) {
        const response = await route.fetch();
        const body = await response.json();
        return route.fulfill({ response, json: { ...body, next_cursor: 'older-page' } });
      }
      olderRequests += 1;
      if (olderRequests === 1) {
        return route.fulfill({
          status: 503,
          contentType: 'application/problem+json',
          body: JSON.stringify({ type: 'about:blank', title: 'Service unavailable', status: 503, code: 'service_unavailable', detail: 'Textback is busy; try again in a moment.' }),
        });
      }
      return route.fulfill({ json: { items: [], next_cursor: null } });
    });

    await openSignedIn(page, session, `/inbox/${thread}`);
    await byTestId(page, 'message').first().waitFor();
    await byTestId(page, 'load-older').click();
    await byTestId(page, 'load-older-error').waitFor();
    await assertText(byTestId(page, 'load-older'), 'Try again');

    await byTestId(page, 'load-older').click();
    await eventually(async () => (await byTestId(page, 'load-older').count()) === 0, 'no older messages left to load');
    assert.equal(await byTestId(page, 'load-older-error').count(), 0, 'the error goes once loading works');
    assert.equal(olderRequests, 2);
  });
});

test('a link away from unsaved campaign edits asks first; saved edits leave freely', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withBrowser(async ({ page }) => {
    const session = await signUpByApi(uniqueEmail('unsaved'));
    const created = await createCampaign(session.token, 'abandoned_cart', 'Cart reminders', {
      delay_minutes: 60,
      body: 'Your cart at {{ store_name }}: {{ cart_url }}',
    });
    const path = `/campaigns/${created.id}`;
    await openSignedIn(page, session, path);
    await byTestId(page, 'step-body').waitFor();

    // Untouched, a link just goes.
    await byTestId(page, 'nav-inbox').click();
    await waitForPath(page, '/inbox');
    await page.goBack();
    await waitForPath(page, path);

    const edited = 'Still thinking it over? Your cart is waiting: {{ cart_url }}';
    await byTestId(page, 'step-body').fill(edited);
    const asked = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      dialog.dismiss();
    });
    await byTestId(page, 'nav-inbox').click();
    await eventually(async () => asked.length === 1, 'the question about unsaved changes');
    assert.match(asked[0], /not been saved/);
    assert.equal(pathOf(page), path, 'staying was chosen');
    assert.equal(await byTestId(page, 'step-body').inputValue(), edited, 'the edit is still there');

    page.once('dialog', (dialog) => dialog.accept());
    await byTestId(page, 'nav-campaigns').click();
    await waitForPath(page, '/campaigns');

    // Saved edits leave without a question.
    await page.goto(`${server.url}${path}`);
    await byTestId(page, 'step-body').fill(edited);
    await byTestId(page, 'save-campaign').click();
    await assertText(byTestId(page, 'campaign-notice'), 'Saved.');
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      dialog.dismiss();
    });
    await byTestId(page, 'nav-inbox').click();
    await waitForPath(page, '/inbox');
    assert.equal(asked.length, 1, 'no question once saved');
  });
});

test('each page names itself in the tab title', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withBrowser(async ({ page }) => {
    const session = await signUpByApi(uniqueEmail('titles'));
    await page.goto(`${server.url}/login`);
    await eventually(async () => (await page.title()) === 'Log in · Textback', 'the login title');
    await openSignedIn(page, session, '/');
    const titles = [
      ['nav-inbox', 'Inbox · Textback'],
      ['nav-campaigns', 'Campaigns · Textback'],
      ['nav-opt-outs', 'Opt-outs · Textback'],
      ['nav-settings', 'Store settings · Textback'],
      ['nav-sms-number', 'SMS number · Textback'],
      ['nav-api-keys', 'API keys · Textback'],
      ['nav-overview', 'Dashboard · Textback'],
    ];
    for (const [link, title] of titles) {
      await byTestId(page, link).click();
      await eventually(async () => (await page.title()) === title, `${JSON.stringify(title)}, not ${JSON.stringify(await page.title())}`);
    }
  });
});

test('Escape closes the canned replies opened with their button', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withBrowser(async ({ page }) => {
    const session = await signUpByApi(uniqueEmail('canned-escape'));
    const storeNumber = await reserveNumber(session.token, '415');
    await textTheStore('+16175550161', storeNumber, 'Can I change my order?');
    const thread = (await api(session.token, '/threads')).body.items[0].id;
    await openSignedIn(page, session, `/inbox/${thread}`);

    await byTestId(page, 'canned-replies-button').click();
    await byTestId(page, 'canned-picker').waitFor();
    assert.equal(await focusedTestId(page), 'canned-replies-button');
    await page.keyboard.press('Escape');
    await eventually(async () => (await byTestId(page, 'canned-picker').count()) === 0, 'the picker to close');
    assert.equal(await focusedTestId(page), 'composer-input', 'back in the reply box');
  });
});

/** Holds the answers to requests matching `pattern` back by `ms`, as a slow network would. */
async function slowDown(page, pattern, ms) {
  await page.route(pattern, async (route) => {
    await new Promise((r) => setTimeout(r, ms));
    await route.continue().catch(() => {});
  });
}

test('leaving a page before its answers arrive breaks nothing', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withBrowser(async ({ page }) => {
    const session = await signUpByApi(uniqueEmail('leave-early'));
    await reserveNumber(session.token, '415');
    const created = await createCampaign(session.token, 'order_shipped', 'Shipping texts', SHIPPING_STEP);
    await openSignedIn(page, session, '/');
    await byTestId(page, 'overview-sms').waitFor();
    await slowDown(page, '**/api/v1/opt-outs*', 800);
    await slowDown(page, '**/api/v1/numbers/available*', 800);
    await slowDown(page, '**/api/v1/campaigns/*/activate', 800);

    // The opt-outs list and its search are still on their way when the merchant moves on.
    await byTestId(page, 'nav-opt-outs').click();
    await byTestId(page, 'opt-outs-search').fill('415');
    await byTestId(page, 'nav-inbox').click();
    await waitForPath(page, '/inbox');

    // A search for numbers, the same.
    await page.goto(`${server.url}/settings/number`);
    await byTestId(page, 'current-number').waitFor();
    await api(session.token, `/numbers/${(await api(session.token, '/numbers')).body.active.id}`, { method: 'DELETE' });
    await page.goto(`${server.url}/numbers`);
    await byTestId(page, 'number-area-code').fill('212');
    await byTestId(page, 'number-search-submit').click();
    await byTestId(page, 'nav-campaigns').click();
    await waitForPath(page, '/campaigns');

    // Activating, the same: the answer finds the list gone, and the merchant stays where they went.
    await reserveNumber(session.token, '303');
    await page.reload();
    await byTestId(page, 'activate-campaign').click();
    await byTestId(page, 'nav-settings').click();
    await waitForPath(page, '/settings');

    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(pathOf(page), '/settings');
    // The app still works: the page answers.
    await byTestId(page, 'nav-campaigns').click();
    await assertText(byTestId(page, 'campaign-status'), 'Active');
  });
});
