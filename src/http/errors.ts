import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { writeFailureCause } from '../db/write-health.js';
import { AppError, ERROR_CODES, type ErrorCode, type FieldError } from '../errors.js';

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
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Each ajv error as a field path and a sentence; the path names the offending field. */
export function fieldErrors(validation: AjvError[], part: string): FieldError[] {
  return validation.map((e) => {
    let field = e.instancePath || '';
    if (e.keyword === 'required') field += `/${String(e.params.missingProperty)}`;
    if (e.keyword === 'additionalProperties') {
      return {
        field: `${field}/${String(e.params.additionalProperty)}`,
        message: 'is not a known field',
      };
    }
    const prefix = part === 'body' ? '' : `${part}:`;
    return { field: prefix + (field || '/'), message: e.message ?? 'is invalid' };
  });
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
