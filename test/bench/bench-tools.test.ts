// The benchmark's own tools, where a mistake would silently produce wrong figures: the CPU-profile
// ranking behind the "three largest costs", the key seeding behind "key lookups at scale" (seeded
// keys must really pass the data plane's key check, on every database), and the flatness goal.
import { describe, expect, it } from 'vitest';
import { checkGoals, keyScaleGoals, listingScaleGoals, steadinessGoals } from '../../bench/check-goals.js';
import type { TargetComparison } from '../../bench/bench-result.js';
import { renderListingScale } from '../../bench/report/render-listing-scale.js';
import { openKeyDatabase } from '../../bench/keys/key-database.js';
import { seedApiKeys } from '../../bench/keys/seed-api-keys.js';
import { frameFile, summarizeCpuProfile, type CpuProfile } from '../../bench/profile/summarize-cpu-profile.js';
import { formatKey, parseKey } from '../../src/core/key-format.js';
import { keyVerifier } from '../../src/http/authenticate.js';
import { verifyKey } from '../../src/keys/verify-key.js';
import { databaseTargets } from '../support/databases.js';
import { rememberSecret } from '../support/log-capture.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0 });

// root → handler → query; root → (idle). Samples: handler 2 ticks, query 3 ticks, idle 5 ticks, 1 ms each.
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 4] },
    { id: 2, callFrame: frame('handler', 'file:///repo/dist/src/gateway/openai-proxy.js', 10), children: [3] },
    { id: 3, callFrame: frame('executeQuery', 'file:///repo/node_modules/kysely/dist/esm/driver.js', 59) },
    { id: 4, callFrame: frame('(idle)') },
  ],
  startTime: 0,
  endTime: 11_000,
  samples: [2, 2, 3, 3, 3, 4, 4, 4, 4, 4, 4],
  timeDeltas: [0, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
};

describe('CPU profile summary', () => {
  it('ranks self time per function, leaving idle time out of the busy share', () => {
    const summary = summarizeCpuProfile(profile, '/repo');
    expect(summary.busyMs).toBeCloseTo(5);
    expect(summary.selfByFunction.map((row) => [row.label, row.ms])).toEqual([
      ['executeQuery (kysely:60)', 3],
      ['handler (dist/src/gateway/openai-proxy.js:11)', 2],
    ]);
    expect(summary.selfByFunction[0]!.busyPct).toBeCloseTo(60);
  });

  it('counts a caller inclusively with everything it called', () => {
    const summary = summarizeCpuProfile(profile, '/repo');
    expect(summary.inclusiveByFunction.find((row) => row.label.startsWith('handler'))?.ms).toBeCloseTo(5);
    expect(summary.selfByFile.map((row) => row.label)).toEqual(['kysely', 'dist/src/gateway/openai-proxy.js']);
  });

  it('keeps only the samples inside the measured window', () => {
    // Sample i is stamped at i ms; 2–4 ms are the query's three samples.
    const summary = summarizeCpuProfile(profile, '/repo', 25, { fromUs: 2_000, toUs: 4_000 });
    expect(summary.selfByFunction.map((row) => row.label)).toEqual(['executeQuery (kysely:60)']);
    expect(summary.busyMs).toBeCloseTo(3);
  });

  it('names packages, repository files and built-ins', () => {
    expect(frameFile('file:///repo/node_modules/@fastify/swagger/index.js', '/repo')).toBe('@fastify/swagger');
    expect(frameFile('file:///repo/dist/src/app.js', '/repo')).toBe('dist/src/app.js');
    expect(frameFile('node:internal/timers', '/repo')).toBe('node:internal/timers');
  });
});

describe('listing-scale goal and report', () => {
  const report = {
    method: 'over HTTP',
    seeding: { keys: 1_000_000, usageRecords: 10_000_000, rollupRows: 2_000_000, seconds: 600 },
    cases: [
      { name: 'key list, first page', path: '/api/v1/auth/keys', requests: 200, rows: 100, p50Ms: 12, p95Ms: 199.9 },
      { name: '30-day usage chart', path: '/api/v1/usage?group_by=day', requests: 200, rows: 30, p50Ms: 80, p95Ms: 200 },
    ],
    skipped: [],
  };

  it('is met under 200 ms p95 and missed at 200 ms', () => {
    expect(listingScaleGoals(report).map((g) => [g.name, g.met, g.value])).toEqual([
      ['listing (1,000,000 keys)', true, '199.9 ms'],
      ['listing (1,000,000 keys)', false, '200.0 ms'],
    ]);
  });

  it('reports what was seeded and each read with its p50 and p95', () => {
    const lines = renderListingScale(report).join('\n');
    expect(lines).toContain('1,000,000 keys, 10,000,000 usage records');
    expect(lines).toContain('| key list, first page | `GET /api/v1/auth/keys` | 100 | 200 | 12.0 | 199.9 |');
  });
});

