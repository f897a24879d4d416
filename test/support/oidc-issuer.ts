// A real OpenID Connect issuer for tests: oidc-provider on 127.0.0.1, with one confidential client
// and accounts whose claims a test sets. `signIn` plays the browser through its login and consent
// pages (oidc-provider's development interactions) with a cookie jar, and returns where the issuer
// finally redirects (the relying party's callback URL with code, state and iss).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface IssuerAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export interface TestIssuer {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Accounts by login name; a test adds or changes them at will. */
  accounts: Map<string, IssuerAccount>;
  /** Registers the client's redirect URIs (known once the relying party listens); call before any sign-in. */
  registerClient(redirectUris: string[]): void;
  /** Follows `authorizationUrl` through login (as `login`) and consent; returns the final redirect to the client. */
  signIn(authorizationUrl: string, login: string): Promise<URL>;
  close(): Promise<void>;
}

/** A cookie jar for one browser: names and values only (the issuer's paths all lie under its origin). */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const clientId = 'tollgate-test';
  const clientSecret = `secret-${Math.random().toString(36).slice(2)}`;
  const accounts = new Map<string, IssuerAccount>();
  let handler: ReturnType<Provider['callback']> | undefined;
  const server: Server = createServer((req, res) => handler!(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  function registerClient(redirectUris: string[]): void {
    const provider = new Provider(issuer, {
      clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: redirectUris, response_types: ['code'], grant_types: ['authorization_code'] }],
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      features: { devInteractions: { enabled: true } },
      cookies: { keys: ['test-issuer-cookie-key'] },
      findAccount(_ctx, id) {
        const account = accounts.get(id);
        if (!account) return undefined;
        return { accountId: id, claims: () => ({ sub: id, ...account }) };
      },
    });
    handler = provider.callback();
  }

  async function signIn(authorizationUrl: string, login: string): Promise<URL> {
    const jar = new CookieJar();
    let url = new URL(authorizationUrl);
    let body: URLSearchParams | undefined;
    for (let hop = 0; hop < 12; hop++) {
      if (url.origin !== issuer) return url;
      const response = await fetch(url, {
        method: body ? 'POST' : 'GET',
        redirect: 'manual',
        headers: { cookie: jar.header(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        ...(body ? { body } : {}),
      });
      jar.store(response);
      const location = response.headers.get('location');
      if (location) {
        url = new URL(location, url);
        body = undefined;
        continue;
      }
      // An interaction page: answer its form (login first, then consent) at the same URL.
      const page = await response.text();
      if (response.status !== 200 || !url.pathname.startsWith('/interaction/')) throw new Error(`issuer answered ${response.status}: ${page.slice(0, 300)}`);
      body = page.includes('name="login"') ? new URLSearchParams({ prompt: 'login', login, password: 'any' }) : new URLSearchParams({ prompt: 'consent' });
    }
    throw new Error('the issuer never redirected back to the client');
  }

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    registerClient,
    signIn,
    close() {
      // Idle keep-alive sockets of the relying party's fetch would otherwise hold close() open.
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
