import { AppError } from '../errors.js';
import type { AppContext } from '../context.js';
import type { Entitlements } from '../billing/entitlements.js';
import { recordAudit } from '../audit/repo.js';
import { deleteSessionsOfUser } from '../accounts/repo.js';
import { hashToken, normalizeEmail, randomToken } from '../accounts/tokens.js';
import { revokeKeysOfMember } from '../api-keys/repo.js';
import type { Executor } from '../db/index.js';
import type { Principal, WorkspaceAccess } from '../http/types.js';
import { recordChange } from '../db/changes.js';
import { emailTemplates } from '../shared/email-templates.js';
import { newId } from '../shared/ids.js';
import * as repo from './repo.js';
import { canAssignRole, type Role } from './roles.js';

export const INVITATION_TTL_MS = 3600_000;

interface Actor {
  principal: Principal;
  workspace: WorkspaceAccess;
  ip: string;
}

function audit(
  tx: Executor,
  actor: Actor,
  action: string,
  target: { type: string; id: string },
  now: number,
  details?: Record<string, unknown>,
) {
  return recordAudit(
    tx,
    {
      workspaceId: actor.workspace.id,
      actorUserId: actor.principal.userId,
      actorKeyId: actor.principal.kind === 'apiKey' ? actor.principal.keyId : null,
      action,
      targetType: target.type,
      targetId: target.id,
      ip: actor.ip,
      details,
    },
    now,
  );
}

export async function createWorkspace(ctx: AppContext, userId: string, name: string, ip: string) {
  const now = ctx.clock.now();
  const id = newId('wsp', now);
  await ctx.db.transaction().execute(async (tx) => {
    await repo.insertWorkspace(tx, { id, name, plan: ctx.config.plans.defaultPlan, now });
    await repo.insertMembership(tx, { workspaceId: id, userId, role: 'owner', now });
    await recordAudit(
      tx,
      {
        workspaceId: id,
        actorUserId: userId,
        action: 'workspace.create',
        targetType: 'workspace',
        targetId: id,
        ip,
      },
      now,
    );
  });
  return { id, name, role: 'owner' as Role, createdAt: now };
}

/** Renames and/or switches workspace-wide tracking; the redirect caches follow within a second. */
export async function updateWorkspace(
  ctx: AppContext,
  actor: Actor,
  changes: { name?: string; track?: boolean },
) {
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (tx) => {
    await repo.updateWorkspace(tx, actor.workspace.id, changes);
    if (changes.track !== undefined) {
      await recordChange(tx, ctx.dialect, 'workspace', actor.workspace.id, now);
      await audit(
        tx,
        actor,
        'workspace.tracking',
        { type: 'workspace', id: actor.workspace.id },
        now,
        { track: changes.track },
      );
    }
  });
}

export async function deleteWorkspace(ctx: AppContext, actor: Actor): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (tx) => {
    await repo.deleteWorkspace(tx, actor.workspace.id);
    await audit(tx, actor, 'workspace.delete', { type: 'workspace', id: actor.workspace.id }, now, {
      name: actor.workspace.name,
    });
  });
}

/** Changes a member's role; the last owner can never be demoted (nor leave, below). */
export async function changeRole(
  ctx: AppContext,
  actor: Actor,
  userId: string,
  role: Role,
): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (tx) => {
    const member = await repo.findMembership(tx, actor.workspace.id, userId);
    if (!member) throw new AppError('not_found', 'Member not found');
    const from = member.role as Role;
    if (!canAssignRole(actor.workspace.role, from, role)) {
      throw new AppError(
        'forbidden',
        `Your role (${actor.workspace.role}) cannot change a ${from} to ${role}`,
      );
    }
    if (
      from === 'owner' &&
      role !== 'owner' &&
      (await repo.countOwners(tx, actor.workspace.id)) <= 1
    ) {
      throw new AppError(
        'conflict',
        'The last owner cannot be demoted; make someone else owner first',
      );
    }
    await repo.updateRole(tx, actor.workspace.id, userId, role);
    await audit(tx, actor, 'member.role_change', { type: 'user', id: userId }, now, {
      from,
      to: role,
    });
  });
}

