import { describe, expect, it } from 'vitest';
import { cleanUtm, splitUtm, withUtm } from './utm';

describe('UTM builder', () => {
  it('drops empty and blank values, and says "none" when nothing is left', () => {
    expect(cleanUtm({ source: ' news ', medium: '', campaign: '  ' })).toEqual({ source: 'news' });
    expect(cleanUtm({ source: '' })).toBeNull();
  });

  it('previews the landing URL as the redirect builds it', () => {
    expect(withUtm('https://shop.example/p?id=7', { source: 'poster', medium: 'qr' })).toBe(
      'https://shop.example/p?id=7&utm_source=poster&utm_medium=qr',
    );
  });

  it('replaces a utm parameter the destination already has', () => {
    expect(withUtm('https://a.example/?utm_source=old', { source: 'new' })).toBe(
      'https://a.example/?utm_source=new',
    );
  });

  it('encodes values', () => {
    expect(withUtm('https://a.example/', { campaign: 'spring sale & more' })).toBe(
      'https://a.example/?utm_campaign=spring+sale+%26+more',
    );
  });

  it('leaves an unparsable or UTM-less URL alone', () => {
    expect(withUtm('not a url', { source: 'x' })).toBe('not a url');
    expect(withUtm('https://a.example/', null)).toBe('https://a.example/');
  });

  it('takes utm parameters out of a pasted URL into the builder', () => {
    expect(splitUtm('https://a.example/p?utm_source=mail&id=3&utm_campaign=june')).toEqual({
      url: 'https://a.example/p?id=3',
      utm: { source: 'mail', campaign: 'june' },
    });
    expect(splitUtm('https://a.example/p?id=3')).toEqual({
      url: 'https://a.example/p?id=3',
      utm: null,
    });
  });
});