describe('proxy goals', () => {
  const comparison = (name: string, c1: { p50Ms: number; p99Ms: number }, ttfb: number, ratios: Record<string, number>): TargetComparison => ({
    name,
    added: { c1 },
    addedTtfbMs: ttfb,
    vsNodeFloor: ratios,
    vsNginx: {},
    capacityVsNodeFloor: { c16: ratios.c16! - 0.05, c64: ratios.c64! - 0.05 },
    capacityVsNginx: {},
  });

  it('judges latency over the Node floor, throughput at 16 and 64 connections, and peak RSS', () => {
    const floor = comparison('node-floor', { p50Ms: 0.2, p99Ms: 1 }, 0.7, { c16: 1, c64: 1 });
    const near = comparison('near', { p50Ms: 0.6, p99Ms: 4 }, 1.2, { c16: 0.6, c64: 0.61 });
    const far = comparison('far', { p50Ms: 0.61, p99Ms: 4.01 }, 1.21, { c16: 0.59, c64: 0.7 });
    const goals = checkGoals([{ name: 'near', peakRssMb: 200 } as never, { name: 'far', peakRssMb: 200.1 } as never], [floor, near, far]);
    const of = (name: string) => goals.filter((g) => g.name === name).map((g) => g.met);
    expect(of('near')).toEqual([true, true, true, true, true, true]);
    expect(of('far')).toEqual([false, true, false, false, false, false]);
    expect(goals.find((g) => g.name === 'near' && g.goal.startsWith('req/s'))!.value).toBe('60.0% (from CPU µs/request: 55.0%)');
    expect(goals.some((g) => g.name === 'node-floor')).toBe(false);
  });

  it('judges each target steady when its last c16 and c64 runs cost at most 15% more CPU per request than its first', () => {
    const scenario = (id: string, usPerReq: number[]) => ({ id, runs: usPerReq.map((us) => ({ targetCpuUsPerReq: us })) });
    const goals = steadinessGoals([
      { name: 'direct', scenarios: [scenario('c16', [1, 9])] } as never,
      { name: 'steady', scenarios: [scenario('c1', [100, 300]), scenario('c16', [351, 363, 356]), scenario('c64', [325, 302, 320])] } as never,
      { name: 'growing', scenarios: [scenario('c16', [427, 594, 737]), scenario('c64', [409]), scenario('rate', [1, 2])] } as never,
    ]);
    expect(goals.map((g) => [g.name, g.goal.match(/c\d+/)![0], g.value, g.met])).toEqual([
      ['steady', 'c16', '1.4%', true],
      ['steady', 'c64', '-1.5%', true],
      ['growing', 'c16', '72.6%', false],
    ]);
  });

  it('judges no latency goal without the Node floor in the run', () => {
    const goals = checkGoals([], [comparison('alone', { p50Ms: 0.1, p99Ms: 0.1 }, 0.1, { c16: 1, c64: 1 })]);
    expect(goals.filter((g) => g.goal.includes('over the Node floor')).map((g) => [g.value, g.met])).toEqual([
      ['n/a', undefined],
      ['n/a', undefined],
      ['n/a', undefined],
    ]);
  });
});

describe('key-scale goal', () => {
  it('is met within 10% and missed beyond it', () => {
    const goals = keyScaleGoals({
      method: '',
      seeding: [],
      cases: [],
      skipped: [],
      flatness: [
        { database: 'sqlite', cache: 'miss', fromKeys: 1_000, toKeys: 1_000_000, ratio: 1.08 },
        { database: 'postgres', cache: 'warm', fromKeys: 1_000, toKeys: 1_000_000, ratio: 1.25 },
      ],
    });
    expect(goals.map((g) => [g.name, g.met, g.value])).toEqual([
      ['key check (sqlite)', true, '+8.0%'],
      ['key check (postgres)', false, '+25.0%'],
    ]);
    expect(goals[0]!.goal).toContain('1M keys within 10% of 1k');
  });
});

for (const target of databaseTargets()) {
  describe(`key seeding on ${target.name}`, () => {
    it('fills the table and returns keys that pass the data plane\'s key check; a tampered one does not', async () => {
      const keyDb = await openKeyDatabase(target.databaseUrl);
      try {
        const { services } = keyDb;
        const seeded = await seedApiKeys({
          db: services.storage.db,
          dialect: services.database.dialect,
          count: 25_000,
          validCount: 40,
          accountId: keyDb.accountId,
          userId: keyDb.userId,
          prefix: services.config.keyPrefix,
          hash: (key) => services.keys.hash(key),
        });
        rememberSecret(...seeded.keys);
        const rows = await services.storage.db.selectFrom('api_keys').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        expect(Number(rows.n)).toBe(25_000);
        expect(seeded.keys).toHaveLength(40);
        expect(new Set(seeded.keys).size).toBe(40);
        for (const key of seeded.keys) {
          const check = await verifyKey(keyVerifier(services), { credential: key, origin: undefined }, new Date());
          expect(check.ok).toBe(true);
        }
        // A well-formed key for a seeded id with another secret: found, but its HMAC does not match.
        const parsed = parseKey(seeded.keys[0]!);
        if (!parsed.ok) throw new Error('a seeded key does not parse');
        const forged = await verifyKey(keyVerifier(services), { credential: formatKey(parsed.key.prefix, 'live', parsed.key.keyId, 'A'.repeat(32)), origin: undefined }, new Date());
        expect(forged).toMatchObject({ ok: false, reason: 'unknown' });
      } finally {
        await keyDb.close();
      }
    });
  });
}
