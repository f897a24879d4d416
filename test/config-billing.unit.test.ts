import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config.js';
import { parseConfigFile } from '../src/config-file.js';

const stripe = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ billing: { stripe: { secret_key: '${STRIPE_SECRET_KEY}', webhook_secret: 'whsec_x', success_url: 'https://console.example.com/ok', cancel_url: 'https://console.example.com/', ...extra } } });
const env = { STRIPE_SECRET_KEY: 'sk_test_from_env' };

describe('billing.stripe in the config file', () => {
  it('is absent by default', () => {
    expect(parseConfigFile('{}', 'test', {}).billing).toBeUndefined();
  });

  it('resolves its defaults and takes the secret key from the environment', () => {
    expect(parseConfigFile(stripe(), 'test', env).billing?.stripe).toEqual({
      secret_key: 'sk_test_from_env',
      webhook_secret: 'whsec_x',
      api_base: 'https://api.stripe.com',
      currency: 'usd',
      credits_per_unit: 10_000,
      min_amount: 500,
      max_amount: 100_000,
      success_url: 'https://console.example.com/ok',
      cancel_url: 'https://console.example.com/',
      product_name: 'API credits',
    });
  });

  it.each([
    [{ api_base: 'http://api.stripe.com' }, /billing.stripe.api_base/],
    [{ api_base: 'https://api.stripe.com/v1' }, /billing.stripe.api_base/],
    [{ success_url: 'http://console.example.com/ok' }, /billing.stripe.success_url/],
    [{ cancel_url: 'javascript:alert(1)' }, /billing.stripe.cancel_url/],
    [{ min_amount: 2000, max_amount: 1000 }, /min_amount/],
    [{ currency: 'USD' }, /currency/],
    [{ credits_per_unit: 0 }, /credits_per_unit/],
    [{ credits_per_unit: 1e9, max_amount: 1e6 }, /max_amount × credits_per_unit/],
    [{ webhook_secret: undefined }, /webhook_secret/],
    [{ surprise: true }, /stripe/],
  ])('refuses %o naming the setting', (extra, pattern) => {
    expect(() => parseConfigFile(stripe(extra), 'test', env)).toThrow(ConfigError);
    expect(() => parseConfigFile(stripe(extra), 'test', env)).toThrow(pattern);
  });
});
