// The web app against the real server: accounts, sessions and API keys, end to end.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { openBrowser, WAIT_MS } from './browser.mjs';
import { startServer } from './server.mjs';

const TEST_TIMEOUT_MS = 90_000;
const PASSWORD = 'correct horse battery';

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

const uniqueEmail = (label) => `${label}-${Date.now()}-${Math.random().toString(16).slice(2, 8)}@e2e.example`;
const byTestId = (page, id) => page.locator(`[data-testid="${id}"]`);
const pathOf = (page) => new URL(page.url()).pathname;

async function waitForPath(page, path) {
  await page.waitForURL((url) => url.pathname === path, { timeout: WAIT_MS });
}

async function callMe(secret) {
  const response = await fetch(`${server.url}/api/v1/me`, {
    headers: { Authorization: `Bearer ${secret}` },
    signal: AbortSignal.timeout(WAIT_MS),
  });
  return { status: response.status, body: await response.json() };
}

async function withBrowser(options, run) {
  const browser = await openBrowser(options);
  try {
    await run(browser);
    assert.deepEqual(browser.problems(), [], 'the page logged errors');
  } finally {
    await browser.close();
  }
}

test('sign up, log out, log in, create and revoke an API key', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withBrowser({}, async (browser) => {
    const { page } = browser;
    const email = uniqueEmail('owner');
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });

    // Sign up: the shared validation answers first, inline.
    await page.goto(`${server.url}/signup`);
    await byTestId(page, 'signup-form').waitFor();
    await browser.screenshot('signup');
    await byTestId(page, 'signup-submit').click();
    await assertText(byTestId(page, 'signup-store-name-error'), 'Enter a name.');
    await assertText(byTestId(page, 'signup-email-error'), 'Enter an email address.');
    await assertText(byTestId(page, 'signup-password-error'), 'Use at least 10 characters.');
    await browser.screenshot('signup-errors');

    await byTestId(page, 'signup-store-name').fill('Maple & Pine Outfitters');
    await byTestId(page, 'signup-email').fill(email);
    await byTestId(page, 'signup-password').fill(PASSWORD);
    assert.equal(await byTestId(page, 'signup-password-error').count(), 0, 'errors clear as fields are fixed');
    await byTestId(page, 'signup-submit').click();

    await waitForPath(page, '/');
    await assertText(byTestId(page, 'store-name'), 'Maple & Pine Outfitters');
    await assertText(byTestId(page, 'overview-user-email'), email);
    await assertText(byTestId(page, 'api-base-url'), `${server.url}/api/v1`);
    await byTestId(page, 'create-key-cta').waitFor();
    // The dashboard of a new store says how to get its first results.
    await assertText(byTestId(page, 'dashboard-empty'), 'Your results will appear here');
    await browser.screenshot('overview');

    // The API documentation renders under its Content-Security-Policy (a violation would be a
    // console error, which fails the test).
    await page.goto(`${server.url}/api-docs/`);
    await assertText(page.locator('.swagger-ui .info .title'), 'Textback API');
    await page.goBack();
    await waitForPath(page, '/');

    // Log out, then back in. The server ends the session too: its token is refused.
    const token = await page.evaluate(() => JSON.parse(localStorage.getItem('textback.session')).token);
    const me = () => fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await me()).status, 200);
    const loggedOut = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/logout'));
    await byTestId(page, 'logout').click();
    await waitForPath(page, '/login');
    await byTestId(page, 'login-notice').waitFor();
    assert.equal((await loggedOut).status(), 204);
    assert.equal((await me()).status, 401);
    await byTestId(page, 'login-email').fill(email);
    await byTestId(page, 'login-password').fill(PASSWORD);
    await byTestId(page, 'login-submit').click();
    await waitForPath(page, '/');
    await assertText(byTestId(page, 'store-name'), 'Maple & Pine Outfitters');

    // Create a key from the overview's call to action: at least one scope is required.
    await byTestId(page, 'create-key-cta-link').click();
    await waitForPath(page, '/settings/api-keys');
    await byTestId(page, 'empty-state').waitFor();
    await byTestId(page, 'create-key-form').waitFor();
    await byTestId(page, 'key-name').fill('Shopify sync');
    await byTestId(page, 'create-key-submit').click();
    await assertText(byTestId(page, 'key-scopes-error'), 'Choose at least one scope.');
    await browser.screenshot('api-keys-create-form');
    await byTestId(page, 'scope-read').check();
    await byTestId(page, 'scope-events').check();
    await byTestId(page, 'create-key-submit').click();

    const secretBox = byTestId(page, 'new-key-secret');
    await secretBox.waitFor();
    const secret = (await secretBox.textContent()).trim();
    assert.match(secret, /^tbk_\S+$/);
    await assertText(byTestId(page, 'secret-warning'), 'will not be shown again');
    await byTestId(page, 'copy-secret').click();
    await assertText(byTestId(page, 'copy-secret'), 'Copied');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
    await browser.screenshot('api-keys-new-secret');
    await byTestId(page, 'secret-done').click();
    assert.equal(await secretBox.count(), 0, 'the secret is gone after Done');

    const row = byTestId(page, 'api-key-row').filter({ hasText: 'Shopify sync' });
    await row.waitFor();
    await assertText(row, 'Never');
    await assertText(row, secret.slice(0, 12));
    await browser.screenshot('api-keys');

    // The key works from outside the browser...
    const before = await callMe(secret);
    assert.equal(before.status, 200);
    assert.equal(before.body.credential, 'api_key');
    assert.equal(before.body.store.name, 'Maple & Pine Outfitters');
    assert.deepEqual(before.body.scopes, ['read', 'events']);

    // ...until it is revoked in the app.
    await row.locator('[data-testid="revoke-key"]').click();
    const dialog = byTestId(page, 'confirm-dialog');
    await assertText(dialog, 'Revoke Shopify sync? Integrations using it stop working at once.');
    await browser.screenshot('api-keys-revoke');
    await byTestId(page, 'confirm-ok').click();
    await dialog.waitFor({ state: 'detached' });
    await row.waitFor({ state: 'detached' });
    await byTestId(page, 'empty-state').waitFor();

    const afterRevoke = await callMe(secret);
    assert.equal(afterRevoke.status, 401);
    assert.equal(afterRevoke.body.code, 'unauthorized');

    // A reload keeps the session and the page.
    await page.reload();
    await byTestId(page, 'empty-state').waitFor();
    assert.equal(pathOf(page), '/settings/api-keys');
    await assertText(byTestId(page, 'store-name'), 'Maple & Pine Outfitters');
  });
});

