// Column conventions every table follows (src/storage/schema.ts): booleans are 0/1 integers.
export type Bool = 0 | 1;
