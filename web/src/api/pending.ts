import type { components } from './schema';

/**
 * Endpoints the dashboard calls that docs/openapi.json does not list yet, typed here in the
 * generator's shape until the server documents them (then this file shrinks):
 * - `POST /api/v1/qr`: static QR codes, to come with step 7's server half;
 * - `POST /api/v1/billing/checkout` and `/portal`: registered only when Stripe is configured,
 *   so the committed document (generated without Stripe) leaves them out.
 */
type Problem = components['schemas']['Problem'];
type NoParameters = { query?: never; header?: never; path?: never; cookie?: never };
type Ok<Content> = { headers: { [name: string]: unknown }; content: Content };
type Failure = {
  headers: { [name: string]: unknown };
  content: { 'application/problem+json': Problem };
};
type Failures = {
  400: Failure;
  401: Failure;
  403: Failure;
  404: Failure;
  429: Failure;
  503: Failure;
};
type PostPath<Operation> = {
  parameters: NoParameters;
  get?: never;
  put?: never;
  post: Operation;
  delete?: never;
  options?: never;
  head?: never;
  patch?: never;
  trace?: never;
};
type Post<Body, Responses> = PostPath<{
  parameters: NoParameters;
  requestBody: { content: { 'application/json': Body } };
  responses: Responses & Failures;
}>;
type PostWithoutBody<Responses> = PostPath<{
  parameters: NoParameters;
  requestBody?: never;
  responses: Responses & Failures;
}>;

export interface StaticQrRequest {
  text: string;
  format: 'svg' | 'png';
  ecc: 'L' | 'M' | 'Q' | 'H';
  size: number;
  margin: number;
  fg: string;
  bg: string;
}

export interface pendingPaths {
  '/api/v1/qr': Post<
    StaticQrRequest,
    { 200: Ok<{ 'image/svg+xml': string; 'image/png': string }> }
  >;
  '/api/v1/billing/checkout': Post<
    { plan: string },
    { 201: Ok<{ 'application/json': { id: string; url: string } }> }
  >;
  '/api/v1/billing/portal': PostWithoutBody<{ 201: Ok<{ 'application/json': { url: string } }> }>;
}
