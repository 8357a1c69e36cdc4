// Campaigns: an abandoned-cart flow built in the editor (live counter, preview, inline rules
// and advice), saved, activated through the number picker, then paused.
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

async function waitForPath(page, test) {
  const matches = typeof test === 'string' ? (p) => p === test : (p) => test.test(p);
  await page.waitForURL((url) => matches(url.pathname), { timeout: WAIT_MS });
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

async function textOf(locator) {
  return ((await locator.first().textContent()) ?? '').trim();
}

test('build an abandoned-cart flow, activate it through the number picker, pause it', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withBrowser({}, async (browser) => {
    const { page } = browser;
    // Activating before the store has a number answers 409 (number_required) on purpose.
    browser.expectConsoleError(/status of 409/);

    await page.goto(`${server.url}/signup`);
    await byTestId(page, 'signup-store-name').fill('Maple & Pine Outfitters');
    await byTestId(page, 'signup-email').fill(uniqueEmail('campaigns'));
    await byTestId(page, 'signup-password').fill(PASSWORD);
    await byTestId(page, 'signup-submit').click();
    await waitForPath(page, '/');

    // No campaigns yet: the empty state explains the four kinds.
    await byTestId(page, 'nav-campaigns').click();
    await waitForPath(page, '/campaigns');
    const empty = byTestId(page, 'empty-state');
    for (const kind of ['Abandoned cart', 'Order update', 'Order shipped', 'Order on hold']) {
      await assertText(empty, kind);
    }
    await browser.screenshot('campaigns-empty');
    await byTestId(page, 'create-campaign').click();
    await waitForPath(page, '/campaigns/new');
    await byTestId(page, 'choose-kind-abandoned_cart').click();
    await assertText(byTestId(page, 'editor-kind'), 'Abandoned cart');

    await byTestId(page, 'campaign-name-input').fill('Cart reminders');
    const steps = byTestId(page, 'step');
    const first = steps.nth(0);
    const body = first.locator('[data-testid="step-body"]');
    const counter = first.locator('[data-testid="segment-counter"]');
    const warning = (kind) => first.locator(`[data-testid="message-warning"][data-kind="${kind}"]`);

    // The counter follows the text: one segment, then two once it is long enough.
    await body.fill('Hi {{ first_name }}, your cart is waiting: {{ cart_url }}');
    await assertText(counter, '1 segment · GSM-7');
    // The text does not name the store, so the sender puts its name first: shown and counted.
    await assertText(first.locator('[data-testid="preview-sender"]'), 'Maple & Pine Outfitters:');
    await assertText(counter, 'with “Maple & Pine Outfitters:” before it');
    const short = await textOf(counter);
    await body.fill(`Hi {{ first_name }}, your cart is waiting: {{ cart_url }} ${'See you soon. '.repeat(8)}`);
    await assertText(counter, '2 segments · GSM-7');
    assert.notEqual(await textOf(counter), short);
    await body.fill('Hi {{ first_name }}, your cart is waiting ✨ {{ cart_url }}');
    await assertText(counter, 'UCS-2 because of “✨”');
    await assertText(first.locator('[data-testid="step-cost"]'), 'per send');

    // Advice under the message as it is typed. A cart reminder without STOP gets the opt-out
    // line at send time: the warning says so, and the counter and preview include it.
    await assertText(warning('opt-out'), 'No opt-out language');
    await assertText(warning('opt-out'), '“Reply STOP to opt out.” is added');
    await assertText(counter, 'with the added “Reply STOP to opt out.”');
    await assertText(first.locator('[data-testid="preview-opt-out"]'), 'Reply STOP to opt out.');
    // Costs more: without the sparkle the text, opt-out line included, fits one GSM-7 segment.
    await assertText(warning('ucs2-cost'), '“✨” makes this 2 segments instead of 1');
    await body.fill('Hi {{ first_name }}, your cart is waiting: {{ cart_url }}');
    await warning('ucs2-cost').waitFor({ state: 'detached' });
    await body.press('End');
    await page.keyboard.insertText(' Text STOP to stop');
    await warning('opt-out').waitFor({ state: 'detached' });
    assert.equal(await first.locator('[data-testid="preview-opt-out"]').count(), 0);
    assert.doesNotMatch(await textOf(counter), /opt out/);
    // A link typed out rather than {{ cart_url }} is neither shortened nor counted.
    await page.keyboard.insertText(' Or shop https://mapleandpine.example/sale');
    await assertText(warning('literal-link'), '“https://mapleandpine.example/sale” is sent as typed');
    await assertText(warning('literal-link'), 'use {{ cart_url }}');
    assert.equal(await first.locator('[data-testid="message-warning"]').count(), 1);
    await page.mouse.move(0, 0);
    await browser.screenshot('campaign-editor-warnings');

    // The preview shows the example values.
    await body.fill('Hi {{ first_name }}, your cart at {{ store_name }} is waiting: {{ cart_url }}');
    await assertText(first.locator('[data-testid="step-preview"]'), 'Hi Jamie, your cart at Maple & Pine Outfitters is waiting: https://');
    assert.equal(await first.locator('[data-testid="preview-sender"]').count(), 0, 'the text names the store');

    // Clicking a variable chip inserts it.
    await first.locator('[data-testid="insert-cart_total"]').click();
    assert.match(await body.inputValue(), /\{\{ cart_total \}\}$/);

    // A misspelt variable is marked at the step and keeps the campaign from being saved.
    await body.fill('Hi {{ frist_name }}, your cart is waiting: {{ cart_url }}');
    await assertText(first.locator('[data-testid="step-body-error"]'), 'There is no variable called frist_name. Did you mean {{ first_name }}?');
    await byTestId(page, 'save-campaign').click();
    await assertText(byTestId(page, 'form-error'), 'Fix the problems');
    assert.equal(new URL(page.url()).pathname, '/campaigns/new');
    await body.fill('Hi {{ first_name }}, your cart is waiting: {{ cart_url }}');
    assert.equal(await first.locator('[data-testid="step-body-error"]').count(), 0);

    // A second step sooner than the first is marked at its wait.
    await byTestId(page, 'add-step').click();
    const second = steps.nth(1);
    await second.locator('[data-testid="step-delay"]').fill('30');
    await second.locator('[data-testid="step-delay-unit"]').selectOption('minutes');
    await assertText(second.locator('[data-testid="step-delay-error"]'), 'Each step must come later than the one before.');
    assert.equal(await first.locator('[data-testid="step-delay-error"]').count(), 0);
    await second.locator('[data-testid="step-delay"]').fill('1');
    await second.locator('[data-testid="step-delay-unit"]').selectOption('days');
    assert.equal(await second.locator('[data-testid="step-delay-error"]').count(), 0);
    await second.locator('[data-testid="step-body"]').fill('Still thinking? Take 10% off with {{ discount_code }}: {{ cart_url }}');
    await assertText(second.locator('[data-testid="step-code-error"]'), 'give this step a code');
    await second.locator('[data-testid="step-discount-code"]').fill('COMEBACK10');
    await assertText(second.locator('[data-testid="step-preview"]'), 'Take 10% off with COMEBACK10');
    await page.mouse.move(0, 0);
    await browser.screenshot('campaign-editor');

    // Save: the campaign gets its own page, as a draft. Warnings do not block saving: both
    // messages still lack STOP.
    assert.equal(await warning('opt-out').count(), 1);
    await byTestId(page, 'save-campaign').click();
    await waitForPath(page, /^\/campaigns\/\d+$/);
    const campaignPath = new URL(page.url()).pathname;
    await assertText(byTestId(page, 'campaign-notice'), 'Saved.');
    await assertText(byTestId(page, 'campaign-status'), 'Draft');
    assert.equal(await steps.count(), 2);
    assert.equal(await steps.nth(1).locator('[data-testid="step-delay"]').inputValue(), '1');

    // Activating without a number goes to the number picker, and comes back once one is reserved.
    await byTestId(page, 'activate-campaign').click();
    await waitForPath(page, '/numbers');
    assert.equal(new URL(page.url()).searchParams.get('next'), `${campaignPath}?activate=1`);
    await assertText(byTestId(page, 'number-required-notice'), 'SMS needs a number first');
    const byAreaCode = byTestId(page, 'search-by-area-code');
    if (!(await byAreaCode.isChecked())) await byAreaCode.locator('xpath=..').click();
    await byTestId(page, 'number-area-code').fill('415');
    await byTestId(page, 'number-search-submit').click();
    await byTestId(page, 'reserve-number').first().click();
    await byTestId(page, 'confirm-ok').click();

    await waitForPath(page, campaignPath);
    await assertText(byTestId(page, 'campaign-status'), 'Active');
    await assertText(byTestId(page, 'campaign-notice'), 'Campaign active');
    assert.equal(new URL(page.url()).search, '', 'a reload does not activate again');
    await browser.screenshot('campaign-active');

    await byTestId(page, 'pause-campaign').click();
    await assertText(byTestId(page, 'campaign-status'), 'Paused');
    await assertText(byTestId(page, 'campaign-notice'), 'Campaign paused');

    // The list shows it paused, with its kind and steps, and can activate it again.
    await byTestId(page, 'nav-campaigns').click();
    await waitForPath(page, '/campaigns');
    // Listed in the Abandoned Carts area; the Order Updates area has none yet.
    const carts = page.locator('[data-testid="campaign-section"][data-group="abandoned-carts"]');
    const row = carts.locator('[data-testid="campaign-row"]');
    await assertText(
      page.locator('[data-testid="campaign-section"][data-group="order-updates"]'),
      'None yet.',
    );
    await assertText(row.locator('[data-testid="campaign-name"]'), 'Cart reminders');
    await assertText(row.locator('[data-testid="campaign-kind"]'), 'Abandoned cart');
    await assertText(row.locator('[data-testid="campaign-status"]'), 'Paused');
    await assertText(row.locator('[data-testid="campaign-steps"]'), '2 steps');
    // Its results, from the stats endpoint: nothing sent yet.
    await assertText(row.locator('[data-testid="campaign-results"]'), '0 sent · 0 clicked');
    await browser.screenshot('campaigns-list');
    await row.locator('[data-testid="activate-campaign"]').click();
    await assertText(row.locator('[data-testid="campaign-status"]'), 'Active');
    await row.locator('[data-testid="pause-campaign"]').waitFor();
  });
});

