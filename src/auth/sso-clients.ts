// The OpenID Connect clients, one per configured issuer (SPEC §12). Discovery (the issuer's
// /.well-known/openid-configuration, then its keys) happens on first use, not at start: an issuer
// that is down must not stop Tollgate from starting, and a server that never sees an SSO sign-in
// never calls out. A successful discovery is kept for the life of the process; a failed one is
// forgotten so that the next sign-in tries again.
import * as oidc from 'openid-client';
import type { SsoProviderSettings } from '../config.js';

/** Seconds openid-client waits for each request to the issuer (discovery, token, userinfo). */
const ISSUER_TIMEOUT_S = 10;

export class SsoUnavailableError extends Error {
  override name = 'SsoUnavailableError';
}

export interface SsoProvider {
  settings: Readonly<SsoProviderSettings>;
  /** The issuer's discovered configuration; throws SsoUnavailableError when the issuer cannot be read. */
  client(): Promise<oidc.Configuration>;
}

export class SsoClients {
  private readonly providers = new Map<string, SsoProvider>();

  constructor(settings: ReadonlyArray<Readonly<SsoProviderSettings>>) {
    for (const provider of settings) this.providers.set(provider.id, lazyProvider(provider));
  }

  /** In config order, for the sign-in page's buttons. */
  list(): Array<Readonly<SsoProviderSettings>> {
    return [...this.providers.values()].map((p) => p.settings);
  }

  get(id: string): SsoProvider | undefined {
    return this.providers.get(id);
  }
}

function lazyProvider(settings: Readonly<SsoProviderSettings>): SsoProvider {
  let discovered: Promise<oidc.Configuration> | undefined;
  return {
    settings,
    client() {
      discovered ??= discover(settings).catch((error: unknown) => {
        discovered = undefined;
        throw error;
      });
      return discovered;
    },
  };
}

async function discover(settings: Readonly<SsoProviderSettings>): Promise<oidc.Configuration> {
  const issuer = new URL(settings.issuer);
  // The config check allows plain http only to this machine (a local issuer in development and tests).
  const insecure = issuer.protocol === 'http:';
  try {
    // client_secret_basic: the OpenID Connect default token endpoint authentication.
    return await oidc.discovery(issuer, settings.clientId, undefined, oidc.ClientSecretBasic(settings.clientSecret), {
      timeout: ISSUER_TIMEOUT_S,
      ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
    });
  } catch (error) {
    // The message names the issuer and what failed (network, status, metadata); it holds no secret.
    const code = ((error as Error).cause as { code?: unknown } | undefined)?.code;
    const detail = typeof code === 'string' ? ` (${code})` : '';
    throw new SsoUnavailableError(`discovery of ${settings.issuer} failed: ${(error as Error).message}${detail}`, { cause: error });
  }
}
