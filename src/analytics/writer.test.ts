import { describe, expect, it } from 'vitest';
import { restartDelayMs, retryDelayMs } from './writer.js';

describe('restartDelayMs', () => {
  it('doubles from 1 s with each crash in a row, up to a minute', () => {
    expect([1, 2, 3, 6, 7, 50].map(restartDelayMs)).toEqual([
      1000, 2000, 4000, 32_000, 60_000, 60_000,
    ]);
  });
});

describe('retryDelayMs', () => {
  it('doubles from 100 ms with each failed batch in a row, up to 30 s', () => {
    expect([1, 2, 3, 9, 10, 11, 1000].map(retryDelayMs)).toEqual([
      100, 200, 400, 25_600, 30_000, 30_000, 30_000,
    ]);
  });
});
