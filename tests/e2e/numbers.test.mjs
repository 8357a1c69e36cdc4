// Choosing, holding and releasing the store's SMS number, against the real server and its
// embedded SMS simulator (60 numbers per area code, none in about one area code in thirteen).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { openBrowser, WAIT_MS } from './browser.mjs';
import { startServer } from './server.mjs';

const TEST_TIMEOUT_MS = 120_000;
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
const national = (e164) => `(${e164.slice(2, 5)}) ${e164.slice(5, 8)}-${e164.slice(8)}`;

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

async function numbersShown(page) {
  return byTestId(page, 'available-number').evaluateAll((rows) => rows.map((row) => row.dataset.number));
}

/** Clicks a "Search by" choice as a person would: its radio button is drawn by the label. */
async function searchBy(page, choice) {
  const radio = byTestId(page, `search-by-${choice}`);
  if (!(await radio.isChecked())) await radio.locator('xpath=..').click();
  assert.ok(await radio.isChecked());
}

async function searchAreaCode(page, code) {
  await searchBy(page, 'area-code');
  await byTestId(page, 'number-area-code').fill(code);
  await byTestId(page, 'number-search-submit').click();
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

async function waitForCount(locator, count) {
  const deadline = Date.now() + WAIT_MS;
  let seen = 0;
  while (Date.now() < deadline) {
    seen = await locator.count();
    if (seen === count) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`expected ${count} elements, saw ${seen}`);
}

test('sign up, find a number, load more, reserve it, then release it', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withBrowser({}, async (browser) => {
    const { page } = browser;
    await page.goto(`${server.url}/signup`);
    await byTestId(page, 'signup-store-name').fill('Maple & Pine Outfitters');
    await byTestId(page, 'signup-email').fill(uniqueEmail('numbers'));
    await byTestId(page, 'signup-password').fill(PASSWORD);
    await byTestId(page, 'signup-submit').click();
    await waitForPath(page, '/');
    await assertText(byTestId(page, 'overview-sms-off'), 'SMS is off — pick a number');
    const token = await sessionToken(page);

    // Settings → SMS number says SMS is off, with the way to a number.
    await byTestId(page, 'nav-sms-number').click();
    await waitForPath(page, '/settings/number');
    await byTestId(page, 'sms-off').waitFor();
    assert.equal(await byTestId(page, 'past-numbers').count(), 0);
    await byTestId(page, 'pick-number').click();

    // The charges are stated before anything is reserved, with the server's prices.
    await waitForPath(page, '/numbers');
    assert.equal(await byTestId(page, 'nav-sms-number').getAttribute('aria-current'), 'page');
    const { body: usage } = await api(token, '/usage');
    const notice = byTestId(page, 'sms-charges');
    await assertText(notice, 'Using SMS adds charges to your account');
    await assertText(byTestId(page, 'price-per-segment'), usage.charges.price_per_segment);
    await assertText(byTestId(page, 'price-per-number'), usage.charges.price_per_number_month);
    await byTestId(page, 'search-prompt').waitFor();
    await browser.screenshot('numbers-start');

    // Area code 415: a first page of 20, then 20 more, none repeated.
    await searchAreaCode(page, '415');
    const rows = byTestId(page, 'available-number');
    await waitForCount(rows, 20);
    await assertText(byTestId(page, 'results-heading'), 'Numbers in area code 415');
    const first = await numbersShown(page);
    assert.ok(first.every((n) => n.startsWith('+1415')), `all in 415: ${first}`);
    await assertText(rows.first(), national(first[0]));
    await assertText(rows.first(), 'SMS');
    await browser.screenshot('numbers-415');

    await byTestId(page, 'load-more').click();
    await waitForCount(rows, 40);
    const both = await numbersShown(page);
    assert.deepEqual(both.slice(0, 20), first, 'the first page stays as it was');
    assert.equal(new Set(both).size, 40, 'no number is shown twice');
    assert.ok(both.every((n) => n.startsWith('+1415')));

    // Reserve one: the confirmation states the charges.
    const chosen = both[25];
    await rows.nth(25).locator('[data-testid="reserve-number"]').click();
    const dialog = byTestId(page, 'confirm-dialog');
    await assertText(dialog, `Reserve ${national(chosen)}?`);
    await assertText(byTestId(page, 'reserve-charges'), usage.charges.price_per_segment);
    await assertText(byTestId(page, 'reserve-charges'), usage.charges.price_per_number_month);
    await page.mouse.move(0, 0);
    await browser.screenshot('numbers-reserve-confirm', { fullPage: false });
    await byTestId(page, 'confirm-ok').click();

    await waitForPath(page, '/settings/number');
    await assertText(byTestId(page, 'reserved-notice'), national(chosen));
    await assertText(byTestId(page, 'current-number-national'), national(chosen));
    await assertText(byTestId(page, 'sms-status'), 'SMS is on');
    await assertText(byTestId(page, 'current-number-by'), 'You (');
    assert.notEqual((await byTestId(page, 'current-number-since').textContent()).trim(), '');
    await assertText(byTestId(page, 'usage-days'), '1');
    await browser.screenshot('number-settings-active');

    const reserved = await api(token, '/numbers');
    assert.equal(reserved.status, 200);
    assert.equal(reserved.body.active.phone_number, chosen);
    assert.equal(reserved.body.active.status, 'active');

    // The overview and the numbers page both know the store has a number now.
    await byTestId(page, 'nav-overview').click();
    await assertText(byTestId(page, 'overview-sms-number'), national(chosen));
    await browser.screenshot('overview-sms-on');
    await byTestId(page, 'overview-sms-link').click();
    await waitForPath(page, '/settings/number');
    await page.goto(`${server.url}/numbers`);
    await assertText(byTestId(page, 'number-already-national'), national(chosen));
    assert.equal(await byTestId(page, 'number-search-form').count(), 0, 'no second number is offered');
    await byTestId(page, 'go-number-settings').click();
    await waitForPath(page, '/settings/number');

    // Release: the button waits until the number is typed back, in any format.
    await byTestId(page, 'release-number').click();
    await assertText(dialog, `Release ${national(chosen)}?`);
    const consequences = byTestId(page, 'release-consequences');
    await assertText(consequences, 'Every SMS campaign stops immediately');
    await assertText(consequences, 'likely cannot be recovered');
    await assertText(consequences, 'SMS charges stop as of today');
    const confirm = byTestId(page, 'confirm-ok');
    const input = byTestId(page, 'release-confirm-input');
    assert.ok(await confirm.isDisabled(), 'disabled before anything is typed');
    await input.fill(chosen.slice(2, 8));
    assert.ok(await confirm.isDisabled(), 'disabled with part of the number');
    const wrongLast = chosen.endsWith('9') ? '8' : '9';
    await input.fill(`${chosen.slice(2, -1)}${wrongLast}`);
    assert.ok(await confirm.isDisabled(), 'disabled with another number');
    await page.mouse.move(0, 0);
    await browser.screenshot('number-release-confirm', { fullPage: false });
    const d = chosen.slice(2);
    await input.fill(`1-${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6)}`);
    await page.waitForFunction(() => !document.querySelector('[data-testid="confirm-ok"]').disabled, null, {
      timeout: WAIT_MS,
    });
    await confirm.click();
    await dialog.waitFor({ state: 'detached' });

    await byTestId(page, 'sms-off').waitFor();
    await assertText(byTestId(page, 'released-notice'), `${national(chosen)} was released`);
    const past = byTestId(page, 'released-number');
    await assertText(past, national(chosen));
    assert.match((await past.first().locator('[data-testid="released-at"]').textContent()).trim(), /\d{4}/);
    await browser.screenshot('number-settings-released');

    const afterRelease = await api(token, '/numbers');
    assert.equal(afterRelease.body.active, null);
    assert.equal(afterRelease.body.released[0].phone_number, chosen);
    assert.equal(afterRelease.body.released[0].status, 'released');
    assert.ok(afterRelease.body.released[0].released_at);

    // SMS is off; the way back is a new number.
    await byTestId(page, 'pick-number').click();
    await waitForPath(page, '/numbers');
    await byTestId(page, 'number-search-form').waitFor();
  });
});

