import { describe, expect, it } from 'vitest';
import { fieldPath, formErrors, ProblemError, toProblem } from './problem';

const invalid = (errors: { field: string; message: string }[], detail = 'The request is invalid') =>
  new ProblemError(toProblem(400, { code: 'validation_failed', detail, errors }));

describe('problem+json', () => {
  it('reads the detail and code of a problem document', () => {
    const problem = toProblem(403, {
      code: 'plan_limit',
      detail: 'Your plan allows 10 QR codes',
      limit: 10,
    });
    expect(problem).toMatchObject({
      status: 403,
      code: 'plan_limit',
      detail: 'Your plan allows 10 QR codes',
      limit: 10,
    });
  });
  it('still has something to say without a body, or without the network', () => {
    expect(toProblem(502, undefined).detail).toBe('The server answered 502.');
    expect(toProblem(0, null)).toMatchObject({
      code: 'network',
      detail: expect.stringContaining('could not be reached'),
    });
    expect(toProblem(404, { title: 'Not found' }).detail).toBe('Not found');
  });
  it('keeps only well-formed field errors', () => {
    expect(
      toProblem(400, { errors: [{ field: '/url', message: 'bad' }, { field: 3 }, 'x'] }).errors,
    ).toEqual([{ field: '/url', message: 'bad' }]);
  });
});

describe('field errors onto form fields', () => {
  it('turns JSON pointers into field paths', () => {
    expect(fieldPath('/utm/source')).toBe('utm.source');
    expect(fieldPath('/rules/0/when/os')).toBe('rules.0.when.os');
    expect(fieldPath('/a~1b/c~0d')).toBe('a/b.c~d');
    expect(fieldPath('querystring:/size')).toBe('query.size');
    expect(fieldPath('/')).toBe('');
  });

  it('puts each error next to its field, without a summary', () => {
    const error = invalid([
      { field: '/url', message: 'must be an http(s) URL' },
      { field: '/code', message: 'is taken' },
    ]);
    expect(formErrors(error, ['url', 'code', 'title'])).toEqual({
      fields: { url: 'must be an http(s) URL', code: 'is taken' },
      summary: null,
    });
  });

  it('gives a nested error to the closest known field, naming the rest of the path', () => {
    const error = invalid([
      { field: '/utm/source', message: 'must NOT have more than 200 characters' },
      { field: '/rules/1/when/country/0', message: 'must match pattern' },
    ]);
    expect(formErrors(error, ['utm', 'rules', 'rules.1.when.country']).fields).toEqual({
      utm: 'source: must NOT have more than 200 characters',
      'rules.1.when.country': '0: must match pattern',
    });
  });

  it('joins several messages for one field', () => {
    const error = invalid([
      { field: '/password', message: 'is too short' },
      { field: '/password', message: 'is too common' },
    ]);
    expect(formErrors(error, ['password']).fields).toEqual({
      password: 'is too short; is too common',
    });
  });

  it('summarises what no field shows, and the detail when there are no field errors', () => {
    expect(
      formErrors(invalid([{ field: '/extra', message: 'is not a known field' }]), ['url']),
    ).toEqual({
      fields: {},
      summary: 'extra: is not a known field',
    });
    const conflict = new ProblemError(
      toProblem(409, { code: 'conflict', detail: 'This code is taken' }),
    );
    expect(formErrors(conflict, ['url'])).toEqual({ fields: {}, summary: 'This code is taken' });
    expect(formErrors(null, ['url'])).toEqual({ fields: {}, summary: null });
    expect(formErrors(new Error('boom'), [])).toEqual({ fields: {}, summary: 'boom' });
  });
});
