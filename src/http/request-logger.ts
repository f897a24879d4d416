// Fastify gives every request a child logger bound to its id (request.log). Most requests never log
// through it — their one line is written by the request-line hook (src/app.ts) — yet building one ran
// pino's redaction over its bindings: about 2 KB and a few µs on every data-plane request. This
// child is built on its first use, with the same bindings and options.
import type { FastifyBaseLogger } from 'fastify';

type Bindings = Parameters<FastifyBaseLogger['child']>[0];
type ChildOptions = Parameters<FastifyBaseLogger['child']>[1];
type LogMethod = (...args: unknown[]) => void;
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function lazyRequestLogger(parent: FastifyBaseLogger, bindings: Bindings, options: ChildOptions): FastifyBaseLogger {
  let child: FastifyBaseLogger | undefined;
  const built = () => (child ??= parent.child(bindings, options));
  const logger = {
    get level() {
      return (child ?? parent).level;
    },
    set level(level: string) {
      built().level = level;
    },
    child: (more: Bindings, moreOptions?: ChildOptions) => built().child(more, moreOptions),
  } as FastifyBaseLogger;
  for (const level of LEVELS) {
    (logger as unknown as Record<string, LogMethod>)[level] = (...args) => (built()[level] as LogMethod)(...args);
  }
  return logger;
}
