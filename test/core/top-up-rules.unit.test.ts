import { describe, expect, it } from 'vitest';
import { apiEndpointOf, creditsForPayment, isHttpsOrLoopback, topUpAmountProblem } from '../../src/core/top-up-rules.js';

describe('top-up rules', () => {
  it('buys amount × credits_per_unit credits, exactly', () => {
    expect(creditsForPayment(1500, 10_000)).toBe(15_000_000);
    expect(creditsForPayment(1, 1)).toBe(1);
  });

  it('names the bound an amount breaks', () => {
    const bounds = { minAmount: 500, maxAmount: 1000 };
    expect(topUpAmountProblem(500, bounds)).toBeNull();
    expect(topUpAmountProblem(1000, bounds)).toBeNull();
    expect(topUpAmountProblem(499, bounds)).toBe('must be at least 500');
    expect(topUpAmountProblem(1001, bounds)).toBe('must be at most 1000');
  });

  it.each([
    ['https://api.stripe.com', true],
    ['https://console.example.com/billing?x=1', true],
    ['http://127.0.0.1:12111', true],
    ['http://localhost:3000/done', true],
    ['http://[::1]:8080', true],
    ['http://api.stripe.com', false],
    ['http://10.0.0.5', false],
    ['https://user:pass@example.com', false],
    ['ftp://example.com', false],
    ['not a url', false],
  ])('%s is https or loopback: %s', (url, expected) => {
    expect(isHttpsOrLoopback(url)).toBe(expected);
  });

  it("reads the Stripe client's host, port and protocol from a bare origin only", () => {
    expect(apiEndpointOf('https://api.stripe.com')).toEqual({ protocol: 'https', host: 'api.stripe.com', port: 443 });
    expect(apiEndpointOf('http://127.0.0.1:12111/')).toEqual({ protocol: 'http', host: '127.0.0.1', port: 12111 });
    expect(apiEndpointOf('http://[::1]:9')).toEqual({ protocol: 'http', host: '::1', port: 9 });
    expect(apiEndpointOf('https://api.stripe.com/v1')).toBeNull();
    expect(apiEndpointOf('http://stripe.internal')).toBeNull();
  });
});
