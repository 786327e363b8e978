import { AppError } from '../errors.js';
import type { AppContext } from '../context.js';
import type { Entitlements } from '../billing/entitlements.js';
import type { TxtResolver } from '../adapters/dns.js';
import { recordAudit } from '../audit/repo.js';
import { recordChange } from '../db/changes.js';
import type { Executor } from '../db/index.js';
import { randomToken } from '../accounts/tokens.js';
import { newId } from '../shared/ids.js';
import { normalizeCustomHost } from './custom-host.js';
import type { DomainDirectory } from './directory.js';
import * as repo from './repo.js';

export const VERIFICATION_PREFIX = '_qrlink';
export const RECHECK_INTERVAL_MS = 24 * 3600_000;

export function verificationName(host: string): string {
  return `${VERIFICATION_PREFIX}.${host}`;
}

export function verificationValue(token: string): string {
  return `qrlink-verification=${token}`;
}

const hostTaken = (host: string) =>
  new AppError('domain_taken', `${host} is verified by another workspace`);

export interface DomainView {
  id: string;
  host: string;
  status: repo.DomainStatus;
  verification: { type: 'TXT'; name: string; value: string };
  verifiedAt: number | null;
  checkedAt: number | null;
  rootUrl: string | null;
  notFoundUrl: string | null;
  createdAt: number;
}

type DomainRow = NonNullable<Awaited<ReturnType<typeof repo.findDomainById>>>;

export function toDomainView(row: DomainRow): DomainView {
  return {
    id: row.id,
    host: row.host,
    status: row.status as repo.DomainStatus,
    verification: {
      type: 'TXT',
      name: verificationName(row.host),
      value: verificationValue(row.verification_token),
    },
    verifiedAt: row.verified_at,
    checkedAt: row.checked_at,
    rootUrl: row.root_url,
    notFoundUrl: row.not_found_url,
    createdAt: row.created_at,
  };
}

export interface DomainsService {
  create(
    workspaceId: string,
    actorUserId: string,
    input: { host: string; rootUrl?: string | null; notFoundUrl?: string | null },
    ip: string,
  ): Promise<DomainView>;
  verify(workspaceId: string, id: string, actorUserId: string, ip: string): Promise<DomainView>;
  update(
    workspaceId: string,
    id: string,
    input: { rootUrl?: string | null; notFoundUrl?: string | null },
  ): Promise<DomainView>;
  remove(workspaceId: string, id: string, actorUserId: string, ip: string): Promise<void>;
  /** Daily job: re-checks every active domain; one whose record vanished stops serving. */
  recheckAll(): Promise<{ checked: number; failed: number }>;
}

