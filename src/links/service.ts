import type { Static } from 'typebox';
import { AppError, type FieldError } from '../errors.js';
import type { AppContext } from '../context.js';
import type { Entitlements, Feature } from '../billing/entitlements.js';
import { hashPassword } from '../accounts/passwords.js';
import { recordAudit } from '../audit/repo.js';
import { retagLinkRollups } from '../analytics/tag-rollups.js';
import { recordChange } from '../db/changes.js';
import { isUniqueViolation } from '../db/index.js';
import type { DomainDirectory } from '../domains/directory.js';
import { findActiveDomainByHost } from '../domains/repo.js';
import { newId } from '../shared/ids.js';
import {
  codeKey,
  generateCode,
  reservedCodeError,
  validateCustomSlug,
  type ReservedCodes,
} from './codes.js';
import { checkDestination } from './destination.js';
import * as repo from './repo.js';
import { validateRules, type Rules } from './rules.js';
import type { CreateLinkBody, UpdateLinkBody } from './schemas.js';

export type CreateLinkInput = Static<typeof CreateLinkBody>;
export type UpdateLinkInput = Static<typeof UpdateLinkBody>;
type LinkRow = NonNullable<Awaited<ReturnType<typeof repo.findLink>>>;

const CODE_ATTEMPTS = 5;

/** Screens one URL-bearing field (ABU-01): every destination goes through checkDestination. */
export function destinationChecker(directory: DomainDirectory) {
  return (url: string, field: string): string => {
    const result = checkDestination(url, directory.destinations);
    if (!result.ok) {
      throw new AppError('validation_failed', `${field} ${result.reason}`, {
        errors: [{ field, message: result.reason }],
      });
    }
    return result.url;
  };
}

export function shortUrlOf(baseUrl: URL, domain: string, code: string): string {
  return domain === '' ? `${baseUrl.origin}/${code}` : `https://${domain}/${code}`;
}

export function linkView(row: LinkRow, baseUrl: URL, defaultHost: string) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: row.id,
    code: row.code,
    domain: row.domain === '' ? defaultHost : row.domain,
    url: row.url,
    shortUrl: shortUrlOf(baseUrl, row.domain, row.code),
    qrUrl: `${baseUrl.origin}/api/v1/links/${row.id}/qr`,
    title: row.title,
    notes: row.notes,
    tags: JSON.parse(row.tags) as string[],
    rules: row.rules === null ? null : (JSON.parse(row.rules) as Rules),
    expiresAt: iso(row.expires_at),
    expiredUrl: row.expired_url,
    maxScans: row.max_scans,
    fallbackUrl: row.fallback_url,
    hasPassword: row.password_hash !== null,
    redirectType: row.redirect_type,
    passQuery: row.pass_query === 1,
    utm: row.utm === null ? null : (JSON.parse(row.utm) as Record<string, string>),
    status: row.status,
    track: row.track === 1,
    scans: row.scans,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    archivedAt: iso(row.archived_at),
  };
}

export interface Actor {
  workspaceId: string;
  userId: string;
  keyId: string | null;
  ip: string;
}

/** Premium features a link write sets (rules, splits, password, custom domain). */
function featuresUsed(
  input: UpdateLinkInput & { domain?: string },
  customDomain: boolean,
): Feature[] {
  const features: Feature[] = [];
  if (input.rules && input.rules.length > 0) {
    features.push('smartRules');
    if (input.rules.some((rule) => rule.split !== undefined)) features.push('abSplits');
  }
  if (input.password) features.push('passwordLinks');
  if (customDomain) features.push('customDomains');
  return features;
}

