// Sessions (SPEC §1): a lease binding (API key, model) to one upstream target, so a conversation
// keeps hitting the same upstream (and its prompt cache). Open sessions are cached on this node for
// a few seconds; the database's partial unique index settles races between nodes.
import { newId } from '../core/ids.js';
import type { Target } from '../core/model-targets.js';
import { isUniqueViolation } from '../storage/database-errors.js';
import type { SessionRecord } from '../storage/sessions.js';
import type { Storage } from '../storage/storage.js';
import { LruMap } from '../core/lru-map.js';

export interface OpenSessionInput {
  accountId: string;
  keyId: string;
  model: string;
  target: Pick<Target, 'provider' | 'model'>;
  durationS: number;
  /** An explicit POST /api/v1/sessions ends the key's current session for the model. */
  replace: boolean;
}

const cacheKey = (keyId: string, model: string) => `${keyId}\n${model}`;

export class SessionService {
  private readonly cache = new LruMap<string, { session: SessionRecord; atMs: number }>(50_000);

  constructor(
    private readonly storage: Storage,
    private readonly cacheTtlMs: number,
  ) {}

  async findOpen(keyId: string, model: string, now: Date): Promise<SessionRecord | undefined> {
    const at = now.toISOString();
    const cached = this.cache.get(cacheKey(keyId, model));
    if (cached && now.getTime() - cached.atMs < this.cacheTtlMs && cached.session.expiresAt > at) return cached.session;
    const session = await this.storage.sessions.findOpen(keyId, model, at);
    if (session) this.cache.set(cacheKey(keyId, model), { session, atMs: now.getTime() });
    else this.cache.delete(cacheKey(keyId, model));
    return session;
  }

  /** Opens a session; if another request (or node) opened one first, returns that one instead. */
  async open(input: OpenSessionInput, now = new Date()): Promise<SessionRecord> {
    const at = now.toISOString();
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.storage.sessions.closeOpen(input.keyId, input.model, at, input.replace && attempt === 0);
      const session: SessionRecord = {
        id: newId('ses'),
        accountId: input.accountId,
        keyId: input.keyId,
        model: input.model,
        provider: input.target.provider,
        targetModel: input.target.model,
        failovers: 0,
        createdAt: at,
        expiresAt: new Date(now.getTime() + input.durationS * 1000).toISOString(),
        endedAt: null,
      };
      try {
        await this.storage.sessions.insert(session);
        this.cache.set(cacheKey(input.keyId, input.model), { session, atMs: now.getTime() });
        return session;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        const existing = await this.storage.sessions.findOpen(input.keyId, input.model, at);
        if (existing && !input.replace) return existing;
      }
    }
    throw new Error('could not open a session after 3 attempts');
  }

  /** The pinned target failed and another one answered: re-pin the session there. */
  async move(session: SessionRecord, target: Pick<Target, 'provider' | 'model'>): Promise<SessionRecord> {
    await this.storage.sessions.moveTarget(session.id, target.provider, target.model);
    const moved = { ...session, provider: target.provider, targetModel: target.model, failovers: session.failovers + 1 };
    this.cache.set(cacheKey(session.keyId, session.model), { session: moved, atMs: Date.now() });
    return moved;
  }

  async end(session: SessionRecord, now = new Date()): Promise<void> {
    await this.storage.sessions.end(session.id, now.toISOString());
    this.cache.delete(cacheKey(session.keyId, session.model));
  }
}
