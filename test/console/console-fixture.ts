// What the console's browser tests share: a real Tollgate (SQLite, loopback) in front of the mock
// OpenAI upstream, with a bootstrap operator; a headless Chromium whose every CSP violation is
// recorded; and the checks each console page must pass (no secret stored, axe clean, screenshot).
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/chromium.js';
import { buildConsoleOnce } from '../support/console-build.js';
import { fixtureConfig, writeConfigFile } from '../support/gateway-fixture.js';
import { signUp, startTestGateway, type SignedIn, type TestGateway } from '../support/harness.js';
import { startMockOpenAI, type MockOpenAI } from '../support/mock-openai.js';
import { expectAccessible, expectNoSecretsStored, screenshot } from './console-browser.js';


export interface ConsoleFixture {
  gw: TestGateway;
  base: string;
  browser: Browser;
  operator: SignedIn & { password: string };
  cspViolations: string[];
  /** A fresh browser context (its own cookies) at this width, reporting CSP violations. */
  newPage(width: number): Promise<Page>;
  /** What every console page must hold: no secret in Web Storage, an axe scan clean, no CSP violation, no
   *  sideways scrolling at phone width. */
  checkPage(page: Page, name: string, secrets?: string[]): Promise<void>;
  /** Signs in through the console's sign-in form. */
  signIn(page: Page, email: string, password: string): Promise<void>;
  close(): Promise<void>;
}

export async function startConsoleFixture(options: { operatorEmail: string; prices?: unknown[] }): Promise<ConsoleFixture> {
  await buildConsoleOnce();
  const mock: MockOpenAI = await startMockOpenAI();
  const configFile = writeConfigFile({ ...fixtureConfig(mock), ...(options.prices ? { prices: options.prices } : {}) });
  const gw = await startTestGateway({ env: { TOLLGATE_CONFIG: configFile.path, TOLLGATE_BOOTSTRAP_OPERATOR_EMAIL: options.operatorEmail } });
  await gw.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(gw.app.server.address() as AddressInfo).port}`;
  const operatorPassword = 'operator-e2e-password-1';
  const operator = { ...(await signUp(gw.app, { email: options.operatorEmail, password: operatorPassword })), password: operatorPassword };
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
  });
  const cspViolations: string[] = [];
  const contexts: BrowserContext[] = [];

  async function newPage(width: number): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    contexts.push(context);
    await context.exposeFunction('reportCspViolation', (violation: string) => cspViolations.push(violation));
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window as unknown as { reportCspViolation(v: string): void }).reportCspViolation(`${e.violatedDirective} ${e.sourceFile}:${e.lineNumber}:${e.columnNumber} ${e.sample}`);
      });
    });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    return page;
  }

  return {
    gw,
    base,
    browser,
    operator,
    cspViolations,
    newPage,
    async checkPage(page, name, secrets = []) {
      await expectNoSecretsStored(page, secrets);
      await expectAccessible(page, name);
      // At phone width nothing may widen the page past the screen (SPEC §11: forms fit 375 px).
      const width = page.viewportSize()?.width ?? 0;
      if (width <= 375) expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} scrolls sideways`).toBeLessThanOrEqual(width);
      await screenshot(page, name);
      expect(cspViolations).toEqual([]);
    },
    async signIn(page, email, password) {
      await page.goto(`${base}/console/sign-in`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'API keys' }).waitFor();
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      gw.app.server.closeAllConnections();
      await gw.close();
      await mock.close();
      configFile.remove();
    },
  };
}