export function linksService(
  ctx: AppContext,
  directory: DomainDirectory,
  entitlements: Entitlements,
  reserved: ReservedCodes,
) {
  const checkUrl = destinationChecker(directory);

  function checkRules(rules: unknown): string {
    const result = validateRules(rules, (url) => checkDestination(url, directory.destinations));
    if (!result.ok) {
      const first = result.errors[0] as FieldError;
      throw new AppError('validation_failed', `${first.field} ${first.message}`, {
        errors: result.errors,
      });
    }
    return JSON.stringify(result.rules);
  }

  function normalizeTags(tags: string[]): string {
    return JSON.stringify([...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))]);
  }

  async function resolveDomain(workspaceId: string, domain: string | undefined): Promise<string> {
    if (domain === undefined || directory.match(domain)?.kind === 'default') return '';
    const host = domain.trim().toLowerCase().replace(/\.$/, '');
    const row = await findActiveDomainByHost(ctx.db, host);
    if (!row || row.workspace_id !== workspaceId) {
      throw new AppError(
        'validation_failed',
        `domain ${host} is not a verified domain of this workspace`,
        {
          errors: [{ field: '/domain', message: 'is not a verified domain of this workspace' }],
        },
      );
    }
    return host;
  }

  /**
   * Epoch ms of an expiry, which must lie ahead of the server clock the redirect compares it
   * with (no tolerance: to stop a link now, pause it). The link's current expiry may be sent
   * back unchanged after it has passed.
   */
  function checkExpiry(expiresAt: string, current: number | null): number {
    const at = Date.parse(expiresAt);
    if (at !== current && at <= ctx.clock.now()) {
      throw new AppError('validation_failed', 'expiresAt must be in the future', {
        errors: [{ field: '/expiresAt', message: 'must be in the future' }],
      });
    }
    return at;
  }

  /**
   * Column values for the editable fields present in the input (create and update share it);
   * `current` is the stored link on update.
   */
  async function editableColumns(input: UpdateLinkInput, current?: LinkRow) {
    const out: Partial<Omit<LinkRow, 'id'>> = {};
    if (input.url !== undefined) out.url = checkUrl(input.url, '/url');
    if (input.title !== undefined) out.title = input.title;
    if (input.notes !== undefined) out.notes = input.notes;
    if (input.tags !== undefined) out.tags = normalizeTags(input.tags);
    if (input.rules !== undefined)
      out.rules = input.rules === null || input.rules.length === 0 ? null : checkRules(input.rules);
    if (input.expiresAt !== undefined)
      out.expires_at =
        input.expiresAt === null ? null : checkExpiry(input.expiresAt, current?.expires_at ?? null);
    if (input.expiredUrl !== undefined)
      out.expired_url =
        input.expiredUrl === null ? null : checkUrl(input.expiredUrl, '/expiredUrl');
    if (input.maxScans !== undefined) out.max_scans = input.maxScans;
    if (input.fallbackUrl !== undefined)
      out.fallback_url =
        input.fallbackUrl === null ? null : checkUrl(input.fallbackUrl, '/fallbackUrl');
    if (input.password !== undefined)
      out.password_hash = input.password === null ? null : await hashPassword(input.password);
    if (input.redirectType !== undefined) out.redirect_type = input.redirectType;
    if (input.passQuery !== undefined) out.pass_query = input.passQuery ? 1 : 0;
    if (input.utm !== undefined)
      out.utm =
        input.utm === null || Object.keys(input.utm).length === 0
          ? null
          : JSON.stringify(input.utm);
    if (input.status !== undefined) out.status = input.status;
    if (input.track !== undefined) out.track = input.track ? 1 : 0;
    return out;
  }

  async function load(workspaceId: string, id: string): Promise<LinkRow> {
    const row = await repo.findLink(ctx.db, workspaceId, id);
    if (!row) throw new AppError('not_found', 'Link not found');
    return row;
  }

  return {
    load,

    async create(actor: Actor, input: CreateLinkInput): Promise<LinkRow> {
      if (input.code !== undefined) {
        const problem = validateCustomSlug(input.code);
        if (problem)
          throw new AppError('validation_failed', `code ${problem.message}`, { errors: [problem] });
        // Well formed, but one of the server's own paths takes it.
        const taken = reservedCodeError(input.code, reserved);
        if (taken)
          throw new AppError('unprocessable', `code ${taken.message}`, { errors: [taken] });
      }
      const domain = await resolveDomain(actor.workspaceId, input.domain);
      const columns = await editableColumns(input);
      const now = ctx.clock.now();
      const id = newId('lnk', now);
      for (let attempt = 1; ; attempt++) {
        const code = input.code ?? generateCode(reserved);
        try {
          await ctx.db.transaction().execute(async (tx) => {
            await entitlements.assert(tx, actor.workspaceId, {
              kind: 'link.create',
              features: featuresUsed(input, domain !== ''),
            });
            await repo.insertLink(tx, {
              id,
              workspace_id: actor.workspaceId,
              domain,
              code,
              code_key: codeKey(code),
              url: columns.url as string,
              title: columns.title ?? null,
              notes: columns.notes ?? null,
              tags: columns.tags ?? '[]',
              rules: columns.rules ?? null,
              expires_at: columns.expires_at ?? null,
              expired_url: columns.expired_url ?? null,
              max_scans: columns.max_scans ?? null,
              fallback_url: columns.fallback_url ?? null,
              password_hash: columns.password_hash ?? null,
              redirect_type: columns.redirect_type ?? 302,
              pass_query: columns.pass_query ?? 0,
              utm: columns.utm ?? null,
              status: columns.status ?? 'active',
              track: columns.track ?? 1,
              created_by: actor.userId,
              created_at: now,
              updated_at: now,
              archived_at: null,
            });
            await recordChange(tx, ctx.dialect, 'link', id, now);
          });
          return await load(actor.workspaceId, id);
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
          if (input.code !== undefined) {
            throw new AppError(
              'conflict',
              `The code "${input.code}" is already taken on this domain`,
              {
                errors: [{ field: '/code', message: 'is already taken on this domain' }],
              },
            );
          }
          if (attempt >= CODE_ATTEMPTS)
            throw new AppError('service_unavailable', 'Could not find a free code; try again');
        }
      }
    },

    async update(actor: Actor, id: string, input: UpdateLinkInput): Promise<LinkRow> {
      const before = await load(actor.workspaceId, id);
      if (before.archived_at !== null)
        throw new AppError('conflict', 'Archived links cannot be changed');
      await entitlements.assert(ctx.db, actor.workspaceId, {
        kind: 'link.update',
        features: featuresUsed(input, false),
      });
      const columns = await editableColumns(input, before);
      const now = ctx.clock.now();
      await ctx.db.transaction().execute(async (tx) => {
        // Tag rollups follow the link's tags (the link row is locked first on PostgreSQL).
        if (columns.tags !== undefined) {
          const tags = JSON.parse(columns.tags) as string[];
          await retagLinkRollups(tx, ctx.dialect, actor.workspaceId, id, tags);
        }
        await repo.updateLink(tx, actor.workspaceId, id, { ...columns, updated_at: now });
        await recordChange(tx, ctx.dialect, 'link', id, now);
        if (columns.status !== undefined && columns.status !== before.status) {
          await recordAudit(
            tx,
            {
              workspaceId: actor.workspaceId,
              actorUserId: actor.userId,
              actorKeyId: actor.keyId,
              action: 'link.status_change',
              targetType: 'link',
              targetId: id,
              ip: actor.ip,
              details: { from: before.status, to: columns.status },
            },
            now,
          );
        }
      });
      return load(actor.workspaceId, id);
    },

    /** Soft delete: the link stops redirecting, keeps its code and its analytics. */
    async archive(actor: Actor, id: string): Promise<void> {
      const row = await load(actor.workspaceId, id);
      if (row.archived_at !== null) return;
      const now = ctx.clock.now();
      await ctx.db.transaction().execute(async (tx) => {
        await repo.updateLink(tx, actor.workspaceId, id, { archived_at: now, updated_at: now });
        await entitlements.released(tx, actor.workspaceId, 'active_links');
        await recordChange(tx, ctx.dialect, 'link', id, now);
        await recordAudit(
          tx,
          {
            workspaceId: actor.workspaceId,
            actorUserId: actor.userId,
            actorKeyId: actor.keyId,
            action: 'link.delete',
            targetType: 'link',
            targetId: id,
            ip: actor.ip,
            details: { code: row.code, domain: row.domain },
          },
          now,
        );
      });
    },
  };
}

export type LinksService = ReturnType<typeof linksService>;
