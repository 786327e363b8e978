import { describe, expect, it } from 'vitest';
import { restartDelayMs } from './writer.js';

describe('restartDelayMs', () => {
  it('doubles from 1 s with each crash in a row, up to a minute', () => {
    expect([1, 2, 3, 6, 7, 50].map(restartDelayMs)).toEqual([
      1000, 2000, 4000, 32_000, 60_000, 60_000,
    ]);
  });
});
