import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { writeFailureCause } from '../db/write-health.js';
import { AppError, ERROR_CODES, type ErrorCode, type FieldError } from '../errors.js';
import { PATTERN_MESSAGES } from './schemas.js';

export const PROBLEM_TYPE_BASE = 'https://qrlink.dev/problems/';

export function problemType(code: ErrorCode): string {
  const entry = ERROR_CODES[code];
  return 'type' in entry ? entry.type : PROBLEM_TYPE_BASE + code.replaceAll('_', '-');
}

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export function problemFrom(err: AppError): ProblemDocument {
  return {
    ...err.extensions,
    type: problemType(err.code),
    title: ERROR_CODES[err.code].title,
    status: err.status,
    detail: err.message,
    code: err.code,
    ...(err.errors ? { errors: err.errors } : {}),
  };
}

export function sendProblem(reply: FastifyReply, err: AppError): FastifyReply {
  if (err.headers) reply.headers(err.headers);
  return reply
    .code(err.status)
    .type('application/problem+json')
    .serializer(JSON.stringify)
    .send(problemFrom(err));
}

interface AjvError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
  /** The failing keyword's value (ajv's `verbose` option): for `anyOf`, its branches. */
  schema?: unknown;
  /** The value that failed (ajv's `verbose` option). */
  data?: unknown;
}

/** Each ajv error as a field path and a sentence; the path names the offending field. */
export function fieldErrors(validation: AjvError[], part: string): FieldError[] {
  return foldUnions(validation).map((e) => {
    let field = e.instancePath || '';
    if (e.keyword === 'required') field += `/${String(e.params.missingProperty)}`;
    if (e.keyword === 'additionalProperties') {
      return {
        field: `${field}/${String(e.params.additionalProperty)}`,
        message: 'is not a known field',
      };
    }
    const prefix = part === 'body' ? '' : `${part}:`;
    return { field: prefix + (field || '/'), message: messageOf(e) };
  });
}

function messageOf(e: AjvError): string {
  if (e.keyword === 'enum' && Array.isArray(e.params.allowedValues)) {
    return `must be one of: ${e.params.allowedValues.map((v) => String(v)).join(', ')}`;
  }
  if (e.keyword === 'pattern') {
    const known = PATTERN_MESSAGES.get(String(e.params.pattern));
    if (known) return known;
  }
  return e.message ?? 'is invalid';
}

/**
 * What ajv reports for a failed union, folded into what a caller needs: a union of constants
 * (TypeBox's enum, `Type.Union(values.map(Type.Literal))`, possibly nullable) becomes one
 * "must be one of" error instead of one "must be equal to constant" per value, and a nullable
 * field given a non-null value reports its own error without "must be null" beside it.
 */
function foldUnions(errors: AjvError[]): AjvError[] {
  const dropped = new Set<AjvError>();
  const replaced = new Map<AjvError, AjvError>();
  const unions = errors
    .filter((e) => e.keyword === 'anyOf')
    .sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const union of unions) {
    if (dropped.has(union)) continue;
    const branches = Array.isArray(union.schema) ? (union.schema as unknown[]) : [];
    const under = (path: string) =>
      errors.filter((e) => e !== union && e.schemaPath.startsWith(`${path}/`));
    const values = allowedValues({ anyOf: branches });
    if (values !== null) {
      for (const e of under(union.schemaPath)) dropped.add(e);
      replaced.set(union, { ...union, keyword: 'enum', params: { allowedValues: values } });
      continue;
    }
    const nullBranch = branches.findIndex(isNullSchema);
    if (branches.length === 2 && nullBranch !== -1 && union.data !== null) {
      dropped.add(union);
      for (const e of under(`${union.schemaPath}/${nullBranch}`)) dropped.add(e);
    }
  }
  return errors.filter((e) => !dropped.has(e)).map((e) => replaced.get(e) ?? e);
}

/** Every value an enum-like schema (a const, an enum, null, or a union of those) allows, else null. */
function allowedValues(schema: unknown): unknown[] | null {
  if (typeof schema !== 'object' || schema === null) return null;
  const s = schema as Record<string, unknown>;
  if ('const' in s) return [s.const];
  if (Array.isArray(s.enum)) return s.enum as unknown[];
  if (isNullSchema(s)) return [null];
  if (!Array.isArray(s.anyOf) || s.anyOf.length === 0) return null;
  const values: unknown[] = [];
  for (const branch of s.anyOf as unknown[]) {
    const allowed = allowedValues(branch);
    if (allowed === null) return null;
    values.push(...allowed);
  }
  return values;
}

function isNullSchema(schema: unknown): boolean {
  return (
    typeof schema === 'object' && schema !== null && (schema as { type?: unknown }).type === 'null'
  );
}

/** Translates every error (ours, Fastify's, unknown) to problem+json; never leaks internals. */
export function toAppError(err: FastifyError | AppError | Error): AppError {
  if (err instanceof AppError) return err;
  const fastifyError = err as FastifyError & {
    validation?: AjvError[];
    validationContext?: string;
  };
  if (fastifyError.validation) {
    const errors = fieldErrors(fastifyError.validation, fastifyError.validationContext ?? 'body');
    const first = errors[0];
    return new AppError(
      'validation_failed',
      first ? `${first.field} ${first.message}` : 'The request is invalid',
      { errors },
    );
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 'Send the request body as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('malformed_json', 'The JSON body is empty');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('validation_failed', 'Content-Length does not match the body');
  }
  if (err instanceof SyntaxError || fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new AppError('malformed_json');
  }
  // A full disk or a read-only database is an outage the client can wait out, not a bug.
  if (writeFailureCause(err)) {
    return new AppError(
      'service_unavailable',
      'The database cannot take writes at the moment; try again shortly',
      { cause: err, headers: { 'retry-after': '10' } },
    );
  }
  if (fastifyError.statusCode === 400) return new AppError('validation_failed', 'Bad request');
  if (fastifyError.statusCode === 413) return new AppError('payload_too_large');
  if (fastifyError.statusCode === 415) return new AppError('unsupported_media_type');
  return new AppError('internal', 'Something went wrong on our side; it has been logged.', {
    cause: err,
  });
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const appError = toAppError(err as Error);
    if (appError.code === 'internal') {
      request.log.error({ err }, 'unhandled error');
    }
    return sendProblem(reply, appError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      new AppError('not_found', `No route for ${request.method} ${request.url.split('?')[0]}`),
    ),
  );
}
