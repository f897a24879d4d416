// The operator's console pages in a real headless Chromium at 375 px against a real Tollgate: the
// operator finds an account and sets its limits and budget, and sets a price; the API (read back
// through app.inject) reflects each. The account's owner then sees the budget — spent, remaining,
// reset — on the usage page, and changes a key's budget; on the Settings page the user changes the
// automation settings and opens and ends a session. Every page: no secret stored, an axe scan
// clean, no CSP violation, no sideways scrolling.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createKey, signUp, type SignedIn } from '../support/harness.js';
import { CHROMIUM, chromiumAvailable } from '../support/chromium.js';
import { startConsoleFixture, type ConsoleFixture } from './console-fixture.js';

if (!chromiumAvailable) console.warn(`Console operator browser test skipped: ${CHROMIUM} not found (apt-get install chromium).`);

const OPERATOR_EMAIL = 'operator@console-operator-e2e.example';
const USER = { name: 'Grace Budget', email: 'grace@console-operator-e2e.example', password: 'console-operator-password-1' };
const ACCOUNT_NAME = "Grace Budget's account";
const PRICES = [{ model: 'chat-default', input_per_mtok: 1_000_000, output_per_mtok: 1_000_000, per_request: 0, max_output_tokens: 20 }];

describe.skipIf(!chromiumAvailable)('the operator console in a browser', () => {
  let fx: ConsoleFixture;
  let page: Page;
  let user: SignedIn;
  let accountId = '';

  beforeAll(async () => {
    fx = await startConsoleFixture({ operatorEmail: OPERATOR_EMAIL, prices: PRICES });
    user = await signUp(fx.gw.app, USER);
    const me = await fx.gw.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: user.auth });
    accountId = me.json().memberships[0].account_id;
    page = await fx.newPage(375);
    await fx.signIn(page, OPERATOR_EMAIL, fx.operator.password);
    await page.getByRole('link', { name: 'Operator' }).click();
  }, 240_000); // the first browser file to start builds the console; the others wait for it

  afterAll(async () => {
    await fx?.close();
  });

  const asOperator = (url: string) => fx.gw.app.inject({ method: 'GET', url, headers: fx.operator.auth });

  it('finds an account and sets its limits; an emptied field clears the override', async () => {
    const search = page.getByLabel(/Find accounts/);
    await search.fill('Grace');
    await search.press('Enter');
    await page.getByRole('button', { name: ACCOUNT_NAME }).click();
    const limits = page.getByRole('form', { name: `Limits of ${ACCOUNT_NAME}` });
    await limits.getByLabel('Requests per minute').fill('120');
    await limits.getByLabel('Concurrent requests').fill('3');
    await limits.getByRole('button', { name: 'Save limits' }).click();
    await limits.getByText('Limits saved.').waitFor();
    const saved = (await asOperator(`/api/v1/operator/accounts/${accountId}/limits`)).json();
    expect(saved.overrides).toEqual({ rpm: 120, tpm: null, concurrency: 3 });
    await fx.checkPage(page, 'operator-limits-375px');

    await limits.getByLabel('Concurrent requests').fill('');
    await limits.getByRole('button', { name: 'Save limits' }).click();
    await expect.poll(async () => (await asOperator(`/api/v1/operator/accounts/${accountId}/limits`)).json().overrides).toEqual({ rpm: 120, tpm: null, concurrency: null });
  }, 60_000);

  it("refuses a limit the API refuses, showing the API's message", async () => {
    const limits = page.getByRole('form', { name: `Limits of ${ACCOUNT_NAME}` });
    await limits.getByLabel('Requests per minute').fill('0');
    await limits.getByRole('button', { name: 'Save limits' }).click();
    await limits.getByRole('alert').waitFor();
    expect((await asOperator(`/api/v1/operator/accounts/${accountId}/limits`)).json().overrides.rpm).toBe(120);
    await fx.checkPage(page, 'operator-limits-refused');
    await limits.getByLabel('Requests per minute').fill('120');
  }, 60_000);

  it('sets the account budget and then clears it (null)', async () => {
    const budget = page.getByRole('form', { name: 'Account budget' });
    await budget.getByLabel('Account budget (credits)').fill('300');
    await budget.getByLabel('Account budget period').selectOption('week');
    await budget.getByRole('button', { name: 'Save account budget' }).click();
    await page.getByText(/0 of 300 credits spent per week; 300 remaining/).waitFor();
    const saved = (await asOperator(`/api/v1/operator/accounts/${accountId}/budget`)).json();
    expect(saved.budget).toMatchObject({ limit: 300, period: 'week', spent: 0, remaining: 300 });
    await fx.checkPage(page, 'operator-budget-375px');

    await budget.getByRole('button', { name: 'Clear account budget' }).click();
    await page.getByText(/No budget/).waitFor();
    expect((await asOperator(`/api/v1/operator/accounts/${accountId}/budget`)).json().budget).toBeNull();
  }, 60_000);

  it('sets a price for a model, lists it, and deletes it after confirmation', async () => {
    const form = page.getByRole('form', { name: 'Set a price' });
    await form.getByLabel('Model or alias').fill('premium-model');
    await form.getByLabel('Credits per 1M input tokens').fill('2.5');
    await form.getByLabel('Credits per 1M output tokens').fill('10');
    await form.getByLabel('Credits per request').fill('1');
    await form.getByRole('button', { name: 'Save price' }).click();
    const row = page.getByRole('row', { name: /premium-model/ });
    await row.getByText('operator').waitFor();
    const listed = (await asOperator('/api/v1/operator/prices')).json().prices;
    expect(listed).toContainEqual(expect.objectContaining({ model: 'premium-model', input_per_mtok: 2.5, output_per_mtok: 10, per_request: 1, source: 'operator' }));
    await fx.checkPage(page, 'operator-prices-375px');

    await page.getByRole('button', { name: 'Delete the price of premium-model' }).click();
    await page.getByRole('button', { name: 'Delete price' }).click();
    await expect.poll(() => page.getByRole('row', { name: /premium-model/ }).count()).toBe(0);
    expect((await asOperator('/api/v1/operator/prices')).json().prices.filter((p: { source: string }) => p.source === 'operator')).toEqual([]);
  }, 60_000);

  it("the account's owner sees its budget spent and remaining, changes it, and sets a key's budget after creation", async () => {
    const operatorPut = (url: string, payload: unknown) => fx.gw.app.inject({ method: 'PUT', url, headers: fx.operator.auth, payload: payload as object });
    expect((await operatorPut(`/api/v1/operator/accounts/${accountId}/budget`, { limit: 1000, period: 'month' })).statusCode).toBe(200);
    const granted = await fx.gw.app.inject({ method: 'POST', url: `/api/v1/operator/accounts/${accountId}/credits`, headers: fx.operator.auth, payload: { amount: 1000 } });
    expect(granted.statusCode).toBe(201);
    const key = await createKey(fx.gw.app, user, { name: 'budget-key' });
    const chat = { model: 'chat-default', messages: [{ role: 'user', content: 'hello' }] };
    const sent = await fx.gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${key.key}` }, payload: chat });
    expect(sent.statusCode).toBe(200);
    // The charge settles just after the reply is sent.
    const readBudget = async () => (await fx.gw.app.inject({ method: 'GET', url: `/api/v1/accounts/${accountId}/budget`, headers: user.auth })).json().budget;
    await expect.poll(async () => (await readBudget()).spent).toBeGreaterThan(0);
    const budget = await readBudget();

    const owner = await fx.newPage(375);
    await fx.signIn(owner, USER.email, USER.password);
    await owner.getByRole('link', { name: 'Usage' }).click();
    const shown = owner.getByTestId('account-budget');
    await shown.waitFor();
    expect(await shown.textContent()).toContain(`${budget.spent} of 1000 credits spent per month; ${budget.remaining} remaining; resets `);
    await fx.checkPage(owner, 'usage-budget-375px', [key.key]);

    const form = owner.getByRole('form', { name: 'Account budget' });
    await form.getByLabel('Account budget (credits)').fill('2000');
    await form.getByRole('button', { name: 'Save account budget' }).click();
    await owner.getByText(`${budget.spent} of 2000 credits spent`, { exact: false }).waitFor();
    const readBack = await fx.gw.app.inject({ method: 'GET', url: `/api/v1/accounts/${accountId}/budget`, headers: user.auth });
    expect(readBack.json().budget).toMatchObject({ limit: 2000, period: 'month' });

    await owner.getByRole('link', { name: 'API keys' }).click();
    await owner.getByLabel('Edit the budget of budget-key').click();
    const keyForm = owner.getByRole('form', { name: 'Budget of budget-key' });
    await keyForm.getByLabel('Budget of budget-key (credits)').fill('50');
    await keyForm.getByLabel('Budget of budget-key period').selectOption('day');
    await keyForm.getByRole('button', { name: 'Save budget of budget-key' }).click();
    const keyUrl = `/api/v1/auth/keys/${key.id}`;
    await expect.poll(async () => (await fx.gw.app.inject({ method: 'GET', url: keyUrl, headers: user.auth })).json().budget?.limit).toBe(50);
    await owner.getByRole('row', { name: /budget-key/ }).getByText(/\/ 50 spent/).waitFor();
    await fx.checkPage(owner, 'key-budget-375px', [key.key]);

    await owner.getByRole('form', { name: 'Budget of budget-key' }).getByRole('button', { name: 'Clear budget of budget-key' }).click();
    await expect.poll(async () => (await fx.gw.app.inject({ method: 'GET', url: keyUrl, headers: user.auth })).json().budget).toBeNull();
  }, 60_000);

  it('the user changes the automation settings and opens and ends a session on the Settings page', async () => {
    const key = await createKey(fx.gw.app, user, { name: 'session-key' });
    // The earlier request opened a session by itself (automation is on by default): end it first.
    for (const open of (await fx.gw.app.inject({ method: 'GET', url: '/api/v1/sessions', headers: user.auth })).json()) {
      expect((await fx.gw.app.inject({ method: 'DELETE', url: `/api/v1/sessions/${open.id}`, headers: user.auth })).statusCode).toBe(204);
    }
    const settings = await fx.newPage(375);
    await fx.signIn(settings, USER.email, USER.password);
    await settings.getByRole('link', { name: 'Settings' }).click();
    const automation = settings.getByRole('form', { name: 'Automation settings' });
    await automation.getByLabel('Session duration (seconds)').fill('600');
    const toggle = automation.getByRole('checkbox', { name: /Open a session automatically/ });
    const wasEnabled = await toggle.isChecked();
    await toggle.press('Space');
    await automation.getByRole('button', { name: 'Save automation settings' }).click();
    await automation.getByText('Automation settings saved.').waitFor();
    const saved = (await fx.gw.app.inject({ method: 'GET', url: '/api/v1/automation/settings', headers: user.auth })).json();
    expect(saved).toMatchObject({ is_enabled: !wasEnabled, session_duration: 600 });

    await settings.getByText('No open sessions.').waitFor();
    await fx.checkPage(settings, 'settings-375px', [key.key]);
    const open = settings.getByRole('form', { name: 'Open a session' });
    await open.getByLabel('Session model').fill('chat-default');
    await open.getByLabel('Key id').fill(key.id);
    await open.getByRole('button', { name: 'Open session' }).click();
    await settings.getByRole('row', { name: /chat-default/ }).waitFor();
    const listed = (await fx.gw.app.inject({ method: 'GET', url: '/api/v1/sessions', headers: user.auth })).json();
    expect(listed).toEqual([expect.objectContaining({ model: 'chat-default', key_id: key.id })]);
    await fx.checkPage(settings, 'settings-session-375px', [key.key]);

    await open.getByLabel('Session model').fill('no-such-model');
    await open.getByRole('button', { name: 'Open session' }).click();
    await open.getByRole('alert').filter({ hasText: 'no-such-model' }).waitFor();

    await settings.getByRole('button', { name: 'End the session for chat-default' }).click();
    await settings.getByRole('button', { name: 'End session' }).click();
    await settings.getByText('No open sessions.').waitFor();
    expect((await fx.gw.app.inject({ method: 'GET', url: '/api/v1/sessions', headers: user.auth })).json()).toEqual([]);
  }, 60_000);
});
