// An API refusal as the console shows it: the API's own `message` and `suggestion` (SPEC §5), from
// either envelope — Tollgate's `{errors: [...]}` or OpenAI's `{error: {...}}` on the data plane.
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly suggestion: string | undefined,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

interface Envelope {
  errors?: Array<{ code?: string; message?: string; suggestion?: string; field?: string }>;
  error?: { code?: string; message?: string };
}

export function problemFrom(status: number, body: unknown): ApiProblem {
  const envelope = (body ?? {}) as Envelope;
  const first = envelope.errors?.[0];
  if (first?.message) {
    const message = first.field && !first.message.includes(first.field) ? `${first.field}: ${first.message}` : first.message;
    return new ApiProblem(status, message, first.suggestion, first.code);
  }
  if (envelope.error?.message) return new ApiProblem(status, envelope.error.message, undefined, envelope.error.code);
  return new ApiProblem(status, `The server answered ${status}.`, status >= 500 ? 'Try again in a moment.' : undefined, undefined);
}

/** openapi-fetch's result, its data or the problem thrown (TanStack Query shows it as the error). */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) throw problemFrom(result.response.status, result.error);
  return result.data as T;
}
