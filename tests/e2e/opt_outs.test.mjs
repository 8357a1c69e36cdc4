// The Opt-outs page and the inbox's Unsubscribe against the real server: numbers added by the
// store (with one unreadable and one already listed), search, the CSV export, resubscribing on
// evidence of new consent, and a customer unsubscribed by hand from the conversation's pane.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { openBrowser } from './browser.mjs';
import { startServer } from './server.mjs';
import { uniqueEmail, byTestId, national, eventually, assertText, storeHelpers } from './store_support.mjs';

const TEST_TIMEOUT_MS = 180_000;
// The inbox hears of changes on its live stream at once.
const LIVE_WAIT_MS = 8_000;
// The API's page size for the list.
const PAGE_SIZE = 50;

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

const rows = (page) => byTestId(page, 'opt-out-row');
const rowFor = (page, e164) => page.locator(`[data-testid="opt-out-row"][data-phone="${e164}"]`);

const { api, signUpByApi, reserveNumber, textTheStore, openSignedIn } = storeHelpers(() => server);

const rowCount = (page, expected, what) => eventually(async () => (await rows(page).count()) === expected, what);

test('the store adds, finds, exports and resubscribes opted-out numbers', { timeout: TEST_TIMEOUT_MS }, async () => {
  const browser = await openBrowser();
  const { page } = browser;
  try {
    const session = await signUpByApi(uniqueEmail('opt-outs'));
    const token = session.token;

    // Before anything: the empty state says what the list is.
    await openSignedIn(page, session, '/opt-outs');
    await assertText(byTestId(page, 'empty-state'), 'No one has opted out');
    await assertText(byTestId(page, 'empty-state'), 'never texts a number on this list');
    assert.equal(await byTestId(page, 'nav-opt-outs').getAttribute('aria-current'), 'page');

    // One number is on the list already, added through the API.
    const listed = '+16175550100';
    const early = await api(token, '/opt-outs', { method: 'POST', body: JSON.stringify({ phones: [listed], note: 'asked by email' }) });
    assert.equal(early.status, 200, JSON.stringify(early.body));

    // Adding a pasted list: lines and commas, written any way, one unreadable, one listed.
    const [alice, bob, carol] = ['+12125550147', '+13125550188', '+14155550123'];
    await byTestId(page, 'open-add-opt-outs').click();
    await byTestId(page, 'opt-out-numbers').fill('(212) 555-0147, +1 312 555 0188\n415.555.0123\nnot a number\n617-555-0100\n');
    await byTestId(page, 'opt-out-note-input').fill('Suppression list from the old shop');
    await byTestId(page, 'add-opt-outs-submit').click();
    const result = byTestId(page, 'add-opt-outs-result');
    await assertText(result.locator('[data-testid="add-result-added"]'), '3 numbers added.');
    await assertText(result.locator('[data-testid="add-result-already"]'), '1 was already on the list.');
    assert.equal((await result.locator('[data-testid="add-result-invalid"] li').allTextContents()).join('|'), 'not a number');
    // What could not be read stays in the box to be corrected.
    assert.equal(await byTestId(page, 'opt-out-numbers').inputValue(), 'not a number');

    // The list, most recent first, for people: the number, how, and the note.
    await rowCount(page, 4, 'four opted-out numbers');
    await assertText(rowFor(page, alice).locator('[data-testid="opt-out-phone"]'), national(alice));
    await assertText(rowFor(page, alice).locator('[data-testid="opt-out-source"]'), 'By the store');
    await assertText(rowFor(page, alice).locator('[data-testid="opt-out-note"]'), 'Suppression list from the old shop');
    await assertText(rowFor(page, listed).locator('[data-testid="opt-out-note"]'), 'asked by email');
    assert.equal(await rows(page).last().getAttribute('data-phone'), listed);
    await browser.screenshot('opt-outs-list');

    // Emptying the box and sending says what is missing, without asking the server.
    await byTestId(page, 'opt-out-numbers').fill('  \n , ');
    await byTestId(page, 'add-opt-outs-submit').click();
    await assertText(byTestId(page, 'opt-out-numbers-error'), 'Enter at least one number');

    // Search matches the number however it is typed.
    await byTestId(page, 'opt-outs-search').fill('(312) 555');
    await eventually(async () => (await rows(page).count()) === 1 && (await rows(page).first().getAttribute('data-phone')) === bob, 'the search');
    await byTestId(page, 'opt-outs-search').fill('999 999');
    await assertText(byTestId(page, 'empty-state'), 'No opted-out numbers match');
    await byTestId(page, 'opt-outs-search').fill('');
    await rowCount(page, 4, 'the whole list again');

    // Export CSV: the file the browser downloads is the API's export.
    const [download] = await Promise.all([page.waitForEvent('download'), byTestId(page, 'export-opt-outs').click()]);
    assert.match(download.suggestedFilename(), /^opt-outs-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    const lines = csv.trim().split('\n');
    assert.equal(lines[0], 'phone,opted_out_at,source,note');
    assert.equal(lines.length, 5, csv);
    assert.ok(lines.some((line) => line.startsWith(`${alice},`) && line.endsWith(',manual,Suppression list from the old shop')), csv);

    // Resubscribe asks for the evidence of new consent, and will not go ahead without enough.
    await rowFor(page, carol).locator('[data-testid="resubscribe"]').click();
    const dialog = byTestId(page, 'confirm-dialog');
    await assertText(dialog, `Resubscribe ${national(carol)}?`);
    await assertText(dialog, 'agreed to get texts again');
    assert.ok(await byTestId(page, 'confirm-ok').isDisabled());
    await byTestId(page, 'resubscribe-evidence').fill('ok');
    assert.ok(await byTestId(page, 'confirm-ok').isDisabled());
    await byTestId(page, 'resubscribe-evidence').fill('Signed the SMS consent form in store on Dec 4');
    await byTestId(page, 'confirm-ok').click();
    await dialog.waitFor({ state: 'detached' });
    await rowCount(page, 3, 'the resubscribed number to leave the list');
    assert.equal(await rowFor(page, carol).count(), 0);
    const remaining = await api(token, '/opt-outs');
    assert.deepEqual(remaining.body.items.map((o) => o.phone).sort(), [alice, bob, listed].sort());

    // More than a page: the rest comes with Load more.
    const many = Array.from({ length: PAGE_SIZE }, (_, i) => `+164655501${String(i).padStart(2, '0')}`);
    const bulk = await api(token, '/opt-outs', { method: 'POST', body: JSON.stringify({ phones: many }) });
    assert.equal(bulk.body.added, PAGE_SIZE, JSON.stringify(bulk.body));
    await page.reload();
    await rowCount(page, PAGE_SIZE, 'the first page');
    await byTestId(page, 'load-more').click();
    await rowCount(page, PAGE_SIZE + 3, 'every opted-out number');
    assert.equal(await byTestId(page, 'load-more').count(), 0);

    assert.deepEqual(browser.problems(), [], 'the page logged errors');
  } catch (error) {
    await browser.screenshot('opt-outs-failure').catch(() => {});
    throw error;
  } finally {
    await browser.close();
  }
});

test('the merchant unsubscribes a customer from the inbox', { timeout: TEST_TIMEOUT_MS }, async () => {
  const browser = await openBrowser();
  const { page } = browser;
  try {
    const session = await signUpByApi(uniqueEmail('unsubscribe'));
    const token = session.token;
    const storeNumber = await reserveNumber(token, '415');
    const dana = '+17185550166';
    await textTheStore(dana, storeNumber, 'Do you have gift cards?');

    await openSignedIn(page, session, '/inbox');
    const row = byTestId(page, 'thread-row').first();
    await assertText(row, national(dana), LIVE_WAIT_MS);
    await row.click();
    await byTestId(page, 'message').filter({ hasText: 'gift cards' }).waitFor();
    assert.ok(!(await byTestId(page, 'composer-input').isDisabled()));

    // Unsubscribe asks first; cancelling changes nothing.
    await byTestId(page, 'customer-unsubscribe').click();
    await assertText(byTestId(page, 'confirm-dialog'), `Unsubscribe ${national(dana)}?`);
    await byTestId(page, 'confirm-cancel').click();
    await byTestId(page, 'confirm-dialog').waitFor({ state: 'detached' });
    assert.equal(await byTestId(page, 'conversation-opted-out').count(), 0);

    // Confirmed: the thread is opted out at once, without a reload.
    await byTestId(page, 'customer-unsubscribe').click();
    await byTestId(page, 'confirm-ok').click();
    await byTestId(page, 'conversation-opted-out').waitFor();
    await assertText(byTestId(page, 'composer-disabled-reason'), 'This customer opted out');
    assert.ok(await byTestId(page, 'composer-input').isDisabled());
    await row.locator('[data-testid="thread-opted-out"]').waitFor();
    await assertText(byTestId(page, 'customer-consent'), 'Opted out by the store');
    assert.equal(await byTestId(page, 'customer-unsubscribe').count(), 0);
    await browser.screenshot('inbox-unsubscribed', { fullPage: false });

    // The number is on the Opt-outs page, as the store's doing.
    await byTestId(page, 'nav-opt-outs').click();
    const listed = rowFor(page, dana);
    await listed.waitFor();
    await assertText(listed.locator('[data-testid="opt-out-phone"]'), national(dana));
    await assertText(listed.locator('[data-testid="opt-out-source"]'), 'By the store');
    await assertText(listed.locator('[data-testid="opt-out-note"]'), 'unsubscribed by the store');

    assert.deepEqual(browser.problems(), [], 'the page logged errors');
  } catch (error) {
    await browser.screenshot('unsubscribe-failure').catch(() => {});
    throw error;
  } finally {
    await browser.close();
  }
});
