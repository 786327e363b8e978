import { Type } from 'typebox';
import { Email } from '../accounts/schemas.js';
import { BasePlan, PlanInForce } from '../billing/plans.js';
import { Id, SingleLine, Timestamp } from '../http/schemas.js';
import { ROLES } from './roles.js';

export const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
export const WorkspaceName = SingleLine({ minLength: 1, maxLength: 100 });

export const WorkspaceParams = Type.Object({ workspaceId: Id }, { additionalProperties: false });
export const MemberParams = Type.Object(
  { workspaceId: Id, userId: Id },
  { additionalProperties: false },
);
export const InvitationParams = Type.Object(
  { workspaceId: Id, invitationId: Id },
  { additionalProperties: false },
);

export const WorkspaceView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  plan: PlanInForce,
  basePlan: BasePlan,
  role: Type.String(),
  track: Type.Boolean({ description: 'false: scans of every link redirect but are not recorded' }),
  createdAt: Timestamp,
});

export const CreateWorkspaceBody = Type.Object(
  { name: WorkspaceName },
  { additionalProperties: false },
);
export const UpdateWorkspaceBody = Type.Object(
  { name: Type.Optional(WorkspaceName), track: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);

export const MemberView = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: Type.String(),
  joinedAt: Timestamp,
});
export const UpdateMemberBody = Type.Object({ role: RoleSchema }, { additionalProperties: false });

export const InviteBody = Type.Object(
  { email: Email, role: RoleSchema },
  { additionalProperties: false },
);
export const InvitationView = Type.Object({
  id: Type.String(),
  email: Type.String(),
  role: Type.String(),
  createdAt: Timestamp,
  expiresAt: Timestamp,
});
export const AcceptInvitationBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);
