/** What each role may do in a workspace: the one table every permission check reads (ACC-10). */
export const ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'workspace:read',
  'workspace:update',
  'workspace:delete',
  'members:read',
  'members:manage',
  'keys:manage',
  'audit:read',
  'links:read',
  'links:write',
  'analytics:read',
  'domains:read',
  'domains:write',
  'billing:read',
  'billing:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const VIEWER: Permission[] = [
  'workspace:read',
  'members:read',
  'links:read',
  'analytics:read',
  'domains:read',
];
const MEMBER: Permission[] = [...VIEWER, 'links:write', 'billing:read'];
const ADMIN: Permission[] = [
  ...MEMBER,
  'workspace:update',
  'members:manage',
  'keys:manage',
  'audit:read',
  'domains:write',
];
const OWNER: Permission[] = [...ADMIN, 'workspace:delete', 'billing:manage'];

export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  owner: new Set(OWNER),
  admin: new Set(ADMIN),
  member: new Set(MEMBER),
  viewer: new Set(VIEWER),
};

export function roleAllows(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}

/** Admins manage members and admins; only owners grant, change or remove the owner role. */
export function canAssignRole(actor: Role, from: Role | null, to: Role | null): boolean {
  if (!roleAllows(actor, 'members:manage')) return false;
  if (actor === 'owner') return true;
  return from !== 'owner' && to !== 'owner';
}

/** API key scopes (ACC-08), and the scope each permission needs when the caller is a key. */
export const SCOPES = [
  'links:read',
  'links:write',
  'analytics:read',
  'domains:write',
  'billing:read',
  'workspace:admin',
] as const;
export type Scope = (typeof SCOPES)[number];

/** null: any key of the workspace may do it. `workspace:admin` covers every permission. */
export const PERMISSION_SCOPE: Readonly<Record<Permission, Scope | null>> = {
  'workspace:read': null,
  'workspace:update': 'workspace:admin',
  'workspace:delete': 'workspace:admin',
  'members:read': 'workspace:admin',
  'members:manage': 'workspace:admin',
  'keys:manage': 'workspace:admin',
  'audit:read': 'workspace:admin',
  'links:read': 'links:read',
  'links:write': 'links:write',
  'analytics:read': 'analytics:read',
  'domains:read': 'links:read',
  'domains:write': 'domains:write',
  'billing:read': 'billing:read',
  'billing:manage': 'workspace:admin',
};

export function scopesAllow(scopes: ReadonlySet<Scope>, permission: Permission): boolean {
  const needed = PERMISSION_SCOPE[permission];
  return needed === null || scopes.has(needed) || scopes.has('workspace:admin');
}

/**
 * Scopes a member of this role may put on a key. A key is also bounded by its creator's current
 * role at every request, so no key can ever do more than the person who made it.
 */
export function scopesGrantable(role: Role): Scope[] {
  return SCOPES.filter((scope) =>
    PERMISSIONS.some((p) => PERMISSION_SCOPE[p] === scope && roleAllows(role, p)),
  );
}
