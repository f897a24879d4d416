// Issue 9 item 22: /docs (Swagger UI) is a page where people paste tokens. It sends a strict
// Content-Security-Policy without unsafe-eval, refuses to be framed, forbids MIME sniffing and
// referrers, and does not persist a pasted token in localStorage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/harness.js';

describe('security headers on /docs', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw?.close());

  it.each(['/docs', '/docs/', '/docs/static/index.html', '/docs/static/swagger-initializer.js', '/docs/json'])('sends CSP, frame, nosniff and referrer headers on %s', async (url) => {
    const response = await gw.app.inject({ url });
    expect(response.statusCode).toBeLessThan(400);
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toMatch(/script-src 'self'(?! 'unsafe-inline')/);
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  });

  it('does not persist a pasted token', async () => {
    const page = await gw.app.inject({ url: '/docs/static/swagger-initializer.js' });
    expect(page.body).not.toMatch(/"persistAuthorization":\s*true/);
    expect(page.body).toMatch(/"persistAuthorization":\s*false/);
  });
});
