// The console in a real headless Chromium against a real Tollgate (SQLite, loopback) in front of
// the mock OpenAI upstream: a person signs up, creates a key (shown once, copied), reloads and is
// still signed in, streams a reply in the playground, revokes the key and sees it refused; an org
// admin creates and revokes a proxy key; an operator grants credits and the user's balance moves.
// After every flow: no token in Web Storage, the CSP header present, an axe scan clean (console-fixture.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { CHROMIUM, chromiumAvailable } from '../support/chromium.js';
import { startConsoleFixture, type ConsoleFixture } from './console-fixture.js';

if (!chromiumAvailable) console.warn(`Console browser test skipped: ${CHROMIUM} not found (apt-get install chromium).`);

const OPERATOR_EMAIL = 'operator@console-e2e.example';
const USER = { name: 'Ada Console', email: 'ada@console-e2e.example', password: 'console-e2e-password-1' };
const PRICES = [{ model: 'chat-default', input_per_mtok: 1_000_000, output_per_mtok: 1_000_000, per_request: 0, max_output_tokens: 20 }];

describe.skipIf(!chromiumAvailable)('the console in a browser', () => {
  let fx: ConsoleFixture;
  let page: Page;
  let base: string;
  let userKey = '';

  beforeAll(async () => {
    fx = await startConsoleFixture({ operatorEmail: OPERATOR_EMAIL, prices: PRICES });
    base = fx.base;
    page = await fx.newPage(1100);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  }, 240_000); // the first browser file to start builds the console; the others wait for it

  afterAll(async () => {
    await fx?.close();
  });

  const checkPage = (name: string, secrets: string[] = []) => fx.checkPage(page, name, secrets);

  async function grantAsOperator(amount: number): Promise<void> {
    const found = await fx.gw.app.inject({ method: 'GET', url: `/api/v1/operator/users?q=${encodeURIComponent(USER.email)}`, headers: fx.operator.auth });
    const detail = await fx.gw.app.inject({ method: 'GET', url: `/api/v1/operator/users/${found.json().users[0].id}`, headers: fx.operator.auth });
    const accountId = detail.json().memberships[0].account_id;
    const granted = await fx.gw.app.inject({ method: 'POST', url: `/api/v1/operator/accounts/${accountId}/credits`, headers: fx.operator.auth, payload: { amount } });
    expect(granted.statusCode).toBe(201);
  }

  it('signs up from the sign-in page, under a strict CSP', async () => {
    const response = await page.goto(`${base}/console/`);
    const csp = response!.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    await page.getByRole('heading', { name: 'Sign in to Tollgate' }).waitFor();
    await checkPage('sign-in');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Name').fill(USER.name);
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password').fill(USER.password);
    await checkPage('sign-up');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await expect.poll(() => page.getByText('No keys yet').count()).toBe(1);
    await checkPage('keys-empty');
  }, 60_000);

  it('creates a key, shown once and copied; after a reload the session holds and the key is listed but nowhere in full', async () => {
    await page.getByLabel('Name', { exact: true }).fill('ci-key');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = page.getByLabel('Secret');
    await secret.waitFor();
    userKey = await secret.inputValue();
    expect(userKey).toMatch(/^tg_/);
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(userKey);
    await checkPage('key-shown-once', [userKey]);
    await page.getByRole('button', { name: 'I have stored it' }).click();

    await page.reload();
    const row = page.getByRole('row', { name: /ci-key/ });
    await row.waitFor();
    const prefix = userKey.slice(0, (await row.locator('code').textContent())!.length);
    expect(await row.locator('code').textContent()).toBe(prefix);
    expect(await page.content()).not.toContain(userKey);
    await checkPage('keys-after-reload', [userKey]);
  }, 60_000);

  it('streams a reply through the gateway in the playground with the default key', async () => {
    await grantAsOperator(1_000);
    await page.getByRole('link', { name: 'Playground' }).click();
    await page.getByRole('button', { name: 'Load my default key' }).click();
    await page.getByRole('button', { name: 'Default key loaded' }).waitFor();
    await page.getByLabel('Model').fill('chat-default');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByTestId('playground-usage').waitFor();
    expect(await page.getByTestId('playground-output').textContent()).toBe('This is a deterministic reply');
    expect(await page.getByTestId('playground-usage').textContent()).toMatch(/input tokens, 5 output tokens, \d+ credits charged/);
    await checkPage('playground-streamed', [userKey]);
  }, 60_000);

  it('revokes the key after confirmation; the playground then shows the invalid-key error', async () => {
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('button', { name: 'Revoke ci-key' }).click();
    await page.getByRole('alertdialog').waitFor();
    await checkPage('revoke-confirmation', [userKey]);
    await page.getByRole('button', { name: 'Revoke key' }).click();
    await expect.poll(() => page.getByRole('row', { name: /ci-key/ }).getByText('revoked').count()).toBe(1);

    await page.getByRole('link', { name: 'Playground' }).click();
    await page.getByText('A key I paste').click();
    await page.getByLabel('API key').fill(userKey);
    await page.getByLabel('Model').fill('chat-default');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('alert').filter({ hasText: 'invalid or has been revoked' }).waitFor();
    await checkPage('playground-revoked-key', [userKey]);
  }, 60_000);

  it('an org admin creates a team, switches to it, and creates and revokes a proxy key', async () => {
    await page.getByRole('link', { name: 'Team' }).click();
    await page.getByLabel('Team name').fill('Acme Robotics');
    await page.getByRole('button', { name: 'Create team' }).click();
    await expect.poll(() => page.getByLabel('Account', { exact: true }).inputValue()).toMatch(/^acc_/);
    await expect.poll(async () => page.getByLabel('Account', { exact: true }).locator('option:checked').textContent()).toBe('Acme Robotics (owner)');
    await page.getByText('No service tokens.').waitFor();
    await page.getByText('No webhooks.').waitFor();
    await checkPage('team', [userKey]);
    await page.getByRole('link', { name: 'Proxy Keys' }).click();
    await page.getByText('No proxy keys yet.').waitFor();
    await page.getByLabel('Proxy key name').fill('shared-service');
    await page.getByRole('button', { name: 'Create proxy key' }).click();
    const proxySecret = await page.getByLabel('Secret').inputValue();
    expect(proxySecret).toMatch(/^tg_/);
    await checkPage('proxy-key-shown-once', [proxySecret]);
    await page.getByRole('button', { name: 'I have stored it' }).click();
    const row = page.getByRole('row', { name: /shared-service/ });
    await row.getByText('active').waitFor();
    await page.getByRole('button', { name: 'Revoke shared-service' }).click();
    await page.getByRole('button', { name: 'Revoke proxy key' }).click();
    await row.getByText('revoked').waitFor();
    expect(await page.content()).not.toContain(proxySecret);
    await checkPage('proxy-key-revoked', [proxySecret]);
    await page.getByRole('link', { name: 'Providers' }).click();
    await page.getByText('No providers of this account.').waitFor();
    await page.getByText('No aliases.').or(page.getByText('server-wide').first()).waitFor();
    await checkPage('providers', [userKey]);
  }, 60_000);

  it("an operator grants credits and the user's balance chart moves", async () => {
    await page.getByLabel('Account', { exact: true }).selectOption({ label: "Ada Console's account (personal)" });
    await page.getByRole('link', { name: 'Usage' }).click();
    const chart = page.getByTestId('balance-chart');
    await chart.waitFor();
    const before = await chart.getAttribute('aria-label');
    await checkPage('usage-before-grant', [userKey]);

    const operatorPage = await fx.newPage(375);
    try {
      await fx.signIn(operatorPage, OPERATOR_EMAIL, fx.operator.password);
      await operatorPage.getByRole('link', { name: 'Operator' }).click();
      const search = operatorPage.getByLabel(/Find users/);
      await search.fill(USER.email);
      await search.press('Enter');
      await operatorPage.getByRole('button', { name: USER.email }).click();
      const grant = operatorPage.getByRole('form', { name: /Grant credits to Ada Console's account/ });
      await grant.getByLabel('Credits (negative to debit)').fill('500');
      await grant.getByLabel('Reason').fill('console e2e grant');
      await grant.getByRole('button', { name: 'Grant credits' }).click();
      await grant.getByText(/Granted 500 credits/).waitFor();
      await fx.checkPage(operatorPage, 'operator-grant-375px');
    } finally {
      await operatorPage.context().close();
    }

    await page.reload();
    await chart.waitFor();
    const after = await chart.getAttribute('aria-label');
    expect(after).not.toBe(before);
    expect(await page.getByRole('row', { name: /console e2e grant/ }).count()).toBe(1);
    await checkPage('usage-after-grant', [userKey]);
  }, 60_000);
});
