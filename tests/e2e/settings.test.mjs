// Settings → Store: the store's name and place, its sending hours and daily cap for marketing
// texts, checked in the browser by the same rules the API applies; and the person's password.
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

async function waitForPath(page, path) {
  await page.waitForURL((url) => url.pathname === path, { timeout: WAIT_MS });
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

async function api(token, path, init = {}) {
  const response = await fetch(`${server.url}/api/v1${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...init.headers },
    signal: AbortSignal.timeout(WAIT_MS),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
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

/** Starts the browser signed in as `session`, the way a reload after logging in would. */
async function openSignedIn(page, session, path) {
  await page.goto(`${server.url}/login`);
  await page.evaluate((s) => localStorage.setItem('textback.session', JSON.stringify(s)), session);
  await page.goto(`${server.url}${path}`);
}

async function sessionToken(page) {
  return page.evaluate(() => JSON.parse(localStorage.getItem('textback.session')).token);
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

/** Clicks a daily-cap choice as a person would: its radio button is drawn by the label. */
async function choosePerDay(page, n) {
  const radio = byTestId(page, `settings-per-day-${n}`);
  await radio.locator('xpath=..').click();
  assert.ok(await radio.isChecked(), `${n} a day is chosen`);
}

/** The choices the form shows, as the test sets them. */
async function formChoices(page) {
  return {
    name: await byTestId(page, 'settings-name').inputValue(),
    country: await byTestId(page, 'settings-country').inputValue(),
    region: await byTestId(page, 'settings-region').inputValue(),
    start: await byTestId(page, 'settings-start-hour').inputValue(),
    end: await byTestId(page, 'settings-end-hour').inputValue(),
    perDay: await page.locator('input[name="marketing-per-day"]:checked').inputValue(),
  };
}

test('sign up, set where the store is, its sending hours and daily cap, and find them kept after a reload', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withBrowser({}, async (browser) => {
    const { page } = browser;
    await page.goto(`${server.url}/signup`);
    await byTestId(page, 'signup-store-name').fill('Maple & Pine Outfitters');
    await byTestId(page, 'signup-email').fill(uniqueEmail('settings'));
    await byTestId(page, 'signup-password').fill(PASSWORD);
    await byTestId(page, 'signup-submit').click();
    await waitForPath(page, '/');

    await byTestId(page, 'nav-settings').click();
    await waitForPath(page, '/settings');
    await byTestId(page, 'settings-form').waitFor();
    assert.equal(await byTestId(page, 'nav-settings').getAttribute('aria-current'), 'page');
    assert.equal(await byTestId(page, 'nav-api-keys').getAttribute('aria-current'), null);

    // A new store: no place yet, our default hours, two texts a day.
    assert.deepEqual(await formChoices(page), {
      name: 'Maple & Pine Outfitters',
      country: 'US',
      region: '',
      start: '8',
      end: '20',
      perDay: '2',
    });
    const hint = byTestId(page, 'settings-hours-hint');
    await assertText(hint, 'The law allows marketing texts from 8:00 to 21:00');
    await assertText(hint, 'Stricter state rules still apply');
    await assertText(hint, 'Order notifications are not limited by these hours.');
    const hours = await byTestId(page, 'settings-start-hour').locator('option').allTextContents();
    assert.equal(hours[0], '8:00', 'no start before 8:00');
    const ends = await byTestId(page, 'settings-end-hour').locator('option').allTextContents();
    assert.equal(ends.at(-1), '21:00', 'no end after 21:00');
    assert.equal(await byTestId(page, 'settings-saved').count(), 0);
    await browser.screenshot('settings');

    await byTestId(page, 'settings-name').fill('Maple & Pine West');
    await byTestId(page, 'settings-region').selectOption('OR');
    await byTestId(page, 'settings-start-hour').selectOption('10');
    await byTestId(page, 'settings-end-hour').selectOption('18');
    await choosePerDay(page, 1);
    await assertText(byTestId(page, 'settings-per-day-sentence'), ' marketing text per customer per day.');
    await byTestId(page, 'settings-save').click();

    await assertText(byTestId(page, 'settings-saved'), 'Settings saved.');
    await assertText(byTestId(page, 'store-name'), 'Maple & Pine West');
    const saved = {
      name: 'Maple & Pine West',
      country: 'US',
      region: 'OR',
      start: '10',
      end: '18',
      perDay: '1',
    };
    assert.deepEqual(await formChoices(page), saved, 'the form keeps what was saved');
    await page.mouse.move(0, 0);
    await browser.screenshot('settings-saved');

    const { status, body } = await api(await sessionToken(page), '/store');
    assert.equal(status, 200);
    assert.equal(body.name, 'Maple & Pine West');
    assert.equal(body.country, 'US');
    assert.equal(body.region, 'OR');
    assert.deepEqual(body.sending_hours, { start_hour: 10, end_hour: 18 });
    assert.equal(body.marketing_per_day, 1);

    // Editing again takes the confirmation away: it only speaks for what was saved.
    await byTestId(page, 'settings-end-hour').selectOption('19');
    await byTestId(page, 'settings-saved').waitFor({ state: 'detached' });
    await byTestId(page, 'settings-end-hour').selectOption('18');

    await page.reload();
    await byTestId(page, 'settings-form').waitFor();
    assert.deepEqual(await formChoices(page), saved, 'a reload shows what was saved');
    await assertText(byTestId(page, 'store-name'), 'Maple & Pine West');
  });
});

test('impossible choices are refused in the browser, and the API refusing one is shown too', { timeout: TEST_TIMEOUT_MS }, async () => {
  const session = await signUpByApi(uniqueEmail('settings-invalid'));
  const located = await api(session.token, '/store', {
    method: 'PATCH',
    body: JSON.stringify({ country: 'US', region: 'TX' }),
  });
  assert.equal(located.status, 200, JSON.stringify(located.body));

  await withBrowser({}, async (browser) => {
    const { page } = browser;
    const patches = [];
    page.on('request', (request) => {
      if (request.method() === 'PATCH') patches.push(request.postDataJSON());
    });
    await openSignedIn(page, session, '/settings');
    await byTestId(page, 'settings-form').waitFor();
    assert.equal(await byTestId(page, 'settings-region').inputValue(), 'TX');

    // The start after the end: the shared check refuses it before anything is sent.
    await byTestId(page, 'settings-start-hour').selectOption('18');
    await byTestId(page, 'settings-end-hour').selectOption('10');
    await byTestId(page, 'settings-save').click();
    await assertText(byTestId(page, 'settings-hours-error'), 'Choose hours between 8:00 and 21:00, the start before the end.');
    assert.equal(await byTestId(page, 'settings-start-hour').getAttribute('aria-invalid'), 'true');
    assert.equal(await byTestId(page, 'settings-saved').count(), 0);
    await browser.screenshot('settings-invalid-hours');

    // Another country: the Texan state no longer applies, and a province must be chosen.
    await byTestId(page, 'settings-country').selectOption('CA');
    assert.equal(await byTestId(page, 'settings-region').inputValue(), '');
    await assertText(byTestId(page, 'settings-region-error'), 'Choose a province or territory.');
    await byTestId(page, 'settings-save').click();
    await assertText(byTestId(page, 'settings-hours-error'), 'the start before the end');
    assert.deepEqual(patches, [], 'nothing invalid was sent');

    // Fixed, the errors go as the fields change.
    await byTestId(page, 'settings-end-hour').selectOption('20');
    await byTestId(page, 'settings-hours-error').waitFor({ state: 'detached' });
    await byTestId(page, 'settings-region').selectOption('ON');
    await byTestId(page, 'settings-region-error').waitFor({ state: 'detached' });

    // What the API refuses is shown by the field it names (a value altered on the way out).
    browser.expectConsoleError(/status of 422/);
    await page.route('**/api/v1/store', (route) => {
      const request = route.request();
      if (request.method() !== 'PATCH') return route.continue();
      return route.continue({ postData: JSON.stringify({ ...request.postDataJSON(), marketing_per_day: 5 }) });
    });
    await choosePerDay(page, 3);
    await byTestId(page, 'settings-save').click();
    await assertText(byTestId(page, 'settings-per-day-error'), 'Choose 1 to 3 texts a day');
    assert.equal(await byTestId(page, 'settings-saved').count(), 0);
    await page.unroute('**/api/v1/store');

    await byTestId(page, 'settings-save').click();
    await assertText(byTestId(page, 'settings-saved'), 'Settings saved.');
    assert.equal(await byTestId(page, 'settings-per-day-error').count(), 0);
    // Only what changed is sent: the name stayed, so it is not.
    assert.deepEqual(patches.at(-1), {
      name: null,
      country: 'CA',
      region: 'ON',
      sending_hours: { start_hour: 18, end_hour: 20 },
      marketing_per_day: 3,
    });

    const { body } = await api(session.token, '/store');
    assert.equal(body.country, 'CA');
    assert.equal(body.region, 'ON');
    assert.deepEqual(body.sending_hours, { start_hour: 18, end_hour: 20 });
    assert.equal(body.marketing_per_day, 3);
  });
});

test('change the password: a wrong current one is refused, other devices are logged out, the new one logs in', { timeout: TEST_TIMEOUT_MS }, async () => {
  const email = uniqueEmail('password');
  const session = await signUpByApi(email);
  const login = (password) => fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
    signal: AbortSignal.timeout(WAIT_MS),
  });
  const otherDevice = (await (await login(PASSWORD)).json()).token;
  const NEW_PASSWORD = 'staple battery horse';
  await withBrowser({}, async (browser) => {
    const { page } = browser;
    // The wrong current password is refused with a 422, on purpose.
    browser.expectConsoleError(/status of 422/);
    await openSignedIn(page, session, '/settings');
    await byTestId(page, 'password-form').waitFor();

    await byTestId(page, 'password-current').fill('not my password');
    await byTestId(page, 'password-new').fill(NEW_PASSWORD);
    await byTestId(page, 'password-submit').click();
    await assertText(byTestId(page, 'password-current-error'), 'This is not your current password.');
    assert.equal((await api(otherDevice, '/me')).status, 200);

    await byTestId(page, 'password-current').fill(PASSWORD);
    await byTestId(page, 'password-submit').click();
    await assertText(byTestId(page, 'password-changed'), 'Password changed.');
    assert.equal(await byTestId(page, 'password-current').inputValue(), '');
    assert.equal((await api(otherDevice, '/me')).status, 401, 'the other device is logged out');
    assert.equal((await api(await sessionToken(page), '/me')).status, 200, 'this one is not');
    assert.equal((await login(PASSWORD)).status, 401);

    await byTestId(page, 'logout').click();
    await waitForPath(page, '/login');
    await byTestId(page, 'login-email').fill(email);
    await byTestId(page, 'login-password').fill(NEW_PASSWORD);
    await byTestId(page, 'login-submit').click();
    await waitForPath(page, '/');
  });
});
