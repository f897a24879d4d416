// Named statements on PostgreSQL for the texts every request feeds (CompiledStatement's, the
// reservation's and the settlement batch's). Sent without a name, a statement is parsed and planned
// on every run; the reservation (a WITH of five data-modifying steps) spent about a third of its
// time there (BENCHMARKS.md). With a name, each connection parses it once and binds values after.
//
// Only texts registered here are named: their number is bounded (a shape per statement, at most
// CHUNK_ROWS per list), whereas naming every text the admin plane sends would leave each connection
// holding a plan for every IN list length it ever saw. Behind a connection pooler in transaction
// mode, the pooler must keep prepared statements per server connection (PgBouncer 1.21 and later,
// `max_prepared_statements`; README "PostgreSQL").
import type { ClientBase } from 'pg';

const names = new Map<string, string>();

/** Registers `text` to be sent as a named statement on PostgreSQL; returns it unchanged. */
export function prepared(text: string): string {
  if (!names.has(text)) names.set(text, `tollgate_${names.size + 1}`);
  return text;
}

/** Makes this connection send registered texts by name (pool 'connect'). */
export function nameRegisteredStatements(client: ClientBase): void {
  // Through the prototype at each call, so what instruments pg's Client (tracing) still sees every statement.
  const query = (...args: unknown[]): unknown => (Object.getPrototypeOf(client) as { query: (...a: unknown[]) => unknown }).query.apply(client, args);
  (client as { query: unknown }).query = (text: unknown, ...rest: unknown[]) => {
    const name = typeof text === 'string' ? names.get(text) : undefined;
    if (name === undefined) return query(text, ...rest);
    const [values, callback] = rest;
    return typeof values === 'function' ? query({ name, text }, values) : query({ name, text, values }, callback);
  };
}
