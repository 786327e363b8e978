import type { AppContext } from '../context.js';
import { recordAudit } from '../audit/repo.js';
import { recordChange } from '../db/changes.js';
import { isUniqueViolation } from '../db/index.js';
import { generateCode, type ReservedCodes } from './codes.js';
import { changeLinkCode, findLinksByCodeKeys } from './repo.js';

const CODE_ATTEMPTS = 5;

/**
 * Links whose code became one of the server's own paths (created before the path was reserved)
 * move to a fresh generated code: announced on the change log like any edit, so every process
 * serves the new code, and written to the workspace's audit log with the old and the new code.
 * Runs at start-up, once the routes are known; several processes may run it at once.
 */
export async function moveLinksOffReservedCodes(
  ctx: AppContext,
  reserved: ReservedCodes,
): Promise<number> {
  let moved = 0;
  for (const link of await findLinksByCodeKeys(ctx.db, [...reserved])) {
    for (let attempt = 1; ; attempt++) {
      const code = generateCode(reserved);
      const now = ctx.clock.now();
      try {
        const changed = await ctx.db.transaction().execute(async (tx) => {
          if (!(await changeLinkCode(tx, link.id, link.code_key, code, now))) return false;
          await recordChange(tx, ctx.dialect, 'link', link.id, now);
          await recordAudit(
            tx,
            {
              workspaceId: link.workspace_id,
              actorUserId: null,
              action: 'link.code_reassigned',
              targetType: 'link',
              targetId: link.id,
              details: { from: link.code, to: code, domain: link.domain, reason: 'reserved path' },
            },
            now,
          );
          return true;
        });
        if (changed) {
          moved++;
          ctx.log.warn(
            { linkId: link.id, from: link.code, to: code },
            'link code is a path of the server: moved to a new code',
          );
        }
        break;
      } catch (err) {
        if (!isUniqueViolation(err) || attempt >= CODE_ATTEMPTS) throw err;
      }
    }
  }
  return moved;
}