test('an order-update notification needs its statuses; deleting asks first', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withBrowser({}, async (browser) => {
    const { page } = browser;
    await page.goto(`${server.url}/signup`);
    await byTestId(page, 'signup-store-name').fill('Harbour Books');
    await byTestId(page, 'signup-email').fill(uniqueEmail('order-update'));
    await byTestId(page, 'signup-password').fill(PASSWORD);
    await byTestId(page, 'signup-submit').click();
    await waitForPath(page, '/');

    await page.goto(`${server.url}/campaigns/new?kind=order_update`);
    await assertText(byTestId(page, 'editor-kind'), 'Order update');
    // One message, sent when the order changes: no waits, no steps to add.
    assert.equal(await byTestId(page, 'step').count(), 1);
    assert.equal(await byTestId(page, 'step-delay').count(), 0);
    assert.equal(await byTestId(page, 'add-step').count(), 0);
    await assertText(byTestId(page, 'step-preview'), 'your order #1042 is being packed');

    await byTestId(page, 'save-campaign').click();
    await assertText(byTestId(page, 'order-statuses-error'), 'Choose at least one order status.');
    await byTestId(page, 'order-status-shipped').check();
    await byTestId(page, 'order-status-on_hold').check();
    assert.equal(await byTestId(page, 'order-statuses-error').count(), 0);
    // A variable this kind does not offer is named as such.
    await byTestId(page, 'step-body').fill('Track it: {{ cart_url }}');
    await assertText(byTestId(page, 'step-body-error'), 'cart_url is not available in order update messages.');
    await byTestId(page, 'step-body').fill('Order {{ order_number }} is {{ order_status }}.');
    // Order notifications are transactional: no opt-out language is needed or added.
    assert.equal(await byTestId(page, 'message-warning').count(), 0);
    assert.equal(await byTestId(page, 'preview-opt-out').count(), 0);
    await page.mouse.move(0, 0);
    await browser.screenshot('campaign-editor-order-update');
    await byTestId(page, 'save-campaign').click();
    await waitForPath(page, /^\/campaigns\/\d+$/);
    await assertText(byTestId(page, 'campaign-status'), 'Draft');
    assert.ok(await byTestId(page, 'order-status-shipped').isChecked());
    assert.ok(await byTestId(page, 'order-status-on_hold').isChecked());
    assert.ok(!(await byTestId(page, 'order-status-placed').isChecked()));

    await byTestId(page, 'nav-campaigns').click();
    await assertText(byTestId(page, 'campaign-steps'), '1 message');
    await byTestId(page, 'campaign-name').click();
    await waitForPath(page, /^\/campaigns\/\d+$/);

    // Delete asks first; cancelling keeps the campaign.
    await byTestId(page, 'delete-campaign').click();
    await assertText(byTestId(page, 'confirm-dialog'), 'cannot be undone');
    await byTestId(page, 'confirm-cancel').click();
    assert.equal(await byTestId(page, 'confirm-dialog').count(), 0);
    await byTestId(page, 'delete-campaign').click();
    await byTestId(page, 'confirm-ok').click();
    await waitForPath(page, '/campaigns');
    await byTestId(page, 'empty-state').waitFor();
  });
});
