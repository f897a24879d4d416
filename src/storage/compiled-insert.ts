// A multi-row INSERT for the write path every request feeds (usage records and their rollups): the
// SQL is compiled once per row count and database, and each batch only binds its values. Kysely's
// builder, plugins and compiler cost far more than the database itself did on that path (half of
// the group commit's time, bench/results/profile.md). Batches are cut into chunks of at most
// CHUNK_ROWS rows, so there are at most CHUNK_ROWS texts per statement, however batches vary.
import { CompiledQuery, type Compilable, type DialectAdapter, type Kysely } from 'kysely';
import type { Tables } from './schema.js';

const CHUNK_ROWS = 32;

export class CompiledInsert<Row extends object> {
  /** Per database (its adapter), the SQL of each chunk size. */
  private readonly texts = new WeakMap<DialectAdapter, Map<number, string>>();

  /** Every row's keys, in order (taken from the first row: rows are made by one object literal). */
  private columns: readonly (keyof Row & string)[] | null = null;

  /** `build` makes the statement for the rows (it may add ON CONFLICT and the like, but no value other than the rows'). */
  constructor(private readonly build: (db: Kysely<Tables>, rows: Row[]) => Compilable<unknown>) {}

  async run(db: Kysely<Tables>, rows: readonly Row[]): Promise<void> {
    for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
      const chunk = rows.slice(start, start + CHUNK_ROWS);
      const parameters = this.parameters(chunk);
      await db.executeQuery(CompiledQuery.raw(this.text(db, chunk, parameters), parameters));
    }
  }

  private parameters(rows: readonly Row[]): unknown[] {
    const columns = (this.columns ??= Object.keys(rows[0]!) as (keyof Row & string)[]);
    const values: unknown[] = [];
    for (const row of rows) for (const column of columns) values.push(row[column]);
    return values;
  }

  private text(db: Kysely<Tables>, rows: Row[], parameters: readonly unknown[]): string {
    const adapter = db.getExecutor().adapter;
    let texts = this.texts.get(adapter);
    if (!texts) this.texts.set(adapter, (texts = new Map()));
    let text = texts.get(rows.length);
    if (text === undefined) {
      const compiled = this.build(db, rows).compile();
      // The cached text binds values by position: they must be the rows' values in column order.
      const same = compiled.parameters.length === parameters.length && compiled.parameters.every((value, i) => Object.is(value, parameters[i]));
      if (!same) throw new Error(`CompiledInsert: the statement's parameters are not the rows' values in the order ${this.columns!.join(', ')}`);
      text = compiled.sql;
      texts.set(rows.length, text);
    }
    return text;
  }
}
