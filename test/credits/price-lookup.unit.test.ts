// The pure rules of issue 9 item 1, with vectors: which names resolve directly (a server-wide
// provider only with `direct`), which price a resolved call pays (the alias's, else the target's
// provider/model; never a bare model name), the unpriced policy, and the hold that covers
// whichever candidate answers.
import { describe, expect, it } from 'vitest';
import { unpricedSetting } from '../../src/credits/unpriced-policy.js';
import { parseConfigFile } from '../../src/config-file.js';
import { resolveModel, type AliasView, type ProviderView } from '../../src/core/model-targets.js';
import { holdFor, priceNames, quoteCall, type PricedCall } from '../../src/credits/price-lookup.js';
import { routePrice, type Price } from '../../src/credits/pricing.js';
import { effectiveUnpricedPolicy, type UnpricedPolicy } from '../../src/credits/unpriced-policy.js';

const providers: ProviderView[] = [
  { name: 'vault', owner: 'server', type: 'openai', models: null, direct: false },
  { name: 'open', owner: 'server', type: 'openai', models: ['m1'], direct: true },
  { name: 'any', owner: 'server', type: 'openai', models: null, direct: true },
  { name: 'mine', owner: 'account', type: 'openai', models: null, direct: false },
  // An account provider shadows a server one of the same name, direct or not.
  { name: 'shadow', owner: 'account', type: 'openai', models: ['own'], direct: false },
  { name: 'shadow', owner: 'server', type: 'openai', models: null, direct: true },
];
const aliases: AliasView[] = [{ name: 'team', owner: 'server', strategy: 'fallback', targets: [{ provider: 'vault', model: 'big' }, { provider: 'open', model: 'm1' }] }];

describe('direct provider/model resolution', () => {
  const vectors: Array<[string, string | null]> = [
    ['vault/anything', null], // server provider without direct: unknown, like a missing one
    ['nothere/anything', null],
    ['open/m1', 'open/m1:server'],
    ['open/m2', null], // outside its declared models
    ['any/whatever', 'any/whatever:server'], // direct and no models list: any name (the operator's choice)
    ['mine/x', 'mine/x:account'], // an account's own provider: always direct
    ['shadow/own', 'shadow/own:account'],
    ['shadow/other', null], // the account's provider answers for the name, and does not serve it
  ];
  it.each(vectors)('%s → %s', (name, expected) => {
    const resolution = resolveModel(name, aliases, providers);
    expect(resolution.ok ? `${resolution.targets[0]!.provider}/${resolution.targets[0]!.model}:${resolution.targets[0]!.owner}` : null).toBe(expected);
    if (!resolution.ok) expect(resolution.reason).toBe('unknown_model');
  });

  it('still reaches a server provider without direct through an alias of the operator', () => {
    const resolution = resolveModel('team', aliases, providers);
    expect(resolution).toMatchObject({ ok: true, via: 'alias', targets: [{ provider: 'vault', model: 'big' }, { provider: 'open', model: 'm1' }] });
  });
});

const price = (perRequest: number, extra: Partial<Price> = {}): Price => ({ inputPerMtok: 0, outputPerMtok: 0, perRequest, maxOutputTokens: null, ...extra });
const call = (name: string, via: 'alias' | 'direct', targets: PricedCall['targets']): PricedCall => ({ name, via, targets });
const server = (provider: string, model: string) => ({ provider, owner: 'server' as const, model });
const BLOCK: UnpricedPolicy = { kind: 'block' };

