import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { useMe, type Me } from './api/auth';
import { AppShell } from './components/AppShell';
import { ErrorState, Loading } from './components/states';
import { LoginPage } from './pages/auth/LoginPage';
import { SignupPage } from './pages/auth/SignupPage';
import { HomePage } from './pages/home/HomePage';

// Everything but sign-in and home loads on demand, keeping the first page's JavaScript small.
const ResetPasswordPage = lazy(() => import('./pages/auth/ResetPasswordPage'));
const AcceptInvitationPage = lazy(() => import('./pages/auth/AcceptInvitationPage'));
const VerifyEmailPage = lazy(() => import('./pages/auth/VerifyEmailPage'));
const LinksPage = lazy(() => import('./pages/links/LinksPage'));
const LinkPage = lazy(() => import('./pages/links/LinkPage'));
const StaticQrPage = lazy(() => import('./pages/qr/StaticQrPage'));
const AnalyticsPage = lazy(() => import('./pages/analytics/AnalyticsPage'));
const DomainsPage = lazy(() => import('./pages/domains/DomainsPage'));
const TeamPage = lazy(() => import('./pages/team/TeamPage'));
const SettingsPage = lazy(() => import('./pages/settings/SettingsPage'));
const BillingPage = lazy(() => import('./pages/billing/BillingPage'));
const AdminPage = lazy(() => import('./pages/admin/AdminPage'));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage'));

function Signed({ children }: { children: (me: Me) => ReactNode }) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;
  if (!me.data) {
    const next = location.pathname + location.search;
    return (
      <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />
    );
  }
  return <>{children(me.data)}</>;
}

function Page({ children }: { children: ReactNode }) {
  return <Suspense fallback={<Loading />}>{children}</Suspense>;
}

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/signup" element={<SignupPage />} />
      <Route
        path="/reset-password"
        element={
          <Page>
            <ResetPasswordPage />
          </Page>
        }
      />
      <Route
        path="/accept-invitation"
        element={
          <Page>
            <AcceptInvitationPage />
          </Page>
        }
      />
      <Route
        path="/verify-email"
        element={
          <Page>
            <VerifyEmailPage />
          </Page>
        }
      />
      <Route element={<Signed>{(me) => <AppShell me={me} />}</Signed>}>
        <Route index element={<HomePage />} />
        <Route
          path="links"
          element={
            <Page>
              <LinksPage />
            </Page>
          }
        />
        <Route
          path="links/:linkId"
          element={
            <Page>
              <LinkPage />
            </Page>
          }
        />
        <Route
          path="qr"
          element={
            <Page>
              <StaticQrPage />
            </Page>
          }
        />
        <Route
          path="analytics"
          element={
            <Page>
              <AnalyticsPage />
            </Page>
          }
        />
        <Route
          path="domains"
          element={
            <Page>
              <DomainsPage />
            </Page>
          }
        />
        <Route
          path="team"
          element={
            <Page>
              <TeamPage />
            </Page>
          }
        />
        <Route
          path="settings"
          element={
            <Page>
              <SettingsPage />
            </Page>
          }
        />
        <Route
          path="billing"
          element={
            <Page>
              <BillingPage />
            </Page>
          }
        />
        <Route
          path="admin"
          element={
            <Page>
              <AdminPage />
            </Page>
          }
        />
        <Route
          path="*"
          element={
            <Page>
              <NotFoundPage />
            </Page>
          }
        />
      </Route>
    </Routes>
  );
}