export function domainsService(
  ctx: AppContext,
  resolver: TxtResolver,
  directory: DomainDirectory,
  checkUrl: (url: string, field: string) => string,
  entitlements: Entitlements,
): DomainsService {
  async function hasRecord(host: string, token: string): Promise<boolean> {
    const records = await resolver.resolveTxt(verificationName(host));
    return records.some((r) => r.trim() === verificationValue(token));
  }

  /**
   * This process's directory follows at once (the change feed brings the others): a domain
   * verified a moment ago already counts as ours for loop checks and serves its links.
   */
  async function publish(id: string): Promise<void> {
    const row = await repo.findDomainById(ctx.db, id);
    if (!row || row.status !== 'active') directory.remove(id);
    else
      directory.set({
        id: row.id,
        workspaceId: row.workspace_id,
        host: row.host,
        rootUrl: row.root_url,
        notFoundUrl: row.not_found_url,
      });
  }

  async function deactivate(id: string, status: 'failed' | 'pending'): Promise<void> {
    const now = ctx.clock.now();
    await ctx.db.transaction().execute(async (tx) => {
      await repo.deactivateDomain(tx, id, status, now);
      await recordChange(tx, ctx.dialect, 'domain', id, now);
    });
    await publish(id);
  }

  const audit = (
    tx: Executor,
    action: 'domain.create' | 'domain.verify' | 'domain.delete',
    actor: { workspaceId: string; actorUserId: string; ip: string },
    id: string,
    host: string,
    now: number,
  ) =>
    recordAudit(
      tx,
      { ...actor, action, targetType: 'domain', targetId: id, details: { host } },
      now,
    );

  async function load(workspaceId: string, id: string) {
    const row = await repo.findDomain(ctx.db, workspaceId, id);
    if (!row) throw new AppError('not_found', 'Domain not found');
    return row;
  }

  return {
    async create(workspaceId, actorUserId, input, ip) {
      const host = normalizeCustomHost(input.host, directory);
      const rootUrl = input.rootUrl ? checkUrl(input.rootUrl, '/rootUrl') : null;
      const notFoundUrl = input.notFoundUrl ? checkUrl(input.notFoundUrl, '/notFoundUrl') : null;
      if (await repo.findDomainByHost(ctx.db, workspaceId, host)) {
        throw new AppError('conflict', `${host} is already added to this workspace`);
      }
      const now = ctx.clock.now();
      const id = newId('dom', now);
      await ctx.db.transaction().execute(async (tx) => {
        await entitlements.assert(tx, workspaceId, { kind: 'domain.create' });
        await repo.insertDomain(tx, {
          id,
          workspaceId,
          host,
          token: randomToken(24),
          now,
          rootUrl,
          notFoundUrl,
        });
        await audit(tx, 'domain.create', { workspaceId, actorUserId, ip }, id, host, now);
      });
      return toDomainView(await load(workspaceId, id));
    },

    async verify(workspaceId, id, actorUserId, ip) {
      const row = await load(workspaceId, id);
      const holder = await repo.findActiveDomainByHost(ctx.db, row.host);
      if (holder && holder.id !== row.id) throw hostTaken(row.host);
      let found: boolean;
      try {
        found = await hasRecord(row.host, row.verification_token);
      } catch (err) {
        throw new AppError(
          'service_unavailable',
          `DNS lookup for ${verificationName(row.host)} failed; try again`,
          { cause: err, headers: { 'retry-after': '30' } },
        );
      }
      if (!found) {
        if (row.status === 'active') await deactivate(id, 'failed');
        else await repo.markDomainChecked(ctx.db, id, ctx.clock.now());
        throw new AppError(
          'unprocessable',
          `No TXT record ${verificationName(row.host)} with value ${verificationValue(row.verification_token)} was found`,
        );
      }
      const now = ctx.clock.now();
      await ctx.db.transaction().execute(async (tx) => {
        // Another workspace may have verified the host during the lookup: the database decides.
        if ((await repo.activateDomain(tx, id, now)) === 'taken') throw hostTaken(row.host);
        await recordChange(tx, ctx.dialect, 'domain', id, now);
        await audit(tx, 'domain.verify', { workspaceId, actorUserId, ip }, id, row.host, now);
      });
      await publish(id);
      return toDomainView(await load(workspaceId, id));
    },

    async update(workspaceId, id, input) {
      await load(workspaceId, id);
      const urls = {
        ...(input.rootUrl !== undefined
          ? { rootUrl: input.rootUrl === null ? null : checkUrl(input.rootUrl, '/rootUrl') }
          : {}),
        ...(input.notFoundUrl !== undefined
          ? {
              notFoundUrl:
                input.notFoundUrl === null ? null : checkUrl(input.notFoundUrl, '/notFoundUrl'),
            }
          : {}),
      };
      const now = ctx.clock.now();
      await ctx.db.transaction().execute(async (tx) => {
        await repo.updateDomainUrls(tx, workspaceId, id, urls);
        await recordChange(tx, ctx.dialect, 'domain', id, now);
      });
      await publish(id);
      return toDomainView(await load(workspaceId, id));
    },

    async remove(workspaceId, id, actorUserId, ip) {
      const row = await load(workspaceId, id);
      if ((await repo.countLinksOnDomain(ctx.db, row.host)) > 0 && row.status === 'active') {
        throw new AppError('conflict', `${row.host} still has links; archive or move them first`);
      }
      const now = ctx.clock.now();
      await ctx.db.transaction().execute(async (tx) => {
        await repo.deleteDomain(tx, workspaceId, id);
        await entitlements.released(tx, workspaceId, 'domains');
        await recordChange(tx, ctx.dialect, 'domain', id, now);
        await audit(tx, 'domain.delete', { workspaceId, actorUserId, ip }, id, row.host, now);
      });
      directory.remove(id);
    },

    async recheckAll() {
      const due = await repo.listDomainsToRecheck(
        ctx.db,
        ctx.clock.now() - RECHECK_INTERVAL_MS + 60_000,
      );
      let failed = 0;
      for (const row of due) {
        let found: boolean;
        try {
          found = await hasRecord(row.host, row.verification_token);
        } catch (err) {
          // A DNS outage is not proof the record is gone: keep serving, try again next run.
          ctx.log.warn({ err, host: row.host }, 'domain re-verification lookup failed');
          continue;
        }
        if (found) {
          // Only the check time: the domain may have failed or changed hands during the lookup.
          await repo.markDomainChecked(ctx.db, row.id, ctx.clock.now());
        } else {
          failed++;
          ctx.log.warn(
            { host: row.host, domainId: row.id },
            'verification record gone; domain stops serving',
          );
          await deactivate(row.id, 'failed');
        }
      }
      return { checked: due.length, failed };
    },
  };
}
