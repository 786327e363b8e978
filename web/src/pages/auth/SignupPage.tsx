import { useState } from 'react';
import { Link, Navigate, useNavigate } from 'react-router';
import { useMe, useSignup } from '../../api/auth';
import { formErrors, ProblemError } from '../../api/problem';
import { TextField } from '../../components/fields';
import { FormError, Loading } from '../../components/states';
import { AuthLayout } from './AuthLayout';

export const PASSWORD_HINT = 'At least 8 characters; a passphrase is best.';

export function SignupForm({
  invitationToken,
  onDone,
}: {
  invitationToken?: string;
  onDone: () => void;
}) {
  const signup = useSignup();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const errors = formErrors(signup.error, ['name', 'email', 'password', 'invitationToken']);
  const closed = signup.error instanceof ProblemError && signup.error.code === 'signup_closed';
  return (
    <form
      className="form"
      onSubmit={(e) => {
        e.preventDefault();
        signup.mutate(
          {
            email,
            password,
            ...(name.trim() ? { name: name.trim() } : {}),
            ...(invitationToken ? { invitationToken } : {}),
          },
          { onSuccess: onDone },
        );
      }}
    >
      {closed ? (
        <div className="alert alert-info" role="alert">
          Sign-up is closed on this server. Ask an administrator for an invitation.
        </div>
      ) : (
        <FormError message={errors.summary ?? errors.fields.invitationToken} />
      )}
      <TextField
        label="Your name"
        autoComplete="name"
        maxLength={100}
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={errors.fields.name}
      />
      <TextField
        label="E-mail"
        type="email"
        autoComplete="email"
        required
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={errors.fields.email}
      />
      <TextField
        label="Password"
        type="password"
        autoComplete="new-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        hint={PASSWORD_HINT}
        error={errors.fields.password}
      />
      <button type="submit" className="btn btn-primary btn-block" disabled={signup.isPending}>
        {signup.isPending ? 'Creating your account…' : 'Create account'}
      </button>
    </form>
  );
}

export function SignupPage() {
  const me = useMe();
  const navigate = useNavigate();
  if (me.isPending) return <Loading />;
  if (me.data) return <Navigate to="/" replace />;
  return (
    <AuthLayout
      title="Create your account"
      footer={
        <>
          Already have an account? <Link to="/login">Sign in</Link>
        </>
      }
    >
      <p className="muted">
        Short links and dynamic QR codes, with scans counted honestly. Free to start.
      </p>
      <SignupForm onDone={() => void navigate('/', { replace: true })} />
    </AuthLayout>
  );
}
