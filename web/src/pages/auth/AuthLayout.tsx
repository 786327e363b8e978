import type { ReactNode } from 'react';
import { Link } from 'react-router';
import logo from '../../favicon.svg';

export function AuthLayout({
  title,
  children,
  footer,
}: {
  title: string;
  children: ReactNode;
  footer?: ReactNode;
}) {
  return (
    <main className="auth">
      <div className="auth-card">
        <Link to="/" className="brand" aria-label="qrlink">
          <img src={logo} alt="" />
          qrlink
        </Link>
        <div className="card stack-lg">
          <h1>{title}</h1>
          {children}
        </div>
        {footer && <div className="auth-links">{footer}</div>}
      </div>
    </main>
  );
}
