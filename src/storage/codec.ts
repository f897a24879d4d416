// What Kysely's CamelCasePlugin leaves to us: a table's columns arrive under their camelCase names
// but still in their stored form — booleans as 0/1, lists and small objects as JSON text. One codec
// per table names only those columns; every other column passes through unchanged.
import type { Bool } from './schema.js';

export interface ColumnCodec<Stored, Value> {
  encode(value: Value): Stored;
  decode(stored: Stored): Value;
}

export const bool: ColumnCodec<Bool, boolean> = { encode: (value) => (value ? 1 : 0), decode: (stored) => stored === 1 };

/** JSON text; a null column decodes to `fallback` (and a null value stays null). */
export function json<T>(fallback: T): ColumnCodec<string | null, T> {
  return {
    encode: (value) => (value === null ? null : JSON.stringify(value)),
    decode: (stored) => (stored === null ? fallback : (JSON.parse(stored) as T)),
  };
}

/** Counters and money: int8 columns arrive as strings from some drivers; ours stay below 2^53. */
export const int: ColumnCodec<number | null, number> = { encode: (value) => value, decode: (stored) => Number(stored) };
export const intOrNull: ColumnCodec<number | null, number | null> = { encode: (value) => value, decode: (stored) => (stored === null ? null : Number(stored)) };

// A stored column may be nullable or not; a codec handles null either way.
type Columns<Row, Record> = { [K in keyof Row & keyof Record]?: ColumnCodec<NonNullable<Row[K]> | null, Record[K]> };

export interface TableCodec<Row, Record> {
  /** A stored row (selectAll) as the public record. */
  decode(row: Row): Record;
  /** A record or a partial patch as column values: keys left undefined are left out. */
  encode<P extends Partial<Record>>(record: P): { [K in keyof P]: K extends keyof Row ? Row[K] : never };
}

export function tableCodec<Row, Record>(columns: Columns<Row, Record>): TableCodec<Row, Record> {
  const entries = Object.entries(columns) as [string, ColumnCodec<unknown, unknown>][];
  return {
    decode(row) {
      const record: { [key: string]: unknown } = { ...(row as object) };
      for (const [key, codec] of entries) record[key] = codec.decode(record[key]);
      return record as Record;
    },
    encode(record) {
      const values: { [key: string]: unknown } = {};
      for (const [key, value] of Object.entries(record)) if (value !== undefined) values[key] = value;
      for (const [key, codec] of entries) if (key in values) values[key] = codec.encode(values[key]);
      return values as never;
    },
  };
}
