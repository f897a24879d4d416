import { describe, expect, it } from 'vitest';
import { decodeListCursor, encodeListCursor } from '../../src/core/list-cursor.js';

describe('list cursors', () => {
  it('round-trips a position as an opaque URL-safe token', () => {
    const position = { createdAt: '2026-11-30T12:00:00.123Z', id: 'key_AbC123xy' };
    const cursor = encodeListCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeListCursor(cursor)).toEqual(position);
  });

  it.each([
    ['not base64url', 'a+b/c='],
    ['not JSON', Buffer.from('{nope').toString('base64url')],
    ['the wrong shape', Buffer.from('{"createdAt":"2026-11-30T12:00:00.000Z","id":"key_a"}').toString('base64url')],
    ['a time that is not ISO 8601 UTC', Buffer.from('["yesterday","key_a"]').toString('base64url')],
    ['an id with SQL in it', Buffer.from(`["2026-11-30T12:00:00.000Z","key_a' or 1=1"]`).toString('base64url')],
    ['nothing', ''],
  ])('refuses %s', (_, cursor) => {
    expect(decodeListCursor(cursor)).toBeNull();
  });
});
