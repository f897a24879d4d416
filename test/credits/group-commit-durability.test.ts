// The in-memory credit engine of one SQLite node writes its charges by group commit
// (src/credits/group-commit.ts). Through a real server process under load: SIGTERM stores every
// charge and usage record of every answered request; SIGKILL loses at most the last batch window's
// charges, only ever in the customer's favour (nothing stored beyond what was answered), and the
// ledger still sums to the balance. The loss is measured and printed.
import Database from 'better-sqlite3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH_CREDITS, BENCH_OPERATOR_EMAIL, provisionTollgate } from '../../bench/tollgate/provision-tollgate.js';
import { BENCH_MODEL, renderTollgateConfig } from '../../bench/tollgate/tollgate-config.js';
import { startMockOpenAI, type MockOpenAI } from '../support/mock-openai.js';
import { startTollgateProcess, type TollgateProcess } from '../support/spawn-tollgate.js';

const WORKERS = 16;
/** Every server started, killed at the end whatever happened (none outlives the file). */
const started: TollgateProcess[] = [];

interface Stored {
  balance: number;
  ledgerSum: number;
  charges: number;
  charged: number;
  usageOk: number;
}

function stored(dataDir: string, accountId: string): Stored {
  const db = new Database(join(dataDir, 'tollgate.db'), { readonly: true });
  try {
    const balance = (db.prepare('select balance from credit_balances where account_id = ?').get(accountId) as { balance: number }).balance;
    const ledger = db.prepare("select count(*) filter (where kind = 'usage') as charges, coalesce(sum(amount), 0) as total, coalesce(-sum(amount) filter (where kind = 'usage'), 0) as charged from credit_ledger where account_id = ?").get(accountId) as { charges: number; total: number; charged: number };
    const usage = db.prepare('select count(*) as n from usage_records where account_id = ? and status = 200').get(accountId) as { n: number };
    return { balance, ledgerSum: ledger.total, charges: ledger.charges, charged: ledger.charged, usageOk: usage.n };
  } finally {
    db.close();
  }
}

/** Sends priced requests from WORKERS loops until `stop` is called; counts the answered ones and their charges. */
function load(url: string, key: string): { answered: () => number; stop: () => Promise<void> } {
  let running = true;
  let answered = 0;
  const worker = async () => {
    while (running) {
      try {
        const response = await request(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: BENCH_MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 16 }),
        });
        await response.body.text();
        if (response.statusCode === 200) answered += 1;
      } catch {
        return; // the server is gone
      }
    }
  };
  const workers = Array.from({ length: WORKERS }, worker);
  return {
    answered: () => answered,
    stop: async () => {
      running = false;
      await Promise.all(workers);
    },
  };
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('group commit of a single SQLite node, through a server process', () => {
  let upstream: MockOpenAI;
  beforeAll(async () => {
    upstream = await startMockOpenAI({ recordRequests: false });
  });
  afterAll(async () => {
    await Promise.all(started.map((server) => server.stop('SIGKILL')));
    await upstream?.close();
  });

  async function serverUnderLoad() {
    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-durability-'));
    const configPath = join(dataDir, 'tollgate.json');
    writeFileSync(configPath, renderTollgateConfig(upstream.url));
    const server = await startTollgateProcess({ TOLLGATE_DATA_DIR: dataDir, TOLLGATE_CONFIG: configPath, TOLLGATE_BOOTSTRAP_OPERATOR_EMAIL: BENCH_OPERATOR_EMAIL });
    started.push(server);
    const deployed = await provisionTollgate(server.url);
    const running = load(server.url, deployed.key);
    await until(() => running.answered() >= 150, 60_000);
    return { dataDir, server, deployed, running };
  }

  it('stores every answered request’s charge and usage record when stopped by SIGTERM under load', async () => {
    const { dataDir, server, deployed, running } = await serverUnderLoad();
    const signalled = Date.now();
    const code = await server.stop('SIGTERM');
    await running.stop();
    const after = stored(dataDir, deployed.accountId);
    console.log(`SIGTERM under load: stopped in ${Date.now() - signalled} ms with ${code}; ${running.answered()} answered, ${after.charges} charges stored`);
    expect(server.output()).toContain('"stopped"');
    // The log is written asynchronously: every answered request's line is out before the process exits.
    const requestLines = server.output().split('\n').filter((line) => line.includes('"path":"/v1/chat/completions"') && line.includes('"status":200'));
    expect(requestLines).toHaveLength(running.answered());
    expect(running.answered()).toBeGreaterThanOrEqual(150);
    expect(after.charges).toBe(running.answered());
    expect(after.usageOk).toBe(running.answered());
    expect(after.ledgerSum).toBe(after.balance);
    expect(after.balance).toBe(BENCH_CREDITS - after.charged);
  }, 120_000);

  it('loses at most the last batch window to SIGKILL, never charging more than was answered', async () => {
    const { dataDir, server, deployed, running } = await serverUnderLoad();
    const started = Date.now();
    const before = running.answered();
    await server.stop('SIGKILL');
    await running.stop();
    const after = stored(dataDir, deployed.accountId);
    const lost = running.answered() - after.charges;
    const rate = before / ((Date.now() - started) / 1000 || 1);
    console.log(`SIGKILL under load: ${running.answered()} answered, ${after.charges} charges stored, ${lost} lost (≈ ${rate.toFixed(0)} req/s)`);
    expect(after.charges).toBeLessThanOrEqual(running.answered());
    expect(after.usageOk).toBeLessThanOrEqual(running.answered());
    // The batch window is 5 ms; a batch holds at most 500 entries, one commit at a time: with 16
    // connections no more than the requests settling in one window plus one commit can be in memory.
    expect(lost).toBeLessThanOrEqual(2 * WORKERS);
    expect(after.ledgerSum).toBe(after.balance);
  }, 120_000);
});
