// Renders every error in the envelope of its plane (SPEC §5), maps codes to statuses in one place
// (core/errors.ts) and keeps internals out of answers: a 500 says nothing about its cause.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, type ErrorDetail } from '../core/errors.js';
import { lingerOnUnreadBody } from './drain-body.js';
import { isOpenAiPath } from './planes.js';
import { foldUnionIssues, type ValidationIssue } from './validation-issues.js';


function locOf(context: string | undefined, issue: ValidationIssue): string[] {
  const path = issue.instancePath.split('/').filter(Boolean).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (issue.keyword === 'required' && typeof issue.params.missingProperty === 'string') path.push(issue.params.missingProperty);
  if (issue.keyword === 'additionalProperties' && typeof issue.params.additionalProperty === 'string') path.push(issue.params.additionalProperty);
  return [context ?? 'body', ...path];
}

/** Turns Ajv issues into the 422 body: our `errors` list plus FastAPI's `detail` list. */
export function validationError(context: string | undefined, issues: ValidationIssue[]): ApiError {
  const seen = new Set<string>();
  const details: ErrorDetail[] = [];
  const detail: Array<{ loc: string[]; msg: string; type: string }> = [];
  for (const issue of foldUnionIssues(issues)) {
    const loc = locOf(context, issue);
    const field = loc.slice(1).join('.') || loc[0]!;
    const message = issue.message ?? 'is invalid';
    const dedupe = `${field}:${message}`;
    if (seen.has(dedupe)) continue;
    seen.add(dedupe);
    details.push({ code: 'validation_error', message: `${field} ${message}`, field });
    detail.push({ loc, msg: message, type: `value_error.${issue.keyword}` });
  }
  const error = new ApiError('validation_error', { details });
  return Object.assign(error, { fastApiDetail: detail });
}

/** A single-field 422 raised by handler code, in the same shape as schema failures. */
export function invalidField(field: string, message: string): ApiError {
  return validationError('body', [{ instancePath: `/${field}`, message, keyword: 'value', params: {} }]);
}

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
