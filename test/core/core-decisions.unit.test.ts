// The pure parts of the data plane, with vectors: the private-address guard, model resolution and
// target order, route matching, scopes, SSE splitting and token accounting.
import { describe, expect, it } from 'vitest';
import { checkUpstreamUrl, isPrivateAddress } from '../../src/core/private-address.js';
import { orderTargets, resolveModel, type AliasView, type ProviderView } from '../../src/core/model-targets.js';
import { matchRoute, methodAllowed } from '../../src/core/route-match.js';
import { hasScopes, isModelAllowed } from '../../src/core/scopes.js';
import { SseSplitter } from '../../src/core/sse-events.js';
import { estimateInputTokens } from '../../src/core/input-tokens.js';
import { readOutputRequest } from '../../src/core/output-cap.js';
import { isUsageOnlyChunk, usageOf, usageOfStreamEvent } from '../../src/core/token-usage.js';

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1', '127.8.9.10', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.100.100.200',
    '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fc00::1', 'fd00:ec2::254', 'fe80::1', '::ffff:127.0.0.1', '::ffff:7f00:1',
    '::ffff:a00:1', '[::1]', 'not-an-ip',
  ])('blocks %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
});

describe('checkUpstreamUrl', () => {
  it('refuses non-http schemes, credentials, queries and private literals or local names', () => {
    expect(checkUpstreamUrl('ftp://example.com', false).ok).toBe(false);
    expect(checkUpstreamUrl('https://user:pw@example.com', false).ok).toBe(false);
    expect(checkUpstreamUrl('https://example.com/v1?x=1', false).ok).toBe(false);
    expect(checkUpstreamUrl('http://2130706433/', false).ok).toBe(false); // 127.0.0.1, as WHATWG URL parses it
    expect(checkUpstreamUrl('http://0x7f.1/', false).ok).toBe(false);
    expect(checkUpstreamUrl('http://metadata.google.internal/', false).ok).toBe(false);
    expect(checkUpstreamUrl('http://localhost:11434/v1', false).ok).toBe(false);
  });

  it('accepts public addresses and names, and private ones when allowed', () => {
    expect(checkUpstreamUrl('https://api.openai.com/v1', false)).toMatchObject({ ok: true, hostIsAddress: false });
    expect(checkUpstreamUrl('https://8.8.8.8/v1', false)).toMatchObject({ ok: true, hostIsAddress: true });
    expect(checkUpstreamUrl('http://127.0.0.1:11434/v1', true).ok).toBe(true);
  });
});

describe('resolveModel and orderTargets', () => {
  const providers: ProviderView[] = [
    // Both server providers opted in to direct `provider/model` access (direct-access.test.ts covers the default).
    { name: 'openai', owner: 'server', type: 'openai', models: null, direct: true },
    { name: 'local', owner: 'server', type: 'openai', models: ['llama3.2'], direct: true },
    { name: 'ephemeris', owner: 'server', type: 'http', models: null, direct: true },
    { name: 'mine', owner: 'account', type: 'openai', models: null, direct: false },
  ];
  const aliases: AliasView[] = [
    { name: 'gpt-mini', owner: 'server', strategy: 'fallback', targets: [{ provider: 'openai', model: 'gpt-4o-mini' }, { provider: 'local', model: 'llama3.2' }] },
    { name: 'gpt-mini', owner: 'account', strategy: 'fallback', targets: [{ provider: 'mine', model: 'm1' }] },
    { name: 'sneaky', owner: 'account', strategy: 'fallback', targets: [{ provider: 'openai', model: 'gpt-4o' }] },
    { name: 'spread', owner: 'server', strategy: 'weighted', targets: [{ provider: 'openai', model: 'a', weight: 3 }, { provider: 'local', model: 'llama3.2', weight: 1 }, { provider: 'openai', model: 'z', weight: 0 }] },
  ];

  it("lets an account's alias shadow a server alias of the same name", () => {
    expect(resolveModel('gpt-mini', aliases, providers)).toMatchObject({ ok: true, targets: [{ provider: 'mine', owner: 'account', model: 'm1' }] });
    expect(resolveModel('gpt-mini', aliases.filter((a) => a.owner === 'server'), providers)).toMatchObject({ ok: true, targets: [{ provider: 'openai' }, { provider: 'local' }] });
  });

  it("never lets an account alias reach a server provider", () => {
    expect(resolveModel('sneaky', aliases, providers)).toEqual({ ok: false, reason: 'no_targets' });
  });

  it('resolves provider/model directly (server providers that opted in), within a provider’s declared models, and never onto http providers', () => {
    expect(resolveModel('openai/gpt-4.1', aliases, providers)).toMatchObject({ ok: true, targets: [{ provider: 'openai', model: 'gpt-4.1' }] });
    expect(resolveModel('local/llama3.2', aliases, providers).ok).toBe(true);
    expect(resolveModel('local/other', aliases, providers)).toEqual({ ok: false, reason: 'unknown_model' });
    expect(resolveModel('ephemeris/x', aliases, providers)).toEqual({ ok: false, reason: 'unknown_model' });
    expect(resolveModel('plain', aliases, providers)).toEqual({ ok: false, reason: 'unknown_model' });
    expect(resolveModel('openai/', aliases, providers)).toEqual({ ok: false, reason: 'unknown_model' });
  });

  it('orders fallback targets in order, starting from a pinned one and wrapping', () => {
    const r = resolveModel('gpt-mini', aliases.filter((a) => a.owner === 'server'), providers);
    if (!r.ok) throw new Error('unresolved');
    expect(orderTargets(r, null).map((t) => t.provider)).toEqual(['openai', 'local']);
    expect(orderTargets(r, { provider: 'local', model: 'llama3.2' }).map((t) => t.provider)).toEqual(['local', 'openai']);
  });

  it('orders weighted targets by weight, zero weights last', () => {
    const r = resolveModel('spread', aliases, providers);
    if (!r.ok) throw new Error('unresolved');
    expect(orderTargets(r, null, () => 0.1).map((t) => t.model)).toEqual(['a', 'llama3.2', 'z']);
    expect(orderTargets(r, null, () => 0.9).map((t) => t.model)).toEqual(['llama3.2', 'a', 'z']);
    const firsts = { a: 0, 'llama3.2': 0 } as Record<string, number>;
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    for (let i = 0; i < 4000; i++) firsts[orderTargets(r, null, random)[0]!.model]!++;
    expect(firsts.a! / 4000).toBeGreaterThan(0.7);
    expect(firsts.a! / 4000).toBeLessThan(0.8);
    expect(orderTargets(r, { provider: 'local', model: 'llama3.2' }, () => 0.1)[0]!.model).toBe('llama3.2');
  });
});