describe('price lookup by resolved target', () => {
  it.each([
    [call('team', 'alias', [server('vault', 'big')]), ['team', 'vault/big']],
    [call('open/m1', 'direct', [server('open', 'm1')]), ['open/m1']],
    [call('mine/x', 'direct', [{ provider: 'mine', owner: 'account', model: 'x' }]), ['mine/x']],
    [call('own-alias', 'alias', [{ provider: 'mine', owner: 'account', model: 'x' }]), ['own-alias', 'mine/x']],
  ])('looks %j up by %j, in that order', (c, names) => {
    expect(priceNames(c, c.targets[0]!)).toEqual(names);
  });

  const book = new Map<string, Price>([
    ['team', price(10)],
    ['vault/big', price(50)],
    ['big', price(70)],
    ['any/m1', price(3)],
  ]);
  const lookup = (name: string) => book.get(name);

  it("prefers the alias's price, then the target's provider/model", () => {
    expect(quoteCall(call('team', 'alias', [server('vault', 'big')]), lookup, BLOCK)).toEqual({ ok: true, prices: [{ target: { provider: 'vault', model: 'big' }, price: price(10) }], unpriced: null });
    expect(quoteCall(call('vault/big', 'direct', [server('vault', 'big')]), lookup, BLOCK)).toMatchObject({ ok: true, prices: [{ price: price(50) }] });
    expect(quoteCall(call('any/m1', 'direct', [server('any', 'm1')]), lookup, BLOCK)).toMatchObject({ ok: true, prices: [{ price: price(3) }] });
  });

  it("never prices a direct call by an alias's price or a bare model name", () => {
    // `team` is an alias's price and `big` a price under a bare name: neither prices any/team or any/big.
    expect(quoteCall(call('any/team', 'direct', [server('any', 'team')]), lookup, BLOCK)).toMatchObject({ ok: false, unpriced: 'block' });
    expect(quoteCall(call('any/big', 'direct', [server('any', 'big')]), lookup, BLOCK)).toMatchObject({ ok: false, unpriced: 'block' });
  });

  it('applies the unpriced policy to server-wide targets only', () => {
    const unpriced = call('any/x', 'direct', [server('any', 'x')]);
    expect(quoteCall(unpriced, lookup, { kind: 'free' })).toEqual({ ok: true, prices: [{ target: { provider: 'any', model: 'x' }, price: null }], unpriced: 'free' });
    expect(quoteCall(unpriced, lookup, { kind: 'ceiling', credits: 9 })).toEqual({ ok: true, prices: [{ target: { provider: 'any', model: 'x' }, price: routePrice(9, 'unpriced_ceiling') }], unpriced: 'ceiling' });
    expect(quoteCall(unpriced, lookup, BLOCK)).toEqual({ ok: false, unpriced: 'block', model: 'any/x' });
    // An account's own upstream: free, outside the policy, and never priced by a bare name.
    expect(quoteCall(call('mine/big', 'direct', [{ provider: 'mine', owner: 'account', model: 'big' }]), lookup, BLOCK)).toEqual({
      ok: true,
      prices: [{ target: { provider: 'mine', model: 'big' }, price: null }],
      unpriced: null,
    });
  });

  it('blocks a call when any candidate it may fail over to is unpriced', () => {
    expect(quoteCall(call('pair', 'alias', [server('any', 'm1'), server('any', 'x')]), lookup, BLOCK)).toMatchObject({ ok: false, unpriced: 'block' });
  });

  it('treats an explicit zero price as priced (free by the operator’s choice, not unpriced)', () => {
    expect(quoteCall(call('any/zero', 'direct', [server('any', 'zero')]), (n) => (n === 'any/zero' ? price(0) : undefined), BLOCK)).toMatchObject({ ok: true, unpriced: null });
  });
});

describe('the hold for a call that may fail over', () => {
  const tokens = (input: number, output: number, cap: number | null = null) => price(0, { inputPerMtok: input * 1_000_000, outputPerMtok: output * 1_000_000, maxOutputTokens: cap });
  it.each([
    // [prices, input estimate, client cap] → [reserved cost, cap forwarded]
    [[null, null], 10, null, 0, null],
    [[price(5), null], 10, null, 5, null],
    [[price(5), price(50)], 10, null, 50, null],
    [[tokens(1, 1, 20), price(30)], 10, null, 30, 20],
    [[tokens(1, 1, 20), tokens(1, 2, 100)], 10, null, 50, 20], // the smallest cap, the dearest price under it
    [[tokens(1, 1, 20)], 10, 5, 15, 5], // the client's cap wins
    [[routePrice(7)], 1000, null, 7, null], // a ceiling is flat: no cap forwarded
  ] as const)('%j, %i in, cap %s → %i reserved, cap %s', (prices, input, cap, cost, forwarded) => {
    const hold = holdFor(prices, input, cap);
    expect(hold.cost).toBe(cost);
    expect(hold.maxOutputTokens).toBe(forwarded);
    expect(hold.price === null).toBe(cost === 0);
  });
});

describe('the unpriced policy', () => {
  it('defaults to free while no price exists, and block once one does', () => {
    const setting = unpricedSetting(undefined);
    expect(effectiveUnpricedPolicy(setting, false)).toEqual({ kind: 'free' });
    expect(effectiveUnpricedPolicy(setting, true)).toEqual({ kind: 'block' });
  });

  it.each([
    ['free', { kind: 'free' }],
    ['block', { kind: 'block' }],
    [{ ceiling: 25 }, { kind: 'ceiling', credits: 25 }],
  ] as const)('keeps an explicit %j whether or not prices exist', (raw, policy) => {
    expect(effectiveUnpricedPolicy(unpricedSetting(raw), false)).toEqual(policy);
    expect(effectiveUnpricedPolicy(unpricedSetting(raw), true)).toEqual(policy);
  });

  it.each(['pricing: { unpriced: maybe }', 'pricing: { unpriced: { ceiling: 0 } }', 'pricing: { unpriced: { ceiling: 5, extra: 1 } }', 'pricing: { other: 1 }'])(
    'refuses %s at start with an error naming the setting',
    (yaml) => {
      expect(() => parseConfigFile(yaml, 'tollgate.yaml', {})).toThrow(/tollgate\.yaml: setting \/pricing/);
    },
  );

  it('turns direct off unless the config file says direct: true', () => {
    const file = parseConfigFile('providers: [{ id: a, type: openai, base_url: "http://x" }, { id: b, type: openai, base_url: "http://x", direct: true }]', 'tollgate.yaml', {});
    expect(file.providers.map((p) => p.direct)).toEqual([false, true]);
  });
});
