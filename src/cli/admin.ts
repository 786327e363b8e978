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
import {
  type CliCommand,
  type CliIo,
  type CommandSpec,
  defineCommand,
  printFields,
  usageLine,
  UsageError,
} from './io.js';

const createUserSpec = {
  name: 'admin create-user',
  about: 'Creates a user, and a workspace it owns (or makes it an owner of the named one).',
  options: {
    email: { type: 'string', value: 'E', required: true, help: ['e-mail address (login)'] },
    password: { type: 'string', value: 'P', required: true, help: ['password'] },
    name: { type: 'string', value: 'N', help: ['display name'] },
    workspace: {
      type: 'string',
      value: 'NAME',
      help: ['workspace to create, or to join as owner when it exists'],
    },
  },
} as const satisfies CommandSpec;

const createKeySpec = {
  name: 'admin create-key',
  about: "Creates an API key for a user's workspace and prints it once.",
  options: {
    email: { type: 'string', value: 'E', required: true, help: ["the key's user"] },
    workspace: {
      type: 'string',
      value: 'NAME',
      help: ["the workspace (default: the user's first)"],
    },
    name: { type: 'string', value: 'N', help: ['label of the key (default "CLI key")'] },
    scopes: {
      type: 'string',
      value: 's1,s2',
      help: [
        `comma-separated, of: ${SCOPES.slice(0, 3).join(', ')},`,
        `${SCOPES.slice(3).join(', ')} (default: all that the role allows)`,
      ],
    },
    test: { type: 'boolean', help: ['a test-mode key (qrl_test_…)'] },
  },
} as const satisfies CommandSpec;

const setPlanSpec = {
  name: 'admin set-plan',
  about: "Sets a workspace's plan (recorded in its audit log).",
  options: {
    workspace: { type: 'string', value: 'W', required: true, help: ['workspace id or name'] },
    plan: { type: 'string', value: 'P', required: true, help: ['plan id (see docs/billing.md)'] },
  },
} as const satisfies CommandSpec;

export const commands = [createUserSpec, createKeySpec, setPlanSpec];

const SUBCOMMANDS = commands.map((c) => c.name.replace('admin ', ''));
const usage = () =>
  `Usage:\n${commands.map((c) => usageLine(c)).join('\n')}\n\nRun \`qrlink admin <command> --help\` for its options.\n`;

async function withApp<T>(io: CliIo, fn: (app: App) => Promise<T>): Promise<T> {
  const config = loadConfig({ ...io.env, QRLINK_LOG_LEVEL: io.env.QRLINK_LOG_LEVEL ?? 'warn' });
  const app = await buildApp(config);
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

const createUser = defineCommand(createUserSpec, async ({ values }, io) => {
  const email = values.email;
  const password = values.password;
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
});

const createKey = defineCommand(createKeySpec, async ({ values }, io) => {
  const email = normalizeEmail(values.email);
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
});

const setPlan = defineCommand(setPlanSpec, async ({ values }, io) => {
  const workspace = values.workspace;
  const planId = values.plan;
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
});

export const run: CliCommand = async (args, io) => {
  const [sub, ...rest] = args;
  if (sub === 'create-user') return createUser(rest, io);
  if (sub === 'create-key') return createKey(rest, io);
  if (sub === 'set-plan') return setPlan(rest, io);
  if (sub === '--help' || sub === '-h') {
    io.stdout.write(usage());
    return 0;
  }
  if (sub === undefined) {
    io.stderr.write(`qrlink admin: missing subcommand (${SUBCOMMANDS.join(', ')})\n\n${usage()}`);
    return 2;
  }
  throw new UsageError(`unknown admin command "${sub}" (${SUBCOMMANDS.join(', ')})`);
};
