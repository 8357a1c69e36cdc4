// Canned replies in the inbox against the real server: the merchant adds one from the picker
// beside the reply box, and "/" picks it, filled in for the customer the storefront named.
import assert from 'node:assert/strict';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { openBrowser, WAIT_MS } from './browser.mjs';
import { startServer } from './server.mjs';

const TEST_TIMEOUT_MS = 180_000;
const PASSWORD = 'correct horse battery';
// Polling runs every 5 seconds, so what it brings may take a little longer than one.
const POLL_WAIT_MS = 15_000;

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

async function reserveNumber(token, areaCode) {
  const available = await api(token, `/numbers/available?country=US&area_code=${areaCode}`);
  assert.equal(available.status, 200, JSON.stringify(available.body));
  const phoneNumber = available.body.items[0].phone_number;
  const reserved = await api(token, '/numbers', { method: 'POST', body: JSON.stringify({ phone_number: phoneNumber }) });
  assert.equal(reserved.status, 201, JSON.stringify(reserved.body));
  return phoneNumber;
}

/**
 * A customer's text, as the simulator delivers it: Twilio's form fields, signed with the key the
 * server derives from its session secret, over the URL the server believes it is reached at.
 */
async function textTheStore(from, to, body) {
  const secret = readFileSync(join(server.dataDir, 'jwt_secret'));
  const key = createHash('sha256').update('simulator webhooks:').update(secret).digest('hex');
  const sid = `SM${createHash('sha256').update(`${from}${body}${Date.now()}${Math.random()}`).digest('hex').slice(0, 32)}`;
  const params = {
    MessageSid: sid,
    SmsMessageSid: sid,
    AccountSid: 'ACsimulator0000000000000000000000',
    From: from,
    To: to,
    Body: body,
    NumMedia: '0',
    NumSegments: '1',
    SmsStatus: 'received',
    ApiVersion: '2010-04-01',
  };
  // With BIND_ADDR on port 0 and no PUBLIC_BASE_URL, the server's public URL keeps port 0.
  const signedUrl = 'http://127.0.0.1:0/webhooks/twilio/sms';
  const data = Object.keys(params)
    .sort()
    .map((name) => name + params[name])
    .join('');
  const signature = createHmac('sha1', key).update(signedUrl + data).digest('base64');
  const response = await fetch(`${server.url}/webhooks/twilio/sms`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature },
    body: new URLSearchParams(params).toString(),
    signal: AbortSignal.timeout(WAIT_MS),
  });
  assert.ok(response.ok, `webhook answered ${response.status}: ${await response.text()}`);
}

async function openSignedIn(page, session, path) {
  await page.goto(`${server.url}/login`);
  await page.evaluate((s) => localStorage.setItem('textback.session', JSON.stringify(s)), session);
  await page.goto(`${server.url}${path}`);
}

/** Waits until `check()` is true, polling. */
async function eventually(check, what, timeout = WAIT_MS) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function assertText(locator, expected, timeout = WAIT_MS) {
  let text = '';
  await eventually(async () => {
    text = (await locator.first().textContent().catch(() => '')) ?? '';
    return text.includes(expected);
  }, `${JSON.stringify(expected)} in ${JSON.stringify(text)}`, timeout);
}


/** An events key, as a storefront integration would hold. */
async function eventsKey(token) {
  const created = await api(token, '/api-keys', { method: 'POST', body: JSON.stringify({ name: 'Storefront', scopes: ['events'] }) });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.secret;
}