test('protected pages send signed-out visitors to log in, and back afterwards', { timeout: TEST_TIMEOUT_MS }, async () => {
  const email = uniqueEmail('visitor');
  await signUpByApi(email);
  await withBrowser({}, async ({ page }) => {
    await page.goto(`${server.url}/settings/api-keys`);
    await waitForPath(page, '/login');
    await byTestId(page, 'login-form').waitFor();

    await byTestId(page, 'login-email').fill(email);
    await byTestId(page, 'login-password').fill(PASSWORD);
    await byTestId(page, 'login-submit').click();
    await waitForPath(page, '/settings/api-keys');
    await byTestId(page, 'empty-state').waitFor();
  });
});

test('a session the API refuses ends, and the login page says so', { timeout: TEST_TIMEOUT_MS }, async () => {
  const session = await signUpByApi(uniqueEmail('stale'));
  await withBrowser({}, async (browser) => {
    const { page } = browser;
    browser.expectConsoleError(/status of 401/);
    // A stored session whose token the server no longer accepts (e.g. after a key rotation).
    await page.goto(`${server.url}/login`);
    await page.evaluate((stale) => localStorage.setItem('textback.session', JSON.stringify(stale)), {
      ...session,
      token: 'not-a-valid-token',
    });
    await page.goto(`${server.url}/settings/api-keys`);
    await waitForPath(page, '/login');
    await assertText(byTestId(page, 'login-notice'), 'Your session has ended');
    assert.equal(await page.evaluate(() => localStorage.getItem('textback.session')), null);
    assert.equal(new URL(page.url()).searchParams.get('next'), '/settings/api-keys');
  });
});

