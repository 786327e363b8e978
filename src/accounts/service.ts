import { AppError } from '../errors.js';
import type { AppContext } from '../context.js';
import { recordAudit } from '../audit/repo.js';
import { isUniqueViolation, type Executor } from '../db/index.js';
import { emailTemplates } from '../shared/email-templates.js';
import { newId } from '../shared/ids.js';
import * as workspaces from '../workspaces/repo.js';
import type { Role } from '../workspaces/roles.js';
import {
  burnPasswordCheck,
  checkPasswordPolicy,
  hashPassword,
  needsRehash,
  verifyPassword,
} from './passwords.js';
import * as repo from './repo.js';
import { ACCOUNT_POLICY, IP_POLICY, LoginThrottle } from './throttle.js';
import { hashToken, normalizeEmail, randomToken } from './tokens.js';

export const SESSION_TTL_MS = 14 * 24 * 3600_000;
export const RESET_TTL_MS = 3600_000;
export const RESET_MAILS_PER_HOUR = 5;

export interface SessionGrant {
  token: string;
  userId: string;
  expiresAt: number;
}

export interface AccountsService {
  signup(input: {
    email: string;
    password: string;
    name?: string;
    invitationToken?: string;
    ip: string;
  }): Promise<SessionGrant>;
  /** Creates a user without any sign-up policy (admin CLI). */
  createUser(input: {
    email: string;
    password: string;
    name?: string;
    workspaceName?: string;
  }): Promise<{ userId: string; workspaceId: string }>;
  login(input: { email: string; password: string; ip: string }): Promise<SessionGrant>;
  logout(sessionId: string, userId: string, ip: string): Promise<void>;
  authenticateSession(
    token: string,
  ): Promise<{ sessionId: string; userId: string; email: string } | null>;
  requestPasswordReset(email: string, ip: string): Promise<void>;
  confirmPasswordReset(token: string, password: string, ip: string): Promise<void>;
}

function requirePassword(password: string): void {
  const problem = checkPasswordPolicy(password);
  if (problem) {
    throw new AppError('validation_failed', `Password ${problem.message}`, { errors: [problem] });
  }
}

