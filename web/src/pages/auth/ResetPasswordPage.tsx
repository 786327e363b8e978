import { useState } from 'react';
import { Link } from 'react-router';
import { useConfirmPasswordReset, useRequestPasswordReset } from '../../api/auth';
import { formErrors } from '../../api/problem';
import { TextField } from '../../components/fields';
import { FormError } from '../../components/states';
import { tokenFromFragment } from '../../lib/urls';
import { AuthLayout } from './AuthLayout';
import { PASSWORD_HINT } from './SignupPage';

/** Read once, then removed from the address bar so the token stays out of history and screenshots. */
function useFragmentToken(): string | null {
  const [token] = useState(() => {
    const found = tokenFromFragment(window.location.hash);
    if (found)
      window.history.replaceState(null, '', window.location.pathname + window.location.search);
    return found;
  });
  return token;
}

function RequestReset() {
  const request = useRequestPasswordReset();
  const [email, setEmail] = useState('');
  const errors = formErrors(request.error, ['email']);
  if (request.isSuccess) {
    return (
      <div className="alert alert-success" role="status">
        If an account uses {email}, an e-mail with a reset link is on its way. The link works for a
        limited time.
      </div>
    );
  }
  return (
    <form
      className="form"
      onSubmit={(e) => {
        e.preventDefault();
        request.mutate({ email });
      }}
    >
      <p className="muted">
        Enter your account's e-mail address and we will send you a link to set a new password.
      </p>
      <FormError message={errors.summary} />
      <TextField
        label="E-mail"
        type="email"
        autoComplete="email"
        required
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={errors.fields.email}
      />
      <button type="submit" className="btn btn-primary btn-block" disabled={request.isPending}>
        Send reset link
      </button>
    </form>
  );
}

function SetNewPassword({ token }: { token: string }) {
  const confirm = useConfirmPasswordReset();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const errors = formErrors(confirm.error, ['password', 'token']);
  if (confirm.isSuccess) {
    return (
      <div className="stack">
        <div className="alert alert-success" role="status">
          Your password has been changed. Other sessions were signed out.
        </div>
        <Link to="/login" className="btn btn-primary">
          Sign in
        </Link>
      </div>
    );
  }
  return (
    <form
      className="form"
      onSubmit={(e) => {
        e.preventDefault();
        setMismatch(password !== repeat);
        if (password === repeat) confirm.mutate({ token, password });
      }}
    >
      <FormError message={errors.summary ?? errors.fields.token} />
      <TextField
        label="New password"
        type="password"
        autoComplete="new-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        hint={PASSWORD_HINT}
        error={errors.fields.password}
      />
      <TextField
        label="Repeat the new password"
        type="password"
        autoComplete="new-password"
        required
        value={repeat}
        onChange={(e) => setRepeat(e.target.value)}
        error={mismatch ? 'The two passwords differ' : undefined}
      />
      <button type="submit" className="btn btn-primary btn-block" disabled={confirm.isPending}>
        Set new password
      </button>
    </form>
  );
}

export default function ResetPasswordPage() {
  const token = useFragmentToken();
  return (
    <AuthLayout
      title={token ? 'Choose a new password' : 'Reset your password'}
      footer={<Link to="/login">Back to sign in</Link>}
    >
      {token ? <SetNewPassword token={token} /> : <RequestReset />}
    </AuthLayout>
  );
}

export { useFragmentToken };
