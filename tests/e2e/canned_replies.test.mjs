// Canned replies in the inbox against the real server: the merchant adds one from the picker
// beside the reply box, and "/" picks it, filled in for the customer the storefront named.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import { openBrowser } from './browser.mjs';
import { startServer } from './server.mjs';
import { uniqueEmail, byTestId, eventually, assertText, storeHelpers } from './store_support.mjs';

const TEST_TIMEOUT_MS = 180_000;
// The inbox hears of changes on its live stream at once.
const LIVE_WAIT_MS = 8_000;

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});


const { api, signUpByApi, reserveNumber, textTheStore, openSignedIn } = storeHelpers(() => server);


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
