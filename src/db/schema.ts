import type { Generated } from 'kysely';

/**
 * Row types of every table, as Kysely sees them. Times are epoch milliseconds (integers) so
 * bucketing and comparisons are the same arithmetic on SQLite and PostgreSQL; booleans are 0/1;
 * JSON documents are text.
 */
export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  created_at: number;
  password_changed_at: number;
}

export interface WorkspacesTable {
  id: string;
  name: string;
  plan: string;
  created_at: number;
  /** 0 = do not track any scan of this workspace (PRV-09). */
  track: Generated<number>;
}

export interface MembershipsTable {
  workspace_id: string;
  user_id: string;
  role: string;
  created_at: number;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}

export interface ApiKeysTable {
  id: string;
  workspace_id: string;
  created_by: string;
  name: string;
  key_hash: string;
  mode: string;
  last4: string;
  scopes: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface InvitationsTable {
  id: string;
  workspace_id: string;
  email: string;
  role: string;
  token_hash: string;
  invited_by: string;
  created_at: number;
  expires_at: number;
  accepted_at: number | null;
}

export interface PasswordResetsTable {
  token_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface LoginFailuresTable {
  /** keyedHash(server secret, `login:<scope>:<e-mail or IP>`). */
  key: string;
  failures: number;
  last_at: number;
  /** The failure before `last_at` within the window (null: none). */
  previous_at: number | null;
}

export interface AuditLogTable {
  id: string;
  workspace_id: string | null;
  actor_user_id: string | null;
  actor_key_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  /** Client network only (IPv4 /24, IPv6 /48): no raw IP is stored anywhere. */
  ip_network: string | null;
  details: string;
  created_at: number;
}

export interface IdempotencyKeysTable {
  principal_id: string;
  key: string;
  request_hash: string;
  status_code: number;
  response_body: string;
  created_at: number;
}

export interface DomainsTable {
  id: string;
  workspace_id: string;
  host: string;
  verification_token: string;
  /** pending | active | failed */
  status: string;
  verified_at: number | null;
  checked_at: number | null;
  root_url: string | null;
  not_found_url: string | null;
  created_at: number;
}

export interface LinksTable {
  id: string;
  workspace_id: string;
  /** '' for the default short domain. */
  domain: string;
  code: string;
  /** Upper-cased code: lookups are case-insensitive. */
  code_key: string;
  url: string;
  title: string | null;
  notes: string | null;
  tags: string;
  rules: string | null;
  expires_at: number | null;
  expired_url: string | null;
  max_scans: number | null;
  fallback_url: string | null;
  password_hash: string | null;
  redirect_type: number;
  pass_query: number;
  utm: string | null;
  /** active | paused | disabled */
  status: string;
  /** 0 = do not track (PRV-09). */
  track: number;
  scans: Generated<number>;
  created_by: string;
  created_at: number;
  updated_at: number;
  archived_at: number | null;
}

export interface ChangesTable {
  seq: Generated<number>;
  /** link | domain */
  kind: string;
  entity_id: string;
  created_at: number;
}

export interface ScanEventsTable {
  id: string;
  workspace_id: string;
  link_id: string;
  time: number;
  domain: string;
  via: string;
  traffic_class: string;
  status: number;
  rule_index: number | null;
  variant_index: number | null;
  device: string | null;
  os: string | null;
  browser: string | null;
  country: string | null;
  city: string | null;
  language: string | null;
  referrer_host: string | null;
  visitor_hash: string | null;
}

export interface RollupHourlyTable {
  /** A link id, or the workspace id for the workspace-wide rollup. */
  scope: string;
  hour: number;
  via: string;
  workspace_id: string;
  total: number;
  human: number;
  uniques: number;
}

/**
 * One breakdown key of a scope on a UTC day, both `via` together. A dimension's default key
 * (DEFAULT_KEYS in analytics/rollups.ts) has no row: it is the day's total minus the others.
 */
export interface RollupDailyTable {
  scope: string;
  day: number;
  dimension: string;
  key: string;
  workspace_id: string;
  total: number;
  human: number;
  /** The part of total (and of human) that came through a QR code. */
  qr_total: number;
  qr_human: number;
}

export interface VisitorDaysTable {
  link_id: string;
  day: number;
  visitor_hash: string;
}

export interface UsageCountersTable {
  workspace_id: string;
  meter: string;
  period: string;
  value: number;
}

export interface SubscriptionsTable {
  workspace_id: string;
  customer_id: string | null;
  subscription_id: string | null;
  plan: string | null;
  status: string | null;
  current_period_end: number | null;
  cancel_at_period_end: number;
  trial_end: number | null;
  snapshot_at: number;
  snapshot_rank: number;
  updated_at: number;
}

export interface StripeEventsTable {
  id: string;
  type: string;
  created: number;
  payload: string;
  received_at: number;
  processed_at: number | null;
  outcome: string | null;
}

export interface InvoicePaymentsTable {
  invoice_id: string;
  workspace_id: string;
  first_failed_at: number | null;
  paid_at: number | null;
}

export interface BillingEmailsTable {
  key: string;
  workspace_id: string;
  kind: string;
  created_at: number;
  sent_at: number | null;
}

/** The readiness write probe's single row. */
export interface WriteProbeTable {
  id: string;
  written_at: number;
}

export interface LinkPasswordAttemptsTable {
  /** keyedHash of the link and the client (IPv4 address or IPv6 /64). */
  key: string;
  /** When the window of this key's attempts began (the first attempt in it). */
  window_start: number;
  attempts: number;
}

/** A place held by an open live stream (the caps count them); renewed while it is open. */
export interface LiveStreamsTable {
  id: string;
  workspace_id: string;
  /** `key:<id>` or `session:<id>`: what the stream was opened with. */
  credential: string;
  /** The place is free after this, should its process die without releasing it. */
  expires_at: number;
}

export interface DB {
  usage_counters: UsageCountersTable;
  subscriptions: SubscriptionsTable;
  stripe_events: StripeEventsTable;
  invoice_payments: InvoicePaymentsTable;
  billing_emails: BillingEmailsTable;
  scan_events: ScanEventsTable;
  rollup_hourly: RollupHourlyTable;
  rollup_daily: RollupDailyTable;
  visitor_days: VisitorDaysTable;
  domains: DomainsTable;
  links: LinksTable;
  changes: ChangesTable;
  users: UsersTable;
  workspaces: WorkspacesTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  invitations: InvitationsTable;
  password_resets: PasswordResetsTable;
  login_failures: LoginFailuresTable;
  link_password_attempts: LinkPasswordAttemptsTable;
  live_streams: LiveStreamsTable;
  audit_log: AuditLogTable;
  idempotency_keys: IdempotencyKeysTable;
  write_probe: WriteProbeTable;
}