test('a wrong password, throttled logins and a taken email are explained', { timeout: TEST_TIMEOUT_MS }, async () => {
  const email = uniqueEmail('known');
  await signUpByApi(email);
  await withBrowser({}, async (browser) => {
    const { page } = browser;
    browser.expectConsoleError(/status of 401/);
    browser.expectConsoleError(/status of 409/);

    await page.goto(`${server.url}/login`);
    await byTestId(page, 'login-email').fill(email);
    await byTestId(page, 'login-password').fill('not the password');
    await byTestId(page, 'login-submit').click();
    await assertText(byTestId(page, 'form-error'), 'The email or password is wrong.');
    assert.equal(pathOf(page), '/login');
    assert.ok(await byTestId(page, 'login-submit').isEnabled(), 'the form can be sent again');
    // Let the button's hover transition finish so the screenshot shows its resting state.
    await page.mouse.move(0, 0);
    await page.waitForTimeout(300);
    await browser.screenshot('login-wrong-password');

    // Four more failures from elsewhere reach the limit; the next try is throttled.
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email, password: 'still not the password' }),
        signal: AbortSignal.timeout(WAIT_MS),
      });
      assert.equal(response.status, 401);
    }
    browser.expectConsoleError(/status of 429/);
    await byTestId(page, 'login-submit').click();
    await assertText(byTestId(page, 'form-error'), 'Too many failed attempts. Try again in 15 minutes.');

    await page.goto(`${server.url}/signup`);
    await byTestId(page, 'signup-store-name').fill('Second Store');
    await byTestId(page, 'signup-email').fill(email);
    await byTestId(page, 'signup-password').fill(PASSWORD);
    await byTestId(page, 'signup-submit').click();
    await assertText(byTestId(page, 'form-error'), 'already exists');
    assert.equal(pathOf(page), '/signup');
  });
});

test('the API keys page works at phone width', { timeout: TEST_TIMEOUT_MS }, async () => {
  const email = uniqueEmail('phone');
  const session = await signUpByApi(email);
  for (const name of ['Storefront events', 'Reporting']) await createKeyByApi(session.token, name);
  await withBrowser({ viewport: { width: 390, height: 844 } }, async (browser) => {
    const { page } = browser;
    await logIn(page, email);
    await byTestId(page, 'nav-api-keys').click();
    await byTestId(page, 'api-key-row').first().waitFor();
    assert.equal(await byTestId(page, 'api-key-row').count(), 2);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
    await browser.screenshot('api-keys-phone');
  });
});

test('Load more fetches the next page of keys', { timeout: TEST_TIMEOUT_MS }, async () => {
  const email = uniqueEmail('many');
  const session = await signUpByApi(email);
  // One more than the API's default page of 50.
  for (let i = 1; i <= 51; i++) await createKeyByApi(session.token, `Key ${i}`);
  await withBrowser({}, async ({ page }) => {
    await logIn(page, email);
    await page.goto(`${server.url}/settings/api-keys`);
    const rows = byTestId(page, 'api-key-row');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 50);
    await assertText(rows.first(), 'Key 51');
    await byTestId(page, 'load-more').click();
    await rows.nth(50).waitFor();
    assert.equal(await rows.count(), 51);
    await assertText(rows.nth(50), 'Key 1');
    await byTestId(page, 'load-more').waitFor({ state: 'detached' });
  });
});

async function logIn(page, email) {
  await page.goto(`${server.url}/login`);
  await byTestId(page, 'login-email').fill(email);
  await byTestId(page, 'login-password').fill(PASSWORD);
  await byTestId(page, 'login-submit').click();
  await waitForPath(page, '/');
}

async function createKeyByApi(token, name) {
  const response = await fetch(`${server.url}/api/v1/api-keys`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, scopes: ['read'] }),
    signal: AbortSignal.timeout(WAIT_MS),
  });
  assert.equal(response.status, 201, await response.clone().text());
}

async function signUpByApi(email) {
  const response = await fetch(`${server.url}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ store_name: 'Harbour Books', email, password: PASSWORD }),
    signal: AbortSignal.timeout(WAIT_MS),
  });
  assert.equal(response.status, 201, await response.clone().text());
  return response.json();
}

/** Waits until the element's text contains `expected`. */
async function assertText(locator, expected) {
  await locator.first().waitFor();
  const deadline = Date.now() + WAIT_MS;
  let text = '';
  while (Date.now() < deadline) {
    text = (await locator.first().textContent()) ?? '';
    if (text.includes(expected)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`expected ${JSON.stringify(expected)} in ${JSON.stringify(text)}`);
}
