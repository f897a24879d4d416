// The attribute names Tollgate's spans carry. The GenAI ones are still "development" in the
// OpenTelemetry semantic conventions (v1.37+, where gen_ai.provider.name replaced gen_ai.system), so
// they are copied here, as the semantic-conventions package advises, rather than imported from its
// unstable `incubating` entry point, whose names may change in any minor release.
export const GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';

/** Tollgate's own: who called and what it cost. Never the key itself, only its public id. */
/** Tollgate's own request id (`req_…`), which keys its logs, ledger entries and usage records. */
export const TOLLGATE_REQUEST_ID = 'tollgate.request_id';
export const TOLLGATE_ACCOUNT_ID = 'tollgate.account_id';
export const TOLLGATE_KEY_ID = 'tollgate.key_id';
export const TOLLGATE_CREDITS = 'tollgate.credits';
/** The provider a plain HTTP route forwarded to (a GenAI call names it in gen_ai.provider.name). */
export const TOLLGATE_PROVIDER = 'tollgate.provider';
/** ok, failed, aborted (the client left) or refused (before any upstream was asked). */
export const TOLLGATE_OUTCOME = 'tollgate.outcome';