test('an area code without numbers suggests nearby ones; a state search finds numbers', { timeout: TEST_TIMEOUT_MS }, async () => {
  const session = await signUpByApi(uniqueEmail('search'));
  await withBrowser({}, async (browser) => {
    const { page } = browser;
    await openSignedIn(page, session, '/numbers');
    await byTestId(page, 'number-search-form').waitFor();

    // Mistakes are explained under the field before anything is sent.
    await searchAreaCode(page, '41');
    await assertText(byTestId(page, 'number-area-code-error'), 'three digits');
    await searchAreaCode(page, '416');
    await assertText(byTestId(page, 'number-area-code-error'), 'Canada');
    await browser.screenshot('numbers-area-code-error');

    // 312 (Chicago) has no numbers in the simulator.
    await searchAreaCode(page, '312');
    await byTestId(page, 'empty-state').waitFor();
    assert.equal(await byTestId(page, 'number-area-code-error').count(), 0, 'the error clears');
    const { body: empty } = await api(session.token, '/numbers/available?country=US&area_code=312');
    assert.deepEqual(empty.items, []);
    await assertText(byTestId(page, 'search-hint'), empty.hint);
    const buttons = byTestId(page, 'nearby-area-code');
    await waitForCount(buttons, empty.nearby_area_codes.length);
    assert.ok(empty.nearby_area_codes.length > 0);
    await browser.screenshot('numbers-empty');

    // A nearby code that has numbers searches it.
    let withNumbers;
    for (const code of empty.nearby_area_codes) {
      const { body } = await api(session.token, `/numbers/available?country=US&area_code=${code}&limit=1`);
      if (body.items.length > 0) {
        withNumbers = String(code);
        break;
      }
    }
    assert.ok(withNumbers, 'some nearby area code has numbers');
    await buttons.filter({ hasText: withNumbers }).click();
    await assertText(byTestId(page, 'results-heading'), `Numbers in area code ${withNumbers}`);
    assert.equal(await byTestId(page, 'number-area-code').inputValue(), withNumbers);
    await waitForCount(byTestId(page, 'available-number'), 20);

    // By state: Texas.
    await searchBy(page, 'region');
    await byTestId(page, 'number-region').selectOption('TX');
    await byTestId(page, 'number-search-submit').click();
    await assertText(byTestId(page, 'results-heading'), 'Numbers in Texas');
    await waitForCount(byTestId(page, 'available-number'), 20);
    await assertText(byTestId(page, 'available-number').first(), 'TX');
    await browser.screenshot('numbers-texas');

    // Canada lists provinces, not states.
    await byTestId(page, 'number-country').selectOption('CA');
    await byTestId(page, 'search-prompt').waitFor();
    const provinces = await byTestId(page, 'number-region').locator('option').allTextContents();
    assert.ok(provinces.includes('Ontario'), provinces.join(', '));
    assert.ok(!provinces.includes('Texas'));
    await byTestId(page, 'number-search-submit').click();
    await assertText(byTestId(page, 'number-region-error'), 'Choose a province or territory.');
  });
});

