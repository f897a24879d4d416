// What the console's browser test checks on every page: an axe-core scan with no serious or
// critical violation, no token or key in Web Storage, and a screenshot kept for people to look at.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
// Evaluated over the DevTools protocol, not added as a <script>: the console's CSP (rightly) refuses
// an inline script tag, and loosening it for the test (bypassCSP) would hide the app's own violations.
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const SCREENSHOTS = join(process.cwd(), 'test-results', 'console');
mkdirSync(SCREENSHOTS, { recursive: true });

interface AxeResult {
  violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown }> }>;
}

/** Scans the page as it is now; fails on a serious or critical violation, naming it. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  await page.evaluate(AXE_SOURCE);
  const result = (await page.evaluate(() => (window as unknown as { axe: { run(): Promise<unknown> } }).axe.run())) as AxeResult;
  const severe = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${what}: ${v.id} (${v.impact}) ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  expect(severe).toEqual([]);
}

/** Web Storage holds UI preferences only: no JWT, and none of the given secrets. */
export async function expectNoSecretsStored(page: Page, secrets: string[]): Promise<void> {
  const stored = await page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }));
  expect(stored).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  for (const secret of secrets) expect(stored).not.toContain(secret);
}

let step = 0;
export async function screenshot(page: Page, name: string): Promise<void> {
  step += 1;
  await page.screenshot({ path: join(SCREENSHOTS, `${String(step).padStart(2, '0')}-${name}.png`), fullPage: true });
}
