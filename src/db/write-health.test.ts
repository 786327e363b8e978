import { describe, expect, it } from 'vitest';
import { writeFailureCause } from './write-health.js';

const withCode = (code: unknown) => Object.assign(new Error('whatever the text says'), { code });

describe('writeFailureCause', () => {
  it('names the cause from the driver error code of either engine', () => {
    expect(
      [
        'SQLITE_FULL',
        'SQLITE_READONLY',
        'SQLITE_READONLY_DBMOVED',
        'SQLITE_CANTOPEN',
        'SQLITE_IOERR_WRITE',
        '53100',
        '25006',
        '42501',
      ].map((code) => writeFailureCause(withCode(code))),
    ).toEqual([
      'disk_full',
      'read_only',
      'read_only',
      'cannot_open',
      'io_error',
      'disk_full',
      'read_only',
      'permission_denied',
    ]);
  });

  it('leaves every other error alone, whatever its message says', () => {
    for (const err of [
      withCode('SQLITE_CONSTRAINT_UNIQUE'),
      withCode('SQLITE_BUSY'),
      withCode('23505'),
      withCode('ECONNREFUSED'),
      withCode(53100),
      new Error('database or disk is full'),
      null,
      'SQLITE_FULL',
    ]) {
      expect(writeFailureCause(err)).toBeNull();
    }
  });
});
