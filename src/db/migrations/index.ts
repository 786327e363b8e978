import type { Migration } from 'kysely';
import type { DialectName } from '../index.js';
import * as accounts from './2026-11-26-01-accounts.js';
import { linksMigration } from './2026-11-26-02-links.js';
import * as analytics from './2026-11-26-03-analytics.js';
import * as billing from './2026-11-26-04-billing.js';
import * as workspaceTracking from './2026-11-26-05-workspace-tracking.js';
import { analyticsStorageMigration } from './2026-11-26-06-analytics-storage.js';
import { compactDailyRollupsMigration } from './2026-11-26-07-compact-daily-rollups.js';
import * as loginFailures from './2026-11-26-08-login-failures.js';
import * as linkPasswordAttempts from './2026-12-04-20-link-password-attempts.js';
import * as liveStreams from './2026-12-04-20-live-streams.js';
import * as oneActiveDomainHolder from './2026-12-04-30-one-active-domain-holder.js';
import * as writeProbe from './2026-12-04-30-write-probe.js';

/** Every migration in order; names are frozen once released. */
export function migrationsFor(dialect: DialectName): Record<string, Migration> {
  return {
    '2026-11-26-01-accounts': accounts,
    '2026-11-26-02-links': linksMigration(dialect),
    '2026-11-26-03-analytics': analytics,
    '2026-11-26-04-billing': billing,
    '2026-11-26-05-workspace-tracking': workspaceTracking,
    '2026-11-26-06-analytics-storage': analyticsStorageMigration(dialect),
    '2026-11-26-07-compact-daily-rollups': compactDailyRollupsMigration(dialect),
    '2026-11-26-08-login-failures': loginFailures,
    '2026-12-04-20-link-password-attempts': linkPasswordAttempts,
    '2026-12-04-20-live-streams': liveStreams,
    '2026-12-04-30-one-active-domain-holder': oneActiveDomainHolder,
    '2026-12-04-30-write-probe': writeProbe,
  };
}
