import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { AppContext } from '../context.js';
import { sessionCookieName, sessionCookieSecure } from '../http/auth.js';
import type { Api } from '../http/server.js';
import { problemResponse, withErrors } from '../http/schemas.js';
import { findUserById } from './repo.js';
import { listWorkspacesOfUser } from '../workspaces/repo.js';
import {
  LoginBody,
  MeView,
  ResetConfirmBody,
  ResetRequestBody,
  ResetRequestedView,
  SignupBody,
} from './schemas.js';
import type { AccountsService, SessionGrant } from './service.js';

export function accountRoutes(app: Api, ctx: AppContext, accounts: AccountsService): void {
  const cookieName = sessionCookieName(ctx.config.http.baseUrl);
  const secure = sessionCookieSecure(ctx.config.http.baseUrl);

  function setSessionCookie(reply: FastifyReply, grant: SessionGrant): void {
    reply.setCookie(cookieName, grant.token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure,
      expires: new Date(grant.expiresAt),
    });
  }

  async function meFor(request: FastifyRequest, userId: string) {
    const user = await findUserById(ctx.db, userId);
    if (!user) throw new AppError('unauthenticated');
    // Sign-up and login are public routes: the new session's default workspace is the first one.
    const ws = request.workspace ?? (await listWorkspacesOfUser(ctx.db, userId))[0] ?? null;
    const principal = request.principal;
    return {
      user: { id: user.id, email: user.email, name: user.name },
      workspace: ws ? { id: ws.id, name: ws.name, role: ws.role } : null,
      auth: principal?.kind ?? 'session',
      ...(principal?.kind === 'apiKey' ? { scopes: [...principal.scopes] } : {}),
    } as const;
  }

  app.post(
    '/api/v1/auth/signup',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create an account',
        body: SignupBody,
        response: withErrors({
          201: MeView,
          409: problemResponse('Conflicts with the current state'),
        }),
      },
      config: { auth: 'public', rateLimit: 'auth' },
    },
    async (request, reply) => {
      const grant = await accounts.signup({ ...request.body, ip: request.clientIp });
      setSessionCookie(reply, grant);
      return reply.code(201).send(await meFor(request, grant.userId));
    },
  );

  app.post(
    '/api/v1/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in',
        body: LoginBody,
        response: withErrors({ 200: MeView }),
      },
      config: { auth: 'public', rateLimit: 'auth' },
    },
    async (request, reply) => {
      const grant = await accounts.login({ ...request.body, ip: request.clientIp });
      setSessionCookie(reply, grant);
      return meFor(request, grant.userId);
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign out (ends this session)',
        response: withErrors({ 204: { type: 'null' } }),
      },
      config: { auth: 'user', sessionOnly: true, rateLimit: 'auth' },
    },
    async (request, reply) => {
      const principal = request.principal;
      if (principal?.kind !== 'session') throw new AppError('unauthenticated');
      await accounts.logout(principal.sessionId, principal.userId, request.clientIp);
      reply.clearCookie(cookieName, { path: '/', secure, httpOnly: true, sameSite: 'lax' });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/auth/password-reset',
    {
      schema: {
        tags: ['auth'],
        summary: 'E-mail a password reset token',
        body: ResetRequestBody,
        response: withErrors({ 202: ResetRequestedView }),
      },
      config: { auth: 'public', rateLimit: 'auth' },
    },
    async (request, reply) => {
      await accounts.requestPasswordReset(request.body.email, request.clientIp);
      return reply.code(202).send({ status: 'accepted' as const });
    },
  );

  app.post(
    '/api/v1/auth/password-reset/confirm',
    {
      schema: {
        tags: ['auth'],
        summary: 'Set a new password with a reset token',
        body: ResetConfirmBody,
        response: withErrors({ 204: { type: 'null' } }),
      },
      config: { auth: 'public', rateLimit: 'auth' },
    },
    async (request, reply) => {
      await accounts.confirmPasswordReset(
        request.body.token,
        request.body.password,
        request.clientIp,
      );
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'The caller and the workspace it acts in',
        response: withErrors({ 200: MeView }),
      },
      config: { auth: 'user' },
    },
    async (request) => meFor(request, request.principal?.userId ?? ''),
  );
}
