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

export interface DB {
  users: UsersTable;
  workspaces: WorkspacesTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  invitations: InvitationsTable;
  password_resets: PasswordResetsTable;
  audit_log: AuditLogTable;
  idempotency_keys: IdempotencyKeysTable;
}
