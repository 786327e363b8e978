import { useState } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { useLogin, useMe } from '../../api/auth';
import { formErrors } from '../../api/problem';
import { TextField } from '../../components/fields';
import { FormError, Loading } from '../../components/states';
import { safeNext } from '../../lib/urls';
import { AuthLayout } from './AuthLayout';

export function LoginPage() {
  const me = useMe();
  const login = useLogin();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  if (me.isPending) return <Loading />;
  if (me.data) return <Navigate to={next} replace />;
  const errors = formErrors(login.error, ['email', 'password']);
  return (
    <AuthLayout
      title="Sign in to qrlink"
      footer={
        <>
          New here? <Link to="/signup">Create an account</Link>
        </>
      }
    >
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          login.mutate(
            { email, password },
            { onSuccess: () => void navigate(next, { replace: true }) },
          );
        }}
      >
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
        <TextField
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.fields.password}
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={login.isPending}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </button>
        <Link to="/reset-password" className="small">
          Forgot your password?
        </Link>
      </form>
    </AuthLayout>
  );
}
