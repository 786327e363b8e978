import { Link } from 'react-router';
import { AuthLayout } from './AuthLayout';
import { useFragmentToken } from './ResetPasswordPage';

/** The server does not send verification e-mails yet; this page is where their links will land. */
export default function VerifyEmailPage() {
  const token = useFragmentToken();
  return (
    <AuthLayout title="Verify your e-mail address" footer={<Link to="/">Go to qrlink</Link>}>
      <div className="alert alert-info" role="status">
        {token
          ? 'E-mail verification is not switched on on this server yet, so there is nothing to confirm. Your account works as it is.'
          : 'When e-mail verification is switched on, the link in your e-mail brings you here to confirm your address.'}
      </div>
    </AuthLayout>
  );
}
