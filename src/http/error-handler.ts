// Renders every error in the envelope of its plane (SPEC §5), maps codes to statuses in one place
// (core/errors.ts) and keeps internals out of answers: a 500 says nothing about its cause.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';
import { lingerOnUnreadBody } from './drain-body.js';
import { isOpenAiPath } from './planes.js';
import { validationError } from '../core/validation-error.js';
import type { ValidationIssue } from '../core/validation-issues.js';
import { isDatabaseUnreachable } from '../storage/database-errors.js';


function toApiError(error: FastifyError & { fastApiDetail?: unknown }): ApiError {
  if (error instanceof ApiError) return error;
  if (error.validation) return validationError(error.validationContext, error.validation as ValidationIssue[]);
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('payload_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('invalid_request', { message: 'Unsupported Content-Type; send application/json.' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError('invalid_request', { message: 'The request body is not valid JSON.' });
    default:
      if (error instanceof SyntaxError || (error.statusCode === 400 && error.code?.startsWith('FST_ERR_CTP'))) {
        return new ApiError('invalid_request', { message: 'The request body is not valid JSON.' });
      }
      if (error.statusCode === 413) return new ApiError('payload_too_large');
      // Any route, not only the credit ones: a database outage is a 503 the client may retry, not a bug.
      if (isDatabaseUnreachable(error)) return new ApiError('unavailable', { message: 'The database cannot be reached.', suggestion: 'Retry in a few seconds.' });
      return new ApiError('internal_error');
  }
}

const OPENAI_TYPES: Record<number, string> = {
  402: 'insufficient_quota',
  429: 'rate_limit_error',
};

/**
 * RFC 6750 §3 (and RFC 9110 §15.5.2: every 401 names its scheme): `Bearer`, with
 * `error="invalid_token"` when a credential was presented and refused; a request that sent none
 * gets no error code (§3.1).
 */
function bearerChallenge(request: FastifyRequest, apiError: ApiError): string {
  const presented = request.headers.authorization !== undefined || request.headers['x-api-key'] !== undefined;
  const refused = apiError.code === 'invalid_token' || apiError.code === 'invalid_api_key';
  return presented && refused ? 'Bearer error="invalid_token"' : 'Bearer';
}

export function sendError(request: FastifyRequest, reply: FastifyReply, apiError: ApiError): FastifyReply {
  reply.status(apiError.status).headers(apiError.headers);
  if (apiError.status === 401 && !apiError.headers['www-authenticate']) reply.header('www-authenticate', bearerChallenge(request, apiError));
  const openai = request.routeOptions.config?.openaiErrors ?? isOpenAiPath(request.url);
  if (openai) {
    const first = apiError.details[0]!;
    return reply.send({
      error: {
        message: first.suggestion ? `${first.message} ${first.suggestion}` : first.message,
        type: OPENAI_TYPES[apiError.status] ?? (apiError.status >= 500 ? 'api_error' : 'invalid_request_error'),
        code: first.code,
        param: first.field ?? null,
        // Beside `code`, as SPEC §8 asks of budget_exceeded; OpenAI SDKs keep unknown fields.
        ...(first.scope !== undefined ? { scope: first.scope } : {}),
        ...(first.resets_at !== undefined ? { resets_at: first.resets_at } : {}),
      },
    });
  }
  const body: Record<string, unknown> = { errors: apiError.details, meta: { request_id: request.id } };
  const fastApiDetail = (apiError as ApiError & { fastApiDetail?: unknown }).fastApiDetail;
  if (fastApiDetail) body.detail = fastApiDetail;
  return reply.send(body);
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(function handleError(error: FastifyError, request, reply) {
    const apiError = toApiError(error);
    if (apiError.status >= 500) request.log.error({ err: error }, 'request failed');
    lingerOnUnreadBody(request, reply);
    return sendError(request, reply, apiError);
  });
  app.setNotFoundHandler(function notFound(request, reply) {
    return sendError(request, reply, new ApiError('not_found', { message: `No route for ${request.method} ${request.url.split('?')[0]}.` }));
  });
}
