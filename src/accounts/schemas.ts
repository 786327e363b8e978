import { Type } from 'typebox';
import { SingleLine } from '../http/schemas.js';

/** No whitespace, `@` or control character (PostgreSQL refuses NUL in text). */
const EMAIL_PART = '[^\\s@\\u0000-\\u001f\\u007f-\\u009f]+';
export const Email = Type.String({
  minLength: 3,
  maxLength: 254,
  pattern: `^${EMAIL_PART}@${EMAIL_PART}\\.${EMAIL_PART}$`,
});
/** Bounded in the schema; the 8–128 character policy is checked in code with a clear message. */
export const Password = Type.String({ minLength: 1, maxLength: 1024 });

export const SignupBody = Type.Object(
  {
    email: Email,
    password: Password,
    name: Type.Optional(SingleLine({ minLength: 1, maxLength: 100 })),
    invitationToken: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);

export const LoginBody = Type.Object(
  { email: Email, password: Password },
  { additionalProperties: false },
);

export const ResetRequestBody = Type.Object({ email: Email }, { additionalProperties: false });

/** The same answer whether or not an account uses the address (ACC-04). */
export const ResetRequestedView = Type.Object(
  { status: Type.Literal('accepted') },
  { description: 'If an account uses this address, a reset e-mail is on its way' },
);

export const ResetConfirmBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 100 }), password: Password },
  { additionalProperties: false },
);

export const UserView = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
});

export const WorkspaceRef = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Type.String(),
});

export const MeView = Type.Object({
  user: UserView,
  workspace: Type.Union([WorkspaceRef, Type.Null()]),
  auth: Type.Union([Type.Literal('session'), Type.Literal('apiKey')]),
  scopes: Type.Optional(Type.Array(Type.String())),
});
