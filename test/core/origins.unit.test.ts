import { describe, expect, it } from 'vitest';
import { checkOrigin, normalizeOrigin } from '../../src/core/origins.js';

describe('origin rule (SPEC §5)', () => {
  const allowed = ['https://app.example.com'];
  it('accepts any origin when none are configured', () => {
    expect(checkOrigin([], 'https://evil.example')).toBe('allowed');
  });
  it('accepts a configured origin that matches exactly', () => {
    expect(checkOrigin(allowed, 'https://app.example.com')).toBe('allowed');
  });
  it('refuses an origin that is not configured', () => {
    expect(checkOrigin(allowed, 'https://evil.example')).toBe('origin_not_allowed');
    expect(checkOrigin(allowed, 'http://app.example.com')).toBe('origin_not_allowed');
    expect(checkOrigin(allowed, 'https://app.example.com.evil.example')).toBe('origin_not_allowed');
  });
  it('accepts a request without Origin (server to server) even when origins are configured', () => {
    expect(checkOrigin(allowed, undefined)).toBe('allowed');
  });
});

describe('configured origins', () => {
  it('keeps bare origins, dropping a trailing slash and default port', () => {
    expect(normalizeOrigin('https://app.example.com')).toBe('https://app.example.com');
    expect(normalizeOrigin('https://app.example.com/')).toBe('https://app.example.com');
    expect(normalizeOrigin('http://localhost:3000')).toBe('http://localhost:3000');
    expect(normalizeOrigin('https://app.example.com:443')).toBe('https://app.example.com');
  });
  it('refuses paths, wildcards, queries, credentials and other schemes', () => {
    for (const bad of ['https://app.example.com/path', 'https://*.example.com', '*', 'https://app.example.com?x=1', 'https://u:p@app.example.com', 'ftp://app.example.com', 'app.example.com', 'https://app.example.com#x']) {
      expect(normalizeOrigin(bad), bad).toBeNull();
    }
  });
});
