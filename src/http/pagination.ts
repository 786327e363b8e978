import { AppError } from '../errors.js';

/** Cursors are opaque to clients: base64url of the last item's sort key. */
export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | null {
  if (cursor === undefined) return null;
  const value = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[a-z]{3}_[0-9a-z]{26}$/.test(value)) {
    throw new AppError('validation_failed', 'cursor is not valid', {
      errors: [{ field: 'querystring:/cursor', message: 'is not a cursor returned by this API' }],
    });
  }
  return value;
}

/** Repos fetch limit + 1 rows; the extra row only tells whether there is a next page. */
export function toPage<T extends { id: string }, R>(
  rows: T[],
  limit: number,
  map: (row: T) => R,
): { items: R[]; nextCursor: string | null } {
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { items: items.map(map), nextCursor: hasMore && last ? encodeCursor(last.id) : null };
}
