// The registry of error codes (SPEC §5) and the one place that maps a code to an HTTP status.
// Expected refusals are thrown as ApiError and rendered by the HTTP layer in the plane's envelope.

export const ERROR_CODES = {
  invalid_request: { status: 400, message: 'The request is malformed.' },
  invalid_api_key: {
    status: 401,
    message: 'The provided API key is invalid or has been revoked.',
    suggestion: 'Check the key you sent; GET /api/v1/auth/keys (or the API keys page of /console) lists your keys by prefix.',
  },
  invalid_token: {
    status: 401,
    message: 'The access token is missing, expired or invalid.',
    suggestion: 'Sign in again or refresh your access token.',
  },
  invalid_credentials: {
    status: 401,
    message: 'Incorrect email or password.',
  },
  invalid_signature: {
    status: 401,
    message: 'The request signature is missing, invalid, or made with an unknown key.',
    suggestion: 'Sign the raw body with a key whose identifier this server is configured with.',
  },
  insufficient_credits: {
    status: 402,
    message: "The account's credit balance cannot cover this request.",
    suggestion: 'Add credits to the account or lower max_tokens.',
  },
  budget_exceeded: {
    status: 402,
    message: 'This request would spend past a budget.',
    suggestion: 'Wait until the budget resets (resets_at), or raise its limit.',
  },
  model_unpriced: {
    status: 402,
    message: 'This model has no price on this server, so it cannot be used.',
    suggestion: 'Ask the operator to price it (prices in the config file or PUT /api/v1/operator/prices) or to set pricing.unpriced.',
  },
  origin_not_allowed: {
    status: 403,
    message: 'This key may not be used from this origin.',
    suggestion: "Add the origin to the key's allowed origins (PATCH the key, or create one with it in /console).",
  },
  ip_not_allowed: {
    status: 403,
    message: 'This key may not be used from this address.',
    suggestion: "Add the client's address to the key's allowed_ips.",
  },
  forbidden: { status: 403, message: 'You are not allowed to do this.' },
  not_found: { status: 404, message: 'Not found.' },
  secret_scanning_not_configured: {
    status: 404,
    message: 'GitHub secret scanning is not configured on this server.',
    suggestion: "Set secret_scanning.github.public_keys in the config file (GitHub's keys: https://api.github.com/meta/public_keys/secret_scanning).",
  },
  conflict: { status: 409, message: 'The request conflicts with the current state.' },
  session_required: {
    status: 409,
    message: 'No active session for this model and automation is disabled.',
    suggestion: 'Open a session with POST /api/v1/sessions or enable automation.',
  },
  key_recovery_disabled: {
    status: 409,
    message: 'Key recovery is disabled on this server.',
    suggestion: 'Create a new key instead; keys are shown once.',
  },
  request_timeout: { status: 408, message: 'The request did not arrive in time.' },
  method_not_allowed: { status: 405, message: 'This method is not allowed on this route.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  headers_too_large: { status: 431, message: 'The request headers are too large.' },
  validation_error: { status: 422, message: 'The request failed validation.' },
  rate_limited: { status: 429, message: 'Too many requests.', suggestion: 'Retry after the time in Retry-After.' },
  invalid_webhook_signature: {
    status: 400,
    message: 'The webhook signature is missing, stale or does not match the body.',
  },
  internal_error: { status: 500, message: 'Internal server error.' },
  billing_not_configured: {
    status: 501,
    message: 'Selling credits is not configured on this server.',
    suggestion: 'Ask the operator to set billing.stripe in the config file.',
  },
  payment_provider_error: { status: 502, message: 'The payment provider did not create the checkout session.', suggestion: 'Try again in a moment.' },
  upstream_error: { status: 502, message: 'The upstream provider failed.' },
  unavailable: { status: 503, message: 'The service is temporarily unavailable.' },
  upstream_timeout: { status: 504, message: 'The upstream provider did not answer in time.' },
} as const satisfies Record<string, { status: number; message: string; suggestion?: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorDetail {
  code: ErrorCode;
  message: string;
  suggestion?: string;
  field?: string;
  /** budget_exceeded (SPEC §8): which budget refused, and when it resets (null: never). */
  scope?: 'key' | 'account';
  resets_at?: string | null;
}

export class ApiError extends Error {
  readonly status: number;
  readonly details: ErrorDetail[];
  /** Extra response headers, e.g. Retry-After on 429 (RFC 6585 §4). */
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, options: { message?: string; suggestion?: string; field?: string; details?: ErrorDetail[]; headers?: Record<string, string> } = {}) {
    const known: { status: number; message: string; suggestion?: string } = ERROR_CODES[code];
    super(options.message ?? known.message);
    this.name = 'ApiError';
    this.status = known.status;
    this.headers = options.headers ?? {};
    const suggestion = options.suggestion ?? known.suggestion;
    this.details = options.details ?? [
      { code, message: this.message, ...(suggestion ? { suggestion } : {}), ...(options.field ? { field: options.field } : {}) },
    ];
  }

  get code(): ErrorCode {
    return this.details[0]!.code;
  }
}
