import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useAcceptInvitation, useMe } from '../../api/auth';
import { FormError, Loading } from '../../components/states';
import { tokenFromFragment } from '../../lib/urls';
import { AuthLayout } from './AuthLayout';
import { SignupForm } from './SignupPage';

const PENDING_KEY = 'qrlink.invitation';

/** The token from `#token=…`, kept for this tab while the invitee signs in first. */
function useInvitationToken(): string | null {
  const [token] = useState(() => {
    const found = tokenFromFragment(window.location.hash);
    if (found) {
      sessionStorage.setItem(PENDING_KEY, found);
      window.history.replaceState(null, '', window.location.pathname);
      return found;
    }
    return sessionStorage.getItem(PENDING_KEY);
  });
  return token;
}

export default function AcceptInvitationPage() {
  const token = useInvitationToken();
  const me = useMe();
  const accept = useAcceptInvitation();
  const navigate = useNavigate();
  const [mode, setMode] = useState<'choose' | 'signup'>('choose');
  if (me.isPending) return <Loading />;
  if (!token) {
    return (
      <AuthLayout title="Invitation link incomplete">
        <p className="muted">
          This page needs the full link from the invitation e-mail. Open the link again, or ask for
          a new invitation.
        </p>
      </AuthLayout>
    );
  }
  const done = () => {
    sessionStorage.removeItem(PENDING_KEY);
    void navigate('/', { replace: true });
  };
  if (me.data) {
    return (
      <AuthLayout title="Join the workspace">
        <p>
          You are signed in as <strong>{me.data.user.email}</strong>. Accept the invitation to join
          its workspace with this account.
        </p>
        <FormError message={accept.error ? accept.error.message : null} />
        <button
          type="button"
          className="btn btn-primary btn-block"
          disabled={accept.isPending}
          onClick={() => accept.mutate({ token }, { onSuccess: done })}
        >
          Accept invitation
        </button>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title="You are invited to qrlink">
      {mode === 'choose' ? (
        <div className="stack">
          <p className="muted">
            Create an account to join the workspace, or sign in if you already have one.
          </p>
          <button
            type="button"
            className="btn btn-primary btn-block"
            onClick={() => setMode('signup')}
          >
            Create an account
          </button>
          <Link className="btn btn-block" to="/login?next=%2Faccept-invitation">
            Sign in
          </Link>
        </div>
      ) : (
        <SignupForm invitationToken={token} onDone={done} />
      )}
    </AuthLayout>
  );
}
