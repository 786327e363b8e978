import { accountsService } from '../accounts/service.js';
import { findUserByEmail } from '../accounts/repo.js';
import { normalizeEmail } from '../accounts/tokens.js';
import { createApiKey } from '../api-keys/service.js';
import { buildApp, type App } from '../app.js';
import { loadConfig } from '../config/index.js';
import { AppError } from '../errors.js';
import { recordAudit } from '../audit/repo.js';
import { findWorkspace, findWorkspaceByName, listWorkspacesOfUser } from '../workspaces/repo.js';
import { SCOPES, scopesGrantable, type Role, type Scope } from '../workspaces/roles.js';
import { type CliCommand, type CliIo, parseFlags, printFields, UsageError } from './io.js';

const HELP = `Usage:
  qrlink admin create-user --email E --password P [--name N] [--workspace NAME]
  qrlink admin create-key --email E [--workspace NAME] [--name N] [--scopes s1,s2] [--test]
  qrlink admin set-plan --workspace W --plan P      (W: workspace id or name)

Scopes: ${SCOPES.join(', ')} (default: all that the user's role allows).
`;

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required`);
  return value;
}

async function withApp<T>(io: CliIo, fn: (app: App) => Promise<T>): Promise<T> {
  const config = loadConfig({ ...io.env, QRLINK_LOG_LEVEL: io.env.QRLINK_LOG_LEVEL ?? 'warn' });
  const app = await buildApp(config);
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

async function createUser(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(args, {
    email: { type: 'string' },
    password: { type: 'string' },
    name: { type: 'string' },
    workspace: { type: 'string' },
  });
  const email = required(values.email, '--email');
  const password = required(values.password, '--password');
  const result = await withApp(io, (app) =>
    accountsService(app.ctx).createUser({
      email,
      password,
      name: values.name,
      workspaceName: values.workspace,
    }),
  );
  printFields(io, { user: result.userId, workspace: result.workspaceId });
  return 0;
}

async function createKey(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(args, {
    email: { type: 'string' },
    workspace: { type: 'string' },
    name: { type: 'string' },
    scopes: { type: 'string' },
    test: { type: 'boolean' },
  });
  const email = normalizeEmail(required(values.email, '--email'));
  let scopes: Scope[] | null = null;
  if (values.scopes !== undefined) {
    scopes = values.scopes.split(',').map((s) => s.trim()) as Scope[];
    const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
    if (unknown.length)
      throw new UsageError(
        `--scopes: unknown scope ${unknown.join(', ')} (known: ${SCOPES.join(', ')})`,
      );
  }
  const created = await withApp(io, async (app) => {
    const user = await findUserByEmail(app.ctx.db, email);
    if (!user) throw new AppError('not_found', `No user with e-mail ${email}`);
    const memberships = await listWorkspacesOfUser(app.ctx.db, user.id);
    let membership = memberships[0];
    if (values.workspace !== undefined) {
      const ws = await findWorkspaceByName(app.ctx.db, values.workspace);
      membership = memberships.find((m) => m.id === ws?.id);
      if (!membership)
        throw new AppError(
          'not_found',
          `${email} is not a member of a workspace named "${values.workspace}"`,
        );
    }
    if (!membership) throw new AppError('not_found', `${email} has no workspace`);
    const role = membership.role as Role;
    return createApiKey(app.ctx, {
      workspaceId: membership.id,
      userId: user.id,
      role,
      name: values.name ?? 'CLI key',
      mode: values.test ? 'test' : 'live',
      scopes: scopes ?? scopesGrantable(role),
    });
  });
  printFields(io, { id: created.id, key: created.key, scopes: created.scopes.join(',') });
  return 0;
}

async function setPlan(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(args, { workspace: { type: 'string' }, plan: { type: 'string' } });
  const workspace = required(values.workspace, '--workspace');
  const planId = required(values.plan, '--plan');
  const result = await withApp(io, async (app) => {
    const plans = app.billing.entitlements.plans;
    if (!plans.has(planId)) {
      throw new UsageError(`--plan must be one of ${plans.plans.map((p) => p.id).join(', ')}`);
    }
    const ws =
      (await findWorkspace(app.ctx.db, workspace)) ??
      (await findWorkspaceByName(app.ctx.db, workspace));
    if (!ws) throw new AppError('not_found', `No workspace with id or name "${workspace}"`);
    const now = app.ctx.clock.now();
    await app.ctx.db.transaction().execute(async (tx) => {
      await tx.updateTable('workspaces').set({ plan: planId }).where('id', '=', ws.id).execute();
      await recordAudit(
        tx,
        {
          workspaceId: ws.id,
          actorUserId: null,
          action: 'plan.change',
          targetType: 'workspace',
          targetId: ws.id,
          details: { from: ws.plan, to: planId, by: 'cli' },
        },
        now,
      );
    });
    return { id: ws.id, from: ws.plan };
  });
  printFields(io, { workspace: result.id, plan: planId, previous: result.from });
  return 0;
}

export const run: CliCommand = async (args, io) => {
  const [sub, ...rest] = args;
  if (sub === 'create-user') return createUser(rest, io);
  if (sub === 'create-key') return createKey(rest, io);
  if (sub === 'set-plan') return setPlan(rest, io);
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.stdout.write(HELP);
    return sub === undefined ? 2 : 0;
  }
  throw new UsageError(`unknown admin command "${sub}" (create-user, create-key, set-plan)`);
};
