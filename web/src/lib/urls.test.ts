import { describe, expect, it } from 'vitest';
import { safeNext, tokenFromFragment } from './urls';

describe('e-mail link tokens', () => {
  it('reads the token from the fragment', () => {
    expect(tokenFromFragment('#token=abc_123')).toBe('abc_123');
    expect(tokenFromFragment('token=abc')).toBe('abc');
    expect(tokenFromFragment('#other=1')).toBeNull();
    expect(tokenFromFragment('')).toBeNull();
    expect(tokenFromFragment(`#token=${'x'.repeat(101)}`)).toBeNull();
  });
});

describe('return path after sign-in', () => {
  it('keeps paths of this site', () => {
    expect(safeNext('/links?q=menu')).toBe('/links?q=menu');
  });
  it('never leaves the site', () => {
    expect(safeNext('//evil.example/')).toBe('/');
    expect(safeNext('/\\evil.example')).toBe('/');
    expect(safeNext('https://evil.example/')).toBe('/');
    expect(safeNext(null)).toBe('/');
  });
});