/** Removes a member (or lets one leave) and ends their sessions and their keys here (ACC-05). */
export async function removeMember(ctx: AppContext, actor: Actor, userId: string): Promise<void> {
  const now = ctx.clock.now();
  const self = userId === actor.principal.userId;
  await ctx.db.transaction().execute(async (tx) => {
    const member = await repo.findMembership(tx, actor.workspace.id, userId);
    if (!member) throw new AppError('not_found', 'Member not found');
    const role = member.role as Role;
    if (!self && !canAssignRole(actor.workspace.role, role, null)) {
      throw new AppError(
        'forbidden',
        `Your role (${actor.workspace.role}) cannot remove a ${role}`,
      );
    }
    if (role === 'owner' && (await repo.countOwners(tx, actor.workspace.id)) <= 1) {
      throw new AppError(
        'conflict',
        'The last owner cannot leave; transfer ownership or delete the workspace',
      );
    }
    await repo.deleteMembership(tx, actor.workspace.id, userId);
    await revokeKeysOfMember(tx, actor.workspace.id, userId, now);
    await deleteSessionsOfUser(tx, userId);
    await audit(
      tx,
      actor,
      self ? 'member.leave' : 'member.remove',
      { type: 'user', id: userId },
      now,
      { role },
    );
  });
}

export async function inviteMember(
  ctx: AppContext,
  entitlements: Entitlements,
  actor: Actor,
  rawEmail: string,
  role: Role,
) {
  if (!canAssignRole(actor.workspace.role, null, role)) {
    throw new AppError('forbidden', `Your role (${actor.workspace.role}) cannot invite a ${role}`);
  }
  const email = normalizeEmail(rawEmail);
  const token = randomToken(32);
  const now = ctx.clock.now();
  const id = newId('inv', now);
  const expiresAt = now + INVITATION_TTL_MS;
  await ctx.db.transaction().execute(async (tx) => {
    await entitlements.assert(tx, actor.workspace.id, { kind: 'member.invite' });
    await repo.insertInvitation(tx, {
      id,
      workspaceId: actor.workspace.id,
      email,
      role,
      tokenHash: hashToken(token),
      invitedBy: actor.principal.userId,
      now,
      expiresAt,
    });
    await audit(tx, actor, 'member.invite', { type: 'invitation', id }, now, { email, role });
  });
  await ctx.mailer.send({
    to: email,
    ...emailTemplates.invitation(ctx.config.http.baseUrl, {
      inviterEmail: actor.principal.email,
      workspaceName: actor.workspace.name,
      role,
      token,
    }),
  });
  return { id, email, role, createdAt: now, expiresAt };
}

export async function withdrawInvitation(ctx: AppContext, actor: Actor, id: string) {
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (tx) => {
    if (!(await repo.deleteInvitation(tx, actor.workspace.id, id))) {
      throw new AppError('not_found', 'Invitation not found');
    }
    await audit(tx, actor, 'member.invite_withdraw', { type: 'invitation', id }, now);
  });
}

/** A signed-in user accepts an invitation sent to their own e-mail address. */
export async function acceptInvitation(
  ctx: AppContext,
  userId: string,
  email: string,
  token: string,
  ip: string,
) {
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (tx) => {
    const invitation = await repo.consumeInvitation(tx, hashToken(token), now);
    if (!invitation || invitation.email !== email) {
      throw new AppError(
        'forbidden',
        'This invitation is invalid, used, expired or for another address',
      );
    }
    if (await repo.findMembership(tx, invitation.workspace_id, userId)) {
      throw new AppError('conflict', 'You are already a member of this workspace');
    }
    await repo.insertMembership(tx, {
      workspaceId: invitation.workspace_id,
      userId,
      role: invitation.role as Role,
      now,
    });
    await recordAudit(
      tx,
      {
        workspaceId: invitation.workspace_id,
        actorUserId: userId,
        action: 'member.join',
        targetType: 'user',
        targetId: userId,
        ip,
        details: { role: invitation.role },
      },
      now,
    );
    const ws = await repo.findWorkspace(tx, invitation.workspace_id);
    return { id: invitation.workspace_id, name: ws?.name ?? '', role: invitation.role };
  });
}
