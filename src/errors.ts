/**
 * Every error the API can answer with, once. The code is stable (clients match on it);
 * the HTTP mapping to problem+json (RFC 9457) happens in one place: src/http/errors.ts.
 */
export const ERROR_CODES = {
  validation_failed: { status: 400, title: 'The request is invalid' },
  malformed_json: { status: 400, title: 'The request body is not valid JSON' },
  unauthenticated: { status: 401, title: 'Authentication is required' },
  invalid_credentials: { status: 401, title: 'Invalid e-mail or password' },
  forbidden: { status: 403, title: 'You are not allowed to do this' },
  insufficient_scope: { status: 403, title: 'The API key lacks a required scope' },
  csrf_rejected: { status: 403, title: 'Cross-site request refused' },
  signup_closed: { status: 403, title: 'Sign-up is closed on this server' },
  plan_limit: { status: 403, title: 'Your plan does not allow this' },
  not_found: { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  domain_taken: { status: 409, title: 'The domain is verified by another workspace' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported content type' },
  idempotency_key_reused: {
    status: 422,
    title: 'This Idempotency-Key was used with a different request',
  },
  destination_blocked: { status: 422, title: 'This destination is not allowed' },
  unprocessable: { status: 422, title: 'The request cannot be processed' },
  rate_limited: {
    status: 429,
    title: 'Too many requests',
    // The problem type registered by draft-ietf-httpapi-ratelimit-headers (RL-02).
    type: 'https://iana.org/assignments/http-problem-types#quota-exceeded',
  },
  too_many_streams: { status: 429, title: 'Too many open live streams' },
  internal: { status: 500, title: 'Internal server error' },
  service_unavailable: { status: 503, title: 'Service temporarily unavailable' },
  payment_provider_unavailable: {
    status: 503,
    title: 'The payment provider cannot be reached',
  },
} as const satisfies Record<string, { status: number; title: string; type?: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One invalid field: `field` is a JSON pointer-like path (`/email`), `message` says what is wrong. */
export interface FieldError {
  field: string;
  message: string;
}

export interface AppErrorOptions {
  errors?: FieldError[];
  /** Extra members of the problem document (e.g. `limit`, `usage` for plan limits). */
  extensions?: Record<string, unknown>;
  /** Response headers that belong to this error (e.g. Retry-After). */
  headers?: Record<string, string>;
  cause?: unknown;
}

/** An expected failure with a stable code and a message that is safe to show to the caller. */
export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  readonly errors: FieldError[] | undefined;
  readonly extensions: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    readonly code: ErrorCode,
    message?: string,
    options: AppErrorOptions = {},
  ) {
    super(message ?? ERROR_CODES[code].title, { cause: options.cause });
    this.status = ERROR_CODES[code].status;
    this.errors = options.errors;
    this.extensions = options.extensions;
    this.headers = options.headers;
  }
}

export const notFound = (what = 'Resource'): AppError =>
  new AppError('not_found', `${what} not found`);