test('with ?next, reserving returns there; signed-out visitors keep the whole address', { timeout: TEST_TIMEOUT_MS }, async () => {
  const email = uniqueEmail('next');
  const session = await signUpByApi(email);
  await withBrowser({}, async (browser) => {
    const { page } = browser;
    await page.goto(`${server.url}/numbers?next=/settings/api-keys`);
    await waitForPath(page, '/login');
    assert.equal(new URL(page.url()).searchParams.get('next'), '/numbers?next=/settings/api-keys');
    await byTestId(page, 'login-email').fill(email);
    await byTestId(page, 'login-password').fill(PASSWORD);
    await byTestId(page, 'login-submit').click();
    await waitForPath(page, '/numbers');

    await searchAreaCode(page, '212');
    await waitForCount(byTestId(page, 'available-number'), 20);
    const [chosen] = await numbersShown(page);
    await byTestId(page, 'reserve-number').first().click();
    await byTestId(page, 'confirm-ok').click();
    await waitForPath(page, '/settings/api-keys');

    const { body } = await api(session.token, '/numbers');
    assert.equal(body.active.phone_number, chosen);
  });
});

test('a number taken meanwhile, or a number reserved in another tab, is explained', { timeout: TEST_TIMEOUT_MS }, async () => {
  const session = await signUpByApi(uniqueEmail('race'));
  const rival = await signUpByApi(uniqueEmail('rival'));
  await withBrowser({}, async (browser) => {
    const { page } = browser;
    browser.expectConsoleError(/status of 409/);
    await openSignedIn(page, session, '/numbers');
    await searchAreaCode(page, '415');
    await waitForCount(byTestId(page, 'available-number'), 20);
    const [first, second, third] = await numbersShown(page);
    const reserveByApi = (token, phone_number) =>
      api(token, '/numbers', { method: 'POST', body: JSON.stringify({ phone_number }) });

    // Another store takes the first number while the page shows it.
    await byTestId(page, 'reserve-number').first().click();
    assert.equal((await reserveByApi(rival.token, first)).status, 201);
    await byTestId(page, 'confirm-ok').click();
    const alert = byTestId(page, 'confirm-dialog').locator('[role="alert"]');
    await assertText(alert, 'Someone else just reserved this number');
    assert.ok(await byTestId(page, 'confirm-ok').isDisabled(), 'no point trying the same number again');
    await browser.screenshot('numbers-reserve-taken', { fullPage: false });
    await byTestId(page, 'confirm-cancel').click();
    await byTestId(page, 'confirm-dialog').waitFor({ state: 'detached' });
    await waitForCount(byTestId(page, 'available-number'), 19);
    assert.ok(!(await numbersShown(page)).includes(first), 'the taken number leaves the list');

    // Another tab reserves a number for this store: the page then shows that number.
    await byTestId(page, 'reserve-number').first().click();
    assert.equal((await reserveByApi(session.token, third)).status, 201);
    await byTestId(page, 'confirm-ok').click();
    await assertText(alert, `Your store already has a number: ${national(third)}`);
    assert.ok(await byTestId(page, 'confirm-ok').isDisabled());
    await byTestId(page, 'confirm-cancel').click();
    await assertText(byTestId(page, 'number-already-national'), national(third));
    assert.equal(pathOf(page), '/numbers');
    const { body } = await api(session.token, '/numbers');
    assert.equal(body.active.phone_number, third, `not ${second}`);
  });
});

