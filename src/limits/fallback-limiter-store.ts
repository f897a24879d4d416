// Redis with a per-node safety net (SPEC §6, issue #5 "when Redis fails"). While Redis answers,
// every claim goes to it. When a claim fails (connection refused, timeout, …) this node switches to
// its own in-process limiter with each limit scaled by `share` — a documented fraction of the
// global limit (default 0.5: two nodes together stay within the limit) — logs the switch and
// reports it through `status()` and `onChange` (a /metrics gauge). It is never silently
// unlimited. Once Redis is ready again (and at least `retryMs` after the failure) claims go back.
import type { Logger } from 'pino';
import { scaleRules } from './limit-rules.js';
import type { ClaimRequest, ClaimResult, LimiterStore } from './limiter-store.js';
import type { MemoryLimiterStore } from './memory-limiter-store.js';

export interface PrimaryLimiterStore extends LimiterStore {
  isReady(): boolean;
}

export interface LimiterStatus {
  backend: 'memory' | 'redis';
  /** True while this node limits alone (Redis unreachable). */
  fallback: boolean;
  fallbackSince: string | null;
  /** How many times this node switched to its fallback. */
  fallbackSwitches: number;
  fallbackShare: number | null;
}

export interface FallbackLimiterOptions {
  share: number;
  logger: Logger;
  retryMs?: number;
  now?: () => number;
  onChange?: (status: LimiterStatus) => void;
}

export class FallbackLimiterStore implements LimiterStore {
  readonly backend = 'redis' as const;
  private fallbackSince: number | null = null;
  private switches = 0;
  private readonly retryMs: number;
  private readonly now: () => number;

  constructor(
    private readonly primary: PrimaryLimiterStore,
    private readonly fallback: MemoryLimiterStore,
    private readonly options: FallbackLimiterOptions,
  ) {
    this.retryMs = options.retryMs ?? 1_000;
    this.now = options.now ?? Date.now;
  }

  status(): LimiterStatus {
    return {
      backend: 'redis',
      fallback: this.fallbackSince !== null,
      fallbackSince: this.fallbackSince === null ? null : new Date(this.fallbackSince).toISOString(),
      fallbackSwitches: this.switches,
      fallbackShare: this.options.share,
    };
  }

  async claim(request: ClaimRequest): Promise<ClaimResult> {
    if (this.fallbackSince !== null && this.primary.isReady() && this.now() - this.fallbackSince >= this.retryMs) this.recover();
    if (this.fallbackSince === null) {
      try {
        return await this.primary.claim(request);
      } catch (error) {
        this.degrade(error);
      }
    }
    return this.fallback.claimNow(Object.assign({}, request, { rules: scaleRules(request.rules, this.options.share) }));
  }

  /** Called at start when Redis cannot be reached at all. */
  startDegraded(error: unknown): void {
    this.degrade(error);
  }

  async close(): Promise<void> {
    await this.fallback.close();
  }

  private degrade(error: unknown): void {
    if (this.fallbackSince !== null) return;
    this.fallbackSince = this.now();
    this.switches += 1;
    this.options.logger.error(
      { err: error instanceof Error ? { message: error.message, name: error.name } : String(error), share: this.options.share },
      'rate limits: Redis unreachable, this node now enforces its own share of each limit',
    );
    this.options.onChange?.(this.status());
  }

  private recover(): void {
    const since = this.fallbackSince;
    this.fallbackSince = null;
    this.options.logger.warn({ fallbackSince: since === null ? null : new Date(since).toISOString() }, 'rate limits: Redis reachable again, shared limits restored');
    this.options.onChange?.(this.status());
  }
}
