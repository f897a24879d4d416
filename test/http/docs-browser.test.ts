// Swagger UI in a real headless Chromium: a person signs in with an access token through
// "Authorize" and calls an endpoint from the page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, chromiumAvailable } from '../support/chromium.js';
import { startTestGateway, signUp, type TestGateway } from '../support/harness.js';

if (!chromiumAvailable) console.warn(`Swagger UI browser test skipped: ${CHROMIUM} not found (apt-get install chromium).`);

describe.skipIf(!chromiumAvailable)('Swagger UI at /docs', () => {
  let gw: TestGateway;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    gw = await startTestGateway();
    base = await gw.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
    });
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('authorizes with a bearer token and executes GET /api/v1/auth/me from the page', async () => {
    const user = await signUp(gw.app);
    const page = await browser.newPage();
    try {
      await page.goto(`${base}/docs`);
      await page.locator('button.authorize').first().click();
      await page.locator('.modal-ux input[type=text]').first().fill(user.accessToken);
      await page.locator('.modal-ux button.authorize').first().click();
      await page.locator('.modal-ux button.btn-done').first().click();

      const operation = page.locator('#operations-auth-get_api_v1_auth_me');
      await operation.locator('.opblock-summary').click();
      await operation.locator('button.try-out__btn').click();
      await operation.locator('button.execute').click();
      const status = operation.locator('.live-responses-table tr.response .response-col_status').first();
      await status.waitFor({ timeout: 10_000 });
      expect((await status.textContent())?.trim()).toBe('200');
      expect(await operation.locator('.live-responses-table .microlight').first().textContent()).toContain(user.email);
    } finally {
      await page.close();
    }
  }, 90_000);
});
