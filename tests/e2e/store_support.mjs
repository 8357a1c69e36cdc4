// What the inbox, canned-reply and opt-out browser tests share: the API as a merchant's client
// sees it, and a customer texting the store exactly as the simulator's webhook does.
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { WAIT_MS } from './browser.mjs';

export const PASSWORD = 'correct horse battery';

export const uniqueEmail = (label) => `${label}-${Date.now()}-${Math.random().toString(16).slice(2, 8)}@e2e.example`;
export const byTestId = (page, id) => page.locator(`[data-testid="${id}"]`);
export const pathOf = (page) => new URL(page.url()).pathname;
export const national = (e164) => `(${e164.slice(2, 5)}) ${e164.slice(5, 8)}-${e164.slice(8)}`;

/** Waits until `check()` is true, polling. */
export async function eventually(check, what, timeout = WAIT_MS) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`timed out waiting for ${what}`);
}

export async function assertText(locator, expected, timeout = WAIT_MS) {
  let text = '';
  await eventually(async () => {
    text = (await locator.first().textContent().catch(() => '')) ?? '';
    return text.includes(expected);
  }, `${JSON.stringify(expected)} in ${JSON.stringify(text)}`, timeout);
}

/** Helpers against the server `currentServer()` returns (it is started in a `before` hook). */
export function storeHelpers(currentServer) {
  async function api(token, path, init = {}) {
    const response = await fetch(`${currentServer().url}/api/v1${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...init.headers },
      signal: AbortSignal.timeout(WAIT_MS),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  async function signUpByApi(email) {
    const response = await fetch(`${currentServer().url}/api/v1/auth/signup`, {
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
    const secret = readFileSync(join(currentServer().dataDir, 'jwt_secret'));
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
    const response = await fetch(`${currentServer().url}/webhooks/twilio/sms`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(WAIT_MS),
    });
    assert.ok(response.ok, `webhook answered ${response.status}: ${await response.text()}`);
  }

  /** A campaign made by the API (a draft), from its kind, name and one step. */
  async function createCampaign(token, kind, name, step) {
    const created = await api(token, '/campaigns', {
      method: 'POST',
      body: JSON.stringify({ kind, name, steps: [step], order_statuses: [] }),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body;
  }

  async function openSignedIn(page, session, path) {
    await page.goto(`${currentServer().url}/login`);
    await page.evaluate((s) => localStorage.setItem('textback.session', JSON.stringify(s)), session);
    await page.goto(`${currentServer().url}${path}`);
  }

  return { api, signUpByApi, reserveNumber, createCampaign, textTheStore, openSignedIn };
}