describe('route matching and scopes', () => {
  const routes = [
    { path: '/v1/positions', methods: ['GET'] },
    { path: '/v1/positions/bulk', methods: ['POST'] },
  ];
  it('matches a prefix on segment boundaries, longest first', () => {
    expect(matchRoute(routes, '/v1/positions')?.path).toBe('/v1/positions');
    expect(matchRoute(routes, '/v1/positions/mars')?.path).toBe('/v1/positions');
    expect(matchRoute(routes, '/v1/positions/bulk/1')?.path).toBe('/v1/positions/bulk');
    expect(matchRoute(routes, '/v1/positionsx')).toBeUndefined();
  });
  it('allows HEAD wherever GET is allowed', () => {
    expect(methodAllowed(routes[0]!, 'HEAD')).toBe(true);
    expect(methodAllowed(routes[0]!, 'post')).toBe(false);
  });
  it('requires every required scope, and reads a null model allowlist as "all"', () => {
    expect(hasScopes(['positions', 'x'], ['positions'])).toBe(true);
    expect(hasScopes([], ['positions'])).toBe(false);
    expect(hasScopes([], [])).toBe(true);
    expect(isModelAllowed(null, 'any')).toBe(true);
    expect(isModelAllowed([], 'any')).toBe(false);
  });
});

describe('SseSplitter', () => {
  it('yields whole events across arbitrary chunk boundaries, CRLF and multi-byte text included', () => {
    const text = 'event: a\r\ndata: {"x":"é"}\r\n\r\ndata: one\ndata: two\n\n: comment\n\ndata: [DONE]\n\n';
    const bytes = Buffer.from(text);
    for (const size of [1, 2, 3, 7, bytes.length]) {
      const splitter = new SseSplitter();
      const events = [];
      for (let i = 0; i < bytes.length; i += size) events.push(...splitter.push(bytes.subarray(i, i + size)));
      expect(events.map((e) => e.raw).join('')).toBe(text);
      expect(events.map((e) => [e.event, e.data])).toEqual([['a', '{"x":"é"}'], [undefined, 'one\ntwo'], [undefined, undefined], [undefined, '[DONE]']]);
      expect(splitter.rest()).toBe('');
    }
  });
});

describe('token accounting', () => {
  it('reads usage in both chat and Responses shapes', () => {
    expect(usageOf({ prompt_tokens: 7, completion_tokens: 5 })).toEqual({ inputTokens: 7, outputTokens: 5 });
    expect(usageOf({ input_tokens: 3, output_tokens: 2 })).toEqual({ inputTokens: 3, outputTokens: 2 });
    expect(usageOf({ prompt_tokens: 3, total_tokens: 3 })).toEqual({ inputTokens: 3, outputTokens: 0 });
    expect(usageOf(null)).toBeNull();
    expect(usageOfStreamEvent({ type: 'response.completed', response: { usage: { input_tokens: 1, output_tokens: 2 } } })).toEqual({ inputTokens: 1, outputTokens: 2 });
    expect(usageOfStreamEvent({ object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 1, completion_tokens: 1 } })).toEqual({ inputTokens: 1, outputTokens: 1 });
  });
  it('recognises only the usage-only chat chunk', () => {
    expect(isUsageOnlyChunk({ object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 1 } })).toBe(true);
    expect(isUsageOnlyChunk({ object: 'chat.completion.chunk', choices: [{}], usage: null })).toBe(false);
  });
  it('estimates input and reads the output cap the endpoint honours', async () => {
    // A model without a known tokenizer is counted in UTF-8 bytes; a gpt-4o one with o200k_base.
    expect(await estimateInputTokens('chat/completions', { messages: [{ role: 'user', content: 'x'.repeat(100) }] }, ['llama3.2'])).toBeGreaterThan(100);
    expect(await estimateInputTokens('chat/completions', { messages: [{ role: 'user', content: 'x'.repeat(100) }] }, ['gpt-4o-mini'])).toBeGreaterThan(7);
    expect(readOutputRequest('chat/completions', { max_tokens: 10 }).cap).toBe(10);
    expect(readOutputRequest('responses', { max_output_tokens: 5 }).cap).toBe(5);
    expect(readOutputRequest('chat/completions', { max_output_tokens: 5 }).cap).toBeNull();
    expect(readOutputRequest('chat/completions', {}).cap).toBeNull();
  });
});
