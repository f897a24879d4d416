// Fastify gives every request a child logger bound to its id (request.log). Most requests never log
// through it — their one line is written by the request-line hook (src/app.ts) — yet building one ran
// pino's redaction over its bindings: about 2 KB and a few µs on every data-plane request. This
// child is built on its first use, with the same bindings and options.
//
// A class, its methods and `level` accessor on the prototype: an object literal with `get level()`
// and a closure per method cost V8 a hidden class of its own per request (the accessors differ each
// time), slow to build, and kept what those closures reached alive through the young generation's
// collections until the next full one (ARCHITECTURE.md, "Hot-path objects").
import type { FastifyBaseLogger } from 'fastify';

type Bindings = Parameters<FastifyBaseLogger['child']>[0];
type ChildOptions = Parameters<FastifyBaseLogger['child']>[1];
type LogMethod = (...args: unknown[]) => void;
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
type Level = (typeof LEVELS)[number];

class LazyRequestLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildOptions,
  ) {}

  private built(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }

  /** Called as a method of the child, which pino's methods need. */
  write(level: Level, args: unknown[]): void {
    (this.built() as unknown as Record<Level, LogMethod>)[level](...args);
  }

  get level(): string {
    return (this.made ?? this.parent).level;
  }

  set level(level: string) {
    this.built().level = level;
  }

  child(more: Bindings, moreOptions?: ChildOptions): FastifyBaseLogger {
    return this.built().child(more, moreOptions);
  }
}

// One method per level, on the prototype: each passes its call to the child.
for (const level of LEVELS) {
  (LazyRequestLogger.prototype as unknown as Record<Level, LogMethod>)[level] = function (this: LazyRequestLogger, ...args: unknown[]) {
    this.write(level, args);
  };
}

export function lazyRequestLogger(parent: FastifyBaseLogger, bindings: Bindings, options: ChildOptions): FastifyBaseLogger {
  return new LazyRequestLogger(parent, bindings, options) as unknown as FastifyBaseLogger;
}
