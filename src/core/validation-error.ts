// The 422 of SPEC §5 as a value: Ajv's issues (or one field named by handler code) folded into
// Tollgate's `errors` list plus FastAPI's `detail` list. Pure, so domain code can raise it
// without depending on the HTTP layer that renders it (src/http/error-handler.ts).
import { ApiError, type ErrorDetail } from './errors.js';
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
