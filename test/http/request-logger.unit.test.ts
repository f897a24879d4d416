// A request's logger is built on its first use: most requests never log through it, and building
// one ran the redaction over its bindings on every request. Once used, it is the child Fastify's
// own factory makes: the request's id bound, the parent's redaction applied.
import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import { lazyRequestLogger } from '../../src/http/request-logger.js';
import { createLogger } from '../../src/logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  let children = 0;
  const parent = new Proxy(logger, {
    get(target, name, receiver) {
      if (name === 'child') return (...args: Parameters<typeof logger.child>) => (children++, target.child(...args));
      return Reflect.get(target, name, receiver) as unknown;
    },
  }) as unknown as FastifyBaseLogger;
  return { lines, parent, children: () => children };
}

describe('the request logger', () => {
  it('builds no child for a request that never logs', () => {
    const { parent, children } = capture();
    const log = lazyRequestLogger(parent, { reqId: 'req_1' }, {});
    expect(log.level).toBe('info');
    expect(children()).toBe(0);
  });

  it("writes the request's id and redacts secrets once it logs", () => {
    const { lines, parent, children } = capture();
    const log = lazyRequestLogger(parent, { reqId: 'req_2' }, {});
    log.warn({ provider: 'p', body: { api_key: 'sk-secret' } }, 'upstream attempt failed');
    log.info('second line');
    expect(children()).toBe(1);
    expect(lines.map((line) => [line.reqId, line.msg])).toEqual([
      ['req_2', 'upstream attempt failed'],
      ['req_2', 'second line'],
    ]);
    expect(lines[0]!.body).toEqual({ api_key: '[redacted]' });
  });
});
