import { describe, expect, it } from 'vitest';
import {
  CachedLink,
  STATUS_ACTIVE,
  STATUS_BLOCKED,
  STATUS_DISABLED,
  STATUS_PAUSED,
} from './compiled-link.js';

describe('CachedLink', () => {
  it('keeps every status, redirect type and switch it was given, packed into one number', () => {
    for (const status of [STATUS_ACTIVE, STATUS_PAUSED, STATUS_DISABLED, STATUS_BLOCKED]) {
      for (const redirectType of [301, 302, 307, 308]) {
        for (const passQuery of [false, true]) {
          for (const track of [false, true]) {
            const link = new CachedLink(
              'lnk_1',
              'ws_1',
              '',
              'ABC',
              'abc',
              'https://example.com/',
              status,
              redirectType,
              passQuery,
              track,
              7,
              null,
            );
            expect({
              status: link.status,
              redirectType: link.redirectType,
              passQuery: link.passQuery,
              track: link.track,
              scans: link.scans,
            }).toEqual({ status, redirectType, passQuery, track, scans: 7 });
          }
        }
      }
    }
  });
});