export function accountsService(ctx: AppContext): AccountsService {
  const accountThrottle = new LoginThrottle(ctx.db, ctx.secret, 'account', ACCOUNT_POLICY);
  const ipThrottle = new LoginThrottle(ctx.db, ctx.secret, 'ip', IP_POLICY);

  async function startSession(userId: string): Promise<SessionGrant> {
    const token = randomToken(32);
    const now = ctx.clock.now();
    const expiresAt = now + SESSION_TTL_MS;
    await repo.insertSession(ctx.db, {
      id: newId('ses', now),
      tokenHash: hashToken(token),
      userId,
      now,
      expiresAt,
    });
    return { token, userId, expiresAt };
  }

  /**
   * Creates the user and either joins a workspace (`join`, run inside the same transaction so
   * a failed sign-up never spends an invitation) or creates one named `workspaceName`.
   */
  async function insertUserWithWorkspace(input: {
    email: string;
    password: string;
    name: string;
    findJoin: (tx: Executor) => Promise<{ workspaceId: string; role: Role } | null>;
    workspaceName: string;
    ip: string | null;
  }): Promise<{ userId: string; workspaceId: string }> {
    const { email, name, workspaceName } = input;
    const passwordHash = await hashPassword(input.password);
    const now = ctx.clock.now();
    const userId = newId('usr', now);
    try {
      return await ctx.db.transaction().execute(async (tx) => {
        await repo.insertUser(tx, { id: userId, email, name, passwordHash, now });
        const join = await input.findJoin(tx);
        let workspaceId: string;
        if (join) {
          workspaceId = join.workspaceId;
          await workspaces.insertMembership(tx, { workspaceId, userId, role: join.role, now });
        } else {
          workspaceId = newId('wsp', now);
          await workspaces.insertWorkspace(tx, {
            id: workspaceId,
            name: workspaceName,
            plan: ctx.config.plans.defaultPlan,
            now,
          });
          await workspaces.insertMembership(tx, { workspaceId, userId, role: 'owner', now });
        }
        await recordAudit(
          tx,
          {
            workspaceId,
            actorUserId: userId,
            action: 'user.signup',
            targetType: 'user',
            targetId: userId,
            ip: input.ip,
          },
          now,
        );
        return { userId, workspaceId };
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new AppError('conflict', 'An account with this e-mail already exists', {
          errors: [{ field: '/email', message: 'is already registered' }],
        });
      }
      throw err;
    }
  }

  return {
    async signup(input) {
      const email = normalizeEmail(input.email);
      requirePassword(input.password);
      const name = input.name?.trim() || email.split('@')[0] || email;
      const mode = ctx.config.accounts.signup;
      const token = input.invitationToken;
      // The first user may always sign up (someone must own the server); after that, `open`
      // lets anyone in, `invite` needs an invitation, `closed` nobody (the admin CLI creates users).
      const allowed =
        mode === 'open' ||
        (mode === 'invite' && token !== undefined) ||
        (await repo.countUsers(ctx.db)) === 0;
      if (!allowed) {
        throw new AppError(
          'signup_closed',
          mode === 'invite'
            ? 'Sign-up needs an invitation on this server'
            : 'Sign-up is closed on this server',
        );
      }
      const { userId } = await insertUserWithWorkspace({
        email,
        password: input.password,
        name,
        workspaceName: `${name}'s workspace`,
        ip: input.ip,
        findJoin: async (tx) => {
          if (token === undefined) return null;
          const invitation = await workspaces.consumeInvitation(
            tx,
            hashToken(token),
            ctx.clock.now(),
          );
          if (!invitation || invitation.email !== email) {
            throw new AppError('forbidden', 'This invitation is invalid, used or expired');
          }
          return { workspaceId: invitation.workspace_id, role: invitation.role as Role };
        },
      });
      return startSession(userId);
    },

    async createUser(input) {
      const email = normalizeEmail(input.email);
      requirePassword(input.password);
      const name = input.name?.trim() || email.split('@')[0] || email;
      const workspaceName = input.workspaceName;
      return insertUserWithWorkspace({
        email,
        password: input.password,
        name,
        workspaceName: workspaceName ?? `${name}'s workspace`,
        ip: null,
        findJoin: async (tx) => {
          if (!workspaceName) return null;
          const existing = await workspaces.findWorkspaceByName(tx, workspaceName);
          return existing ? { workspaceId: existing.id, role: 'owner' } : null;
        },
      });
    },

    async login(input) {
      const email = normalizeEmail(input.email);
      const now = ctx.clock.now();
      // Both attempts are counted before the (slow) check, so a parallel burst cannot slip
      // through the throttle while its first guesses are still being verified.
      const wait = Math.max(
        ...(await Promise.all([
          accountThrottle.attempt(email, now),
          ipThrottle.attempt(input.ip, now),
        ])),
      );
      if (wait > 0) {
        const seconds = Math.ceil(wait / 1000);
        throw new AppError('rate_limited', `Too many failed logins; try again in ${seconds} s`, {
          headers: { 'retry-after': String(seconds) },
        });
      }
      const user = await repo.findUserByEmail(ctx.db, email);
      const valid = user
        ? await verifyPassword(user.password_hash, input.password)
        : (await burnPasswordCheck(input.password), false);
      if (!user || !valid) {
        await recordAudit(
          ctx.db,
          {
            workspaceId: null,
            actorUserId: user?.id ?? null,
            action: 'user.login_failed',
            ip: input.ip,
          },
          now,
        );
        throw new AppError('invalid_credentials');
      }
      await Promise.all([accountThrottle.reset(email), ipThrottle.forgive(input.ip)]);
      if (needsRehash(user.password_hash)) {
        await repo.updatePasswordHash(ctx.db, user.id, await hashPassword(input.password));
      }
      await recordAudit(
        ctx.db,
        { workspaceId: null, actorUserId: user.id, action: 'user.login', ip: input.ip },
        now,
      );
      return startSession(user.id);
    },

    async logout(sessionId, userId, ip) {
      await repo.deleteSession(ctx.db, sessionId);
      await recordAudit(
        ctx.db,
        { workspaceId: null, actorUserId: userId, action: 'user.logout', ip },
        ctx.clock.now(),
      );
    },

    async authenticateSession(token) {
      if (token.length !== 43) return null;
      const row = await repo.findSession(ctx.db, hashToken(token), ctx.clock.now());
      return row ? { sessionId: row.sessionId, userId: row.userId, email: row.email } : null;
    },

    async requestPasswordReset(rawEmail, ip) {
      const email = normalizeEmail(rawEmail);
      const user = await repo.findUserByEmail(ctx.db, email);
      // Same answer whether or not the account exists (ACC-04); only real accounts get mail.
      if (!user) return;
      // However many addresses ask, one inbox gets at most a few reset mails an hour.
      const budget = await ctx.limiter.hit(`reset:${user.id}`, RESET_MAILS_PER_HOUR, 3600_000);
      if (!budget.allowed) {
        ctx.log.warn({ userId: user.id }, 'password reset not sent: hourly limit reached');
        return;
      }
      const token = randomToken(32);
      const now = ctx.clock.now();
      await repo.insertPasswordReset(ctx.db, {
        tokenHash: hashToken(token),
        userId: user.id,
        now,
        expiresAt: now + RESET_TTL_MS,
      });
      await recordAudit(
        ctx.db,
        { workspaceId: null, actorUserId: user.id, action: 'user.password_reset_requested', ip },
        now,
      );
      // Not awaited: the answer (and its timing) must not depend on whether the account exists
      // or on the mail server (ACC-04); a delivery failure is logged without the token.
      ctx.mailer
        .send({
          to: user.email,
          ...emailTemplates.passwordReset(ctx.config.http.baseUrl, { token }),
        })
        .catch((err: unknown) =>
          ctx.log.error(
            { userId: user.id, reason: err instanceof Error ? err.message : String(err) },
            'password reset e-mail could not be sent',
          ),
        );
    },

    async confirmPasswordReset(token, password, ip) {
      requirePassword(password);
      const passwordHash = await hashPassword(password);
      const now = ctx.clock.now();
      await ctx.db.transaction().execute(async (tx) => {
        const reset = await repo.consumePasswordReset(tx, hashToken(token), now);
        if (!reset) throw new AppError('forbidden', 'This reset token is invalid, used or expired');
        await repo.updatePassword(tx, reset.user_id, passwordHash, now);
        await repo.retirePasswordResets(tx, reset.user_id, now);
        // A new password ends every session (ACC-05).
        await repo.deleteSessionsOfUser(tx, reset.user_id);
        await recordAudit(
          tx,
          { workspaceId: null, actorUserId: reset.user_id, action: 'user.password_changed', ip },
          now,
        );
      });
    },
  };
}
