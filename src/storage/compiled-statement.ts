// Statements on the path every request feeds (usage records and their rollups; the group commit's
// charges and ledger entries, and the webhook endpoints it reads for credits.low; keys' last-use
// times): the SQL is compiled once per shape and database, and each run only binds its values.
// Kysely's builder, plugins and compiler cost far more than the database itself did on that path
// (half of the group commit's time, bench/results/profile.md). Multi-row inserts, and statements over
// a list of ids, are cut into chunks of at most CHUNK_ROWS rows or ids, so there are at most CHUNK_ROWS
// texts per statement, however batches vary.
import { CompiledQuery, type Compilable, type DialectAdapter, type Kysely, type QueryResult } from 'kysely';
import { prepared } from './prepared-statements.js';
import type { Tables } from './schema.js';

const CHUNK_ROWS = 32;

/** One statement's SQL per shape (a number: the row count of an insert) and database. */
export class CompiledStatement {
  /** Per database (its adapter), the SQL of each shape. */
  private readonly texts = new WeakMap<DialectAdapter, Map<number, string>>();

  /**
   * Runs what `build` makes, with `parameters` bound by position. `build` is only called the first
   * time the shape is seen on a database, and its statement's values must be `parameters`, in order.
   */
  async run<R>(db: Kysely<Tables>, shape: number, parameters: readonly unknown[], build: () => Compilable<R>): Promise<QueryResult<R>> {
    const adapter = db.getExecutor().adapter;
    let texts = this.texts.get(adapter);
    if (!texts) this.texts.set(adapter, (texts = new Map()));
    let text = texts.get(shape);
    if (text === undefined) {
      const compiled = build().compile();
      // The cached text binds values by position: they must be the given values, in that order.
      const same = compiled.parameters.length === parameters.length && compiled.parameters.every((value, i) => Object.is(value, parameters[i]));
      if (!same) throw new Error(`CompiledStatement: the statement's parameters are not the values given, in order (${compiled.sql})`);
      text = prepared(compiled.sql);
      texts.set(shape, text);
    }
    return db.executeQuery(CompiledQuery.raw(text, [...parameters]) as CompiledQuery<R>);
  }
}

/**
 * A statement over a list (an IN list, one OR term per item, or the rows of an INSERT) as a
 * CompiledStatement, run for at most CHUNK_ROWS items at a time: the rows of every chunk, in turn.
 * Only for statements whose chunks are independent (an insert, a delete or a select by key), so that
 * what the list does is what its chunks do.
 */
export class CompiledList<Item, R> {
  private readonly statement = new CompiledStatement();

  /** `parameters` are the values `build` puts in its statement for those items, in order (by default the items themselves). */
  constructor(
    private readonly build: (db: Kysely<Tables>, items: Item[]) => Compilable<R>,
    private readonly parameters: (items: readonly Item[]) => readonly unknown[] = (items) => items,
  ) {}

  async run(db: Kysely<Tables>, items: readonly Item[]): Promise<R[]> {
    const rows: R[] = [];
    for (let start = 0; start < items.length; start += CHUNK_ROWS) {
      const chunk = items.slice(start, start + CHUNK_ROWS);
      const result = await this.statement.run(db, chunk.length, this.parameters(chunk), () => this.build(db, chunk));
      for (const row of result.rows) rows.push(row);
    }
    return rows;
  }
}

/** A multi-row INSERT (or upsert) as a CompiledList: the rows' values, column by column, are its parameters. */
export class CompiledInsert<Row extends object> {
  private readonly list: CompiledList<Row, unknown>;
  /**
   * The columns, from the first row. Values are taken by name, so key order does not matter; every
   * row type given here (usage rows, rollups, ledger entries, spend rows) has no optional field, so
   * every row has every column.
   */
  private columns: readonly (keyof Row & string)[] | null = null;

  /** `build` makes the statement for the rows (it may add ON CONFLICT and the like, but no value other than the rows'). */
  constructor(build: (db: Kysely<Tables>, rows: Row[]) => Compilable<unknown>) {
    this.list = new CompiledList(build, (rows) => this.parameters(rows));
  }

  async run(db: Kysely<Tables>, rows: readonly Row[]): Promise<void> {
    await this.list.run(db, rows);
  }

  private parameters(rows: readonly Row[]): unknown[] {
    const columns = (this.columns ??= Object.keys(rows[0]!) as (keyof Row & string)[]);
    const values: unknown[] = [];
    for (const row of rows) for (const column of columns) values.push(row[column]);
    return values;
  }
}
