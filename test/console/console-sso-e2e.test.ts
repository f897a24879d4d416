// Single sign-on from the console in a real headless Chromium (SPEC §11, §12): the sign-in page
// shows one button per configured provider; the button goes through a real OpenID Connect issuer
// (oidc-provider on loopback: its login and consent pages), and the browser comes back to the
// console signed in, by the session cookie alone. A refusal comes back to the sign-in page with the
// reason shown. No token in Web Storage at any point; each step screenshotted and scanned by axe.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, chromiumAvailable } from '../support/chromium.js';
import { buildConsoleOnce } from '../support/console-build.js';
import { startSsoFixture, uniqueEmail, type SsoFixture } from '../support/sso-fixture.js';
import { expectAccessible, expectNoSecretsStored, screenshot } from './console-browser.js';

if (!chromiumAvailable) console.warn(`Console SSO browser test skipped: ${CHROMIUM} not found (apt-get install chromium).`);

describe.skipIf(!chromiumAvailable)('signing in to the console through an OpenID Connect issuer', () => {
  let sso: SsoFixture;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await buildConsoleOnce();
    sso = await startSsoFixture({ name: 'sqlite', databaseUrl: undefined });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 240_000); // the first browser file to start builds the console; the others wait for it

  // A fresh browser per test: the issuer remembers a signed-in person in its own cookies.
  beforeEach(async () => {
    page = await (await browser.newContext({ viewport: { width: 375, height: 800 } })).newPage();
    page.setDefaultTimeout(10_000);
  });
  afterEach(() => page?.context().close());

  afterAll(async () => {
    await browser?.close();
    sso?.gw.app.server.closeAllConnections();
    await sso?.close();
  });

  /** From the console's sign-in page, through the issuer's login and consent pages, as `login`. */
  async function signInThroughIssuer(login: string): Promise<void> {
    await page.goto(`${sso.base}/console/sign-in`);
    await page.getByRole('link', { name: /Test IdP/ }).click();
    await page.waitForURL((url) => url.origin === sso.issuer.issuer);
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('any');
    await page.locator('button[type="submit"]').click();
    // The consent page; its submit button continues back to Tollgate's callback.
    await page.locator('button[type="submit"]').click();
    await page.waitForURL((url) => url.origin === sso.base);
  }

  it('shows one button per provider, and a verified email comes back signed in, the session kept across a reload', async () => {
    const email = uniqueEmail();
    sso.issuer.accounts.set('dana', { email, email_verified: true, name: 'Dana Sso' });
    await page.goto(`${sso.base}/console/sign-in`);
    for (const name of [/Test IdP/, /corp/]) await page.getByRole('link', { name }).waitFor();
    await expectAccessible(page, 'sso-sign-in');
    await screenshot(page, 'sso-sign-in');

    await signInThroughIssuer('dana');
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    expect(new URL(page.url()).pathname.startsWith('/console')).toBe(true);
    await page.getByText(email).first().waitFor();
    await expectNoSecretsStored(page, []);
    await expectAccessible(page, 'sso-signed-in');
    await screenshot(page, 'sso-signed-in');
    // The refresh cookie is HttpOnly: the page's script cannot see it.
    expect(await page.evaluate(() => document.cookie)).not.toContain('tollgate_refresh');

    await page.reload();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await expectNoSecretsStored(page, []);
  }, 90_000);

  it('returns to the sign-in page with the reason when the issuer has not verified the email', async () => {
    sso.issuer.accounts.set('eve', { email: uniqueEmail(), email_verified: false });
    await signInThroughIssuer('eve');
    await page.getByText(/Single sign-on failed/).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    await expectAccessible(page, 'sso-refused');
    await screenshot(page, 'sso-refused');
  }, 90_000);
});
