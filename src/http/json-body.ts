// The JSON body parser: Fastify's own (which refuses `__proto__` and `constructor.prototype`
// poisoning), behind a nesting bound. Deeper JSON is a 400 invalid_request before it is parsed
// (issue 9 item 20); a parser that still runs out of stack answers the same, never a 500.
import type { FastifyInstance } from 'fastify';
import { jsonNestsDeeperThan } from '../core/json-depth.js';
import { ApiError } from '../core/errors.js';

const tooDeep = () => new ApiError('invalid_request', { message: 'The request body nests JSON too deeply.' });

export function installJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, function parseBoundedJson(request, body, done) {
    const text = body as string;
    if (jsonNestsDeeperThan(text)) return done(tooDeep(), undefined);
    try {
      parseJson(request, text, done);
    } catch (error) {
      done(error instanceof RangeError ? tooDeep() : (error as Error), undefined);
    }
  });
}
