import { AppError } from '../errors.js';
import { DAY_MS } from './rollups.js';

/** The widest range of time the chart API and the CSV export answer for. */
export const MAX_RANGE_DAYS = 400;

/** A well-formed query whose range cannot be served: 422, naming the query field. */
export function rangeError(field: string, message: string): AppError {
  return new AppError('unprocessable', `${field} ${message}`, {
    errors: [{ field: `querystring:/${field}`, message }],
  });
}

/** The one range check of every analytics read: `from` before `to`, at most 400 days apart. */
export function checkRange(from: number, to: number): void {
  if (!(from < to)) throw rangeError('from', 'must be before to');
  if (to - from > MAX_RANGE_DAYS * DAY_MS) {
    throw rangeError('from', `range must be at most ${MAX_RANGE_DAYS} days`);
  }
}