test('the number pages work at phone width', { timeout: TEST_TIMEOUT_MS }, async () => {
  const session = await signUpByApi(uniqueEmail('phone'));
  const { body: page1 } = await api(session.token, '/numbers/available?country=US&area_code=415&limit=1');
  const reserved = await api(session.token, '/numbers', {
    method: 'POST',
    body: JSON.stringify({ phone_number: page1.items[0].phone_number }),
  });
  assert.equal(reserved.status, 201);
  const released = await api(session.token, `/numbers/${reserved.body.id}`, { method: 'DELETE' });
  assert.equal(released.status, 204);

  await withBrowser({ viewport: { width: 390, height: 844 } }, async (browser) => {
    const { page } = browser;
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

    await openSignedIn(page, session, '/numbers');
    await searchAreaCode(page, '415');
    await waitForCount(byTestId(page, 'available-number'), 20);
    assert.ok((await overflow()) <= 0, `the numbers page scrolls sideways by ${await overflow()}px`);
    await browser.screenshot('numbers-phone', { fullPage: false });
    await byTestId(page, 'available-number').first().scrollIntoViewIfNeeded();
    await browser.screenshot('numbers-phone-results', { fullPage: false });

    await page.goto(`${server.url}/settings/number`);
    await byTestId(page, 'released-number').waitFor();
    await byTestId(page, 'usage').waitFor();
    assert.ok((await overflow()) <= 0, `the settings page scrolls sideways by ${await overflow()}px`);
    await browser.screenshot('number-settings-phone');
  });
});

test('Store settings end with Release Number, which asks for the release of the store number', { timeout: TEST_TIMEOUT_MS }, async () => {
  const session = await signUpByApi(uniqueEmail('release-from-settings'));
  const { body: offered } = await api(session.token, '/numbers/available?country=US&area_code=415&limit=1');
  const number = offered.items[0].phone_number;
  const reserved = await api(session.token, '/numbers', { method: 'POST', body: JSON.stringify({ phone_number: number }) });
  assert.equal(reserved.status, 201);

  await withBrowser({}, async (browser) => {
    const { page } = browser;
    await openSignedIn(page, session, '/settings');
    await assertText(byTestId(page, 'settings-number-national'), national(number));
    await byTestId(page, 'settings-release-number').click();
    await waitForPath(page, '/settings/number');
    const dialog = byTestId(page, 'confirm-dialog');
    await assertText(dialog, `Release ${national(number)}?`);
    await assertText(byTestId(page, 'release-consequences'), 'SMS charges stop as of today');
    // Cancelled, it is not asked again, and the number stays.
    await byTestId(page, 'confirm-cancel').click();
    await dialog.waitFor({ state: 'detached' });
    await assertText(byTestId(page, 'current-number-national'), national(number));
    const { body } = await api(session.token, '/numbers');
    assert.equal(body.active.phone_number, number);
  });
});
