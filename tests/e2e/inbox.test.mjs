// The inbox against the real server: customers text the store through a signed webhook (as the
// simulator's `textback simulate-inbound` sends it), the merchant answers from the browser, and
// the dispatcher (every second in `serve`) sends the reply through the built-in simulator.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { openBrowser, WAIT_MS } from './browser.mjs';
import { startServer } from './server.mjs';
import { uniqueEmail, byTestId, pathOf, national, eventually, assertText, storeHelpers } from './store_support.mjs';

const TEST_TIMEOUT_MS = 180_000;
// Changes reach the page on the live stream at once; its fallback refresh runs only every
// 60 seconds, so a wait this short fails if the stream does not work.
const LIVE_WAIT_MS = 8_000;

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});


const { api, signUpByApi, reserveNumber, textTheStore, openSignedIn } = storeHelpers(() => server);

const rows = (page) => byTestId(page, 'thread-row');
const firstRowName = async (page) => (await rows(page).first().locator('[data-testid="thread-name"]').textContent()) ?? '';

test('customers text the store; the merchant reads and answers them in the inbox', { timeout: TEST_TIMEOUT_MS }, async () => {
  const browser = await openBrowser();
  const { page } = browser;
  try {
    const session = await signUpByApi(uniqueEmail('inbox'));
    const token = session.token;

    // Before any text: the empty state says what will appear here.
    await openSignedIn(page, session, '/inbox');
    await assertText(byTestId(page, 'empty-state'), 'No conversations yet');
    await assertText(byTestId(page, 'no-thread-selected'), 'Choose a conversation');
    // The inbox is the first entry of the main navigation.
    assert.equal(await page.locator('nav.sidenav a').first().getAttribute('data-testid'), 'nav-inbox');

    const storeNumber = await reserveNumber(token, '415');
    const alice = '+12125550147';
    const bob = '+13125550188';
    await textTheStore(alice, storeNumber, 'Hi! Is the blue notebook back in stock?');

    // The live stream brings the thread in, at the top, bold with its unread count.
    await assertText(rows(page), national(alice), LIVE_WAIT_MS);
    const aliceRow = rows(page).first();
    assert.equal(await aliceRow.getAttribute('data-unread'), 'true');
    assert.equal((await aliceRow.locator('[data-testid="thread-unread-count"]').textContent()).trim(), '1');
    assert.equal(await aliceRow.locator('.thread-name').evaluate((el) => getComputedStyle(el).fontWeight), '700');
    await assertText(aliceRow.locator('[data-testid="thread-snippet"]'), 'blue notebook');

    // Opening it shows the message, marks it read and names it in the URL.
    await aliceRow.click();
    const threadId = await aliceRow.getAttribute('data-thread-id');
    await page.waitForURL((url) => url.pathname === `/inbox/${threadId}`);
    const inbound = byTestId(page, 'message').filter({ hasText: 'blue notebook' });
    await inbound.waitFor();
    assert.equal(await inbound.getAttribute('data-direction'), 'inbound');
    await eventually(async () => (await rows(page).first().getAttribute('data-unread')) === 'false', 'the thread to be read');
    await eventually(async () => (await api(token, `/threads/${threadId}`)).body.unread_count === 0, 'the API to say read');

    // The customer beside the conversation.
    await assertText(byTestId(page, 'customer-phone'), national(alice));
    await assertText(byTestId(page, 'customer-consent'), 'No marketing consent recorded');

    // A reload keeps the thread open.
    await page.reload();
    await byTestId(page, 'message').filter({ hasText: 'blue notebook' }).waitFor();
    await assertText(byTestId(page, 'conversation-title'), national(alice));
    assert.equal(pathOf(page), `/inbox/${threadId}`);

    // r focuses the reply box; Enter sends, Shift+Enter breaks the line.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('r');
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'composer-input');
    await page.keyboard.type('Yes, it is!');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('Shall I hold one for you?');
    assert.equal(await byTestId(page, 'composer-input').inputValue(), 'Yes, it is!\nShall I hold one for you?');
    await assertText(byTestId(page, 'segment-counter'), '1 segment');
    await page.keyboard.press('Enter');
    const reply = byTestId(page, 'message').filter({ hasText: 'Shall I hold one for you?' });
    await reply.waitFor();
    assert.equal(await reply.getAttribute('data-direction'), 'outbound');
    assert.equal(await byTestId(page, 'composer-input').inputValue(), '');
    // The dispatcher sends it and the simulator delivers it; the stream brings the new status.
    await assertText(reply.locator('[data-testid="message-status"]'), 'Delivered', LIVE_WAIT_MS + WAIT_MS);
    await browser.screenshot('inbox-conversation', { fullPage: false });

    // A second customer's text moves their thread to the top.
    await textTheStore(bob, storeNumber, 'Do you ship to Chicago?');
    await eventually(async () => (await firstRowName(page)) === national(bob), "Bob's thread at the top", LIVE_WAIT_MS);
    assert.equal(await rows(page).first().getAttribute('data-unread'), 'true');
    assert.equal(await rows(page).count(), 2);

    // j/k move between threads when no text field has focus.
    await byTestId(page, 'composer-input').evaluate((el) => el.blur());
    await page.keyboard.press('k');
    const bobId = await rows(page).first().getAttribute('data-thread-id');
    await page.waitForURL((url) => url.pathname === `/inbox/${bobId}`);
    await byTestId(page, 'message').filter({ hasText: 'ship to Chicago' }).waitFor();
    await page.keyboard.press('j');
    await page.waitForURL((url) => url.pathname === `/inbox/${threadId}`);
    // Typed in the reply box, j is just a letter.
    await page.keyboard.press('r');
    await page.keyboard.type('j');
    assert.equal(pathOf(page), `/inbox/${threadId}`);
    assert.equal(await byTestId(page, 'composer-input').inputValue(), 'j');
    await byTestId(page, 'composer-input').fill('');

    // Back returns to the thread before.
    await page.goBack();
    await page.waitForURL((url) => url.pathname === `/inbox/${bobId}`);
    await byTestId(page, 'message').filter({ hasText: 'ship to Chicago' }).waitFor();

    // Bob says STOP: opted out, the composer says why it is off, the confirmation is a system text.
    await textTheStore(bob, storeNumber, 'STOP');
    await assertText(byTestId(page, 'composer-disabled-reason'), 'This customer opted out', LIVE_WAIT_MS);
    assert.ok(await byTestId(page, 'composer-input').isDisabled());
    await byTestId(page, 'conversation-opted-out').waitFor();
    const bobRow = rows(page).filter({ hasText: national(bob) });
    await bobRow.locator('[data-testid="thread-opted-out"]').waitFor({ timeout: LIVE_WAIT_MS });
    const confirmation = byTestId(page, 'message').and(page.locator('[data-kind="system"]'));
    await confirmation.first().waitFor({ timeout: LIVE_WAIT_MS + WAIT_MS });
    await assertText(confirmation.first(), 'unsubscribed');
    await assertText(confirmation.first().locator('[data-testid="message-label"]'), 'Automatic confirmation');
    await assertText(byTestId(page, 'customer-consent'), 'Opted out', LIVE_WAIT_MS);
    await browser.screenshot('inbox-opted-out', { fullPage: false });

    // The filters: only Bob is opted out, only Alice has our answer as the latest text.
    await byTestId(page, 'inbox-filter-opted_out').click();
    await eventually(async () => (await rows(page).count()) === 1 && (await firstRowName(page)) === national(bob), 'the opted-out filter');
    await byTestId(page, 'inbox-filter-all').click();
    await eventually(async () => (await rows(page).count()) === 2, 'all threads again');
    // Search by number, debounced.
    await byTestId(page, 'inbox-search').fill('212555');
    await eventually(async () => (await rows(page).count()) === 1 && (await firstRowName(page)) === national(alice), 'the search');

    assert.deepEqual(browser.problems(), [], 'the page logged errors');
  } catch (error) {
    await browser.screenshot('inbox-failure').catch(() => {});
    throw error;
  } finally {
    await browser.close();
  }
});