test('the merchant adds a canned reply and picks it with "/", filled in for the customer', { timeout: TEST_TIMEOUT_MS }, async () => {
  const browser = await openBrowser();
  const { page } = browser;
  try {
    const session = await signUpByApi(uniqueEmail('canned'));
    const token = session.token;
    const storeNumber = await reserveNumber(token, '415');
    const ada = '+12125550163';

    // The storefront tells us her name at checkout; then she texts the store.
    const key = await eventsKey(token);
    const event = await api(key, '/events', {
      method: 'POST',
      body: JSON.stringify({
        id: `evt_${randomUUID()}`,
        type: 'checkout.updated',
        occurred_at: new Date().toISOString(),
        customer: { first_name: 'Ada', phone: ada, sms_consent: { status: 'granted', source: 'checkout' } },
        cart: { id: 'c-canned-1', currency: 'USD', total: '12.00', recovery_url: 'https://shop.example.com/cart/c-canned-1', line_items: [{ title: 'Notebook', quantity: 1, price: '12.00' }] },
      }),
    });
    assert.ok([200, 201, 202].includes(event.status), JSON.stringify(event.body));
    await textTheStore(ada, storeNumber, 'Is my order on its way?');
    let threadId;
    await eventually(async () => {
      const threads = await api(token, '/threads');
      threadId = threads.body?.items?.[0]?.id;
      return threadId !== undefined;
    }, 'the thread');

    // Another reply exists already, so the "/" filter has something to leave out.
    const other = await api(token, '/canned-replies', { method: 'POST', body: JSON.stringify({ name: 'Shipping times', body: 'Orders ship within 2 days.' }) });
    assert.equal(other.status, 201, JSON.stringify(other.body));

    await openSignedIn(page, session, `/inbox/${threadId}`);
    await byTestId(page, 'message').filter({ hasText: 'on its way' }).waitFor();

    // The button opens the picker; the form beside the list adds a reply.
    await byTestId(page, 'canned-replies-button').click();
    await byTestId(page, 'canned-picker').waitFor();
    await assertText(byTestId(page, 'canned-reply-item'), 'Shipping times');
    await byTestId(page, 'canned-new').click();
    await assertText(byTestId(page, 'canned-variables'), '{{ tracking_number }}');
    await byTestId(page, 'canned-name').fill('Thanks');
    // The refusals below are answered 422, which Chromium logs.
    browser.expectConsoleError(/status of 422/);
    // An unknown variable is the API's 422, shown under the text.
    await byTestId(page, 'canned-body').fill('Hi {{ nickname }}, thanks for writing!');
    await byTestId(page, 'canned-save').click();
    await assertText(byTestId(page, 'canned-body-error'), 'nickname');
    await browser.screenshot('inbox-canned-picker', { fullPage: false });
    await byTestId(page, 'canned-body').fill('Hi {{ first_name }}, thanks for writing!');
    await byTestId(page, 'canned-save').click();
    await byTestId(page, 'canned-form').waitFor({ state: 'detached' });
    await eventually(async () => (await byTestId(page, 'canned-reply-item').count()) === 2, 'both replies listed');
    // A name already in use is refused on the name.
    await byTestId(page, 'canned-new').click();
    await byTestId(page, 'canned-name').fill('Thanks');
    await byTestId(page, 'canned-body').fill('Thank you!');
    await byTestId(page, 'canned-save').click();
    await byTestId(page, 'canned-name-error').waitFor();
    await byTestId(page, 'canned-cancel').click();

    // Escape closes it and gives the reply box back.
    await byTestId(page, 'canned-reply-item').first().focus();
    await page.keyboard.press('Escape');
    await byTestId(page, 'canned-picker').waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'composer-input');

    // "/" in the empty box opens it; what follows filters it; Escape from the box closes it too.
    await page.keyboard.type('/');
    await byTestId(page, 'canned-picker').waitFor();
    await page.keyboard.press('Escape');
    await byTestId(page, 'canned-picker').waitFor({ state: 'detached' });
    await byTestId(page, 'composer-input').fill('');
    await byTestId(page, 'composer-input').focus();
    await page.keyboard.type('/than');
    await eventually(async () => (await byTestId(page, 'canned-reply-item').count()) === 1, 'the filter to leave one reply');
    await assertText(byTestId(page, 'canned-reply-item'), 'Thanks');
    await byTestId(page, 'canned-reply-item').click();

    // The reply filled in for Ada replaces "/than", focused and ready to send.
    await eventually(async () => (await byTestId(page, 'composer-input').inputValue()) === 'Hi Ada, thanks for writing!', 'the filled-in reply');
    await byTestId(page, 'canned-picker').waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'composer-input');
    await browser.screenshot('inbox-canned-reply', { fullPage: false });
    await page.keyboard.press('Enter');
    const sent = byTestId(page, 'message').filter({ hasText: 'Hi Ada, thanks for writing!' });
    await sent.waitFor();
    assert.equal(await sent.getAttribute('data-direction'), 'outbound');

    // Enter after "/" takes the first match instead of sending the "/…".
    await page.keyboard.type('/ship');
    await eventually(async () => (await byTestId(page, 'canned-reply-item').count()) === 1, 'the shipping reply alone');
    await page.keyboard.press('Enter');
    await eventually(async () => (await byTestId(page, 'composer-input').inputValue()) === 'Orders ship within 2 days.', 'the shipping reply in the box');

    assert.deepEqual(browser.problems(), [], 'the page logged errors');
  } catch (error) {
    await browser.screenshot('canned-replies-failure').catch(() => {});
    throw error;
  } finally {
    await browser.close();
  }
});
