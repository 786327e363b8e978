import {
  ChartLine,
  CreditCard,
  Globe,
  House,
  Link2,
  LogOut,
  Menu,
  QrCode,
  Settings,
  Users,
} from 'lucide-react';
import { useState, type ReactNode } from 'react';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { useLogout, type Me } from '../api/auth';
import { useBilling } from '../api/billing';
import { useCreateWorkspace, useSwitchWorkspace, useWorkspaces } from '../api/workspaces';
import { formErrors } from '../api/problem';
import { TextField } from './fields';
import { FormError } from './states';
import { formatDate } from '../lib/format';
import logo from '../favicon.svg';

const NAV: { to: string; label: string; icon: ReactNode; end?: boolean }[] = [
  { to: '/', label: 'Home', icon: <House aria-hidden="true" />, end: true },
  { to: '/links', label: 'Links', icon: <Link2 aria-hidden="true" /> },
  { to: '/qr', label: 'QR generator', icon: <QrCode aria-hidden="true" /> },
  { to: '/analytics', label: 'Analytics', icon: <ChartLine aria-hidden="true" /> },
  { to: '/domains', label: 'Domains', icon: <Globe aria-hidden="true" /> },
];
const WORKSPACE_NAV = [
  { to: '/team', label: 'Team', icon: <Users aria-hidden="true" /> },
  { to: '/settings', label: 'Settings', icon: <Settings aria-hidden="true" /> },
  { to: '/billing', label: 'Billing', icon: <CreditCard aria-hidden="true" /> },
];

function WorkspaceSwitcher({ me }: { me: Me }) {
  const workspaces = useWorkspaces();
  const switchTo = useSwitchWorkspace();
  const navigate = useNavigate();
  const items = workspaces.data?.items ?? [];
  if (!me.workspace) return null;
  if (items.length <= 1) {
    return (
      <div className="stack small">
        <span className="nav-section">Workspace</span>
        <span className="truncate" title={me.workspace.name}>
          {me.workspace.name}
        </span>
      </div>
    );
  }
  return (
    <div className="field">
      <label htmlFor="workspace-switcher" className="nav-section">
        Workspace
      </label>
      <select
        id="workspace-switcher"
        value={me.workspace.id}
        onChange={(e) => {
          switchTo(e.target.value);
          void navigate('/');
        }}
      >
        {items.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name} ({w.role})
          </option>
        ))}
      </select>
    </div>
  );
}

/** The payment-failed banner with its grace date, on every page while it applies. */
function PastDueBanner() {
  const billing = useBilling();
  const data = billing.data;
  if (!data?.banner) return null;
  const grace = data.graceUntil ? formatDate(data.graceUntil) : null;
  return (
    <div className="alert alert-warning" role="status">
      <span>
        {data.banner === 'payment_failed'
          ? `Your last payment failed. Update your payment method${grace ? ` before ${grace}` : ''} to keep ${data.planName}.`
          : 'The grace period after a failed payment has ended: paid features are paused until the payment goes through.'}
      </span>
      <NavLink to="/billing" className="btn btn-small">
        Go to billing
      </NavLink>
    </div>
  );
}

/** A user in no workspace (left or removed from every one) starts a new one here. */
function NoWorkspace() {
  const create = useCreateWorkspace();
  const [name, setName] = useState('');
  const errors = formErrors(create.error, ['name']);
  return (
    <section className="card stack" aria-labelledby="no-workspace">
      <h1 id="no-workspace">You are not in any workspace</h1>
      <p className="muted">
        Create one to make links and QR codes, or ask a colleague to invite you to theirs.
      </p>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(name.trim());
        }}
      >
        <FormError message={errors.summary} />
        <TextField
          label="Workspace name"
          required
          maxLength={100}
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errors.fields.name}
        />
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            Create workspace
          </button>
        </div>
      </form>
    </section>
  );
}

export function AppShell({ me }: { me: Me }) {
  const [menuOpen, setMenuOpen] = useState(false);
  const logout = useLogout();
  const navigate = useNavigate();
  const location = useLocation();
  const [lastPath, setLastPath] = useState(location.pathname);
  if (lastPath !== location.pathname) {
    setLastPath(location.pathname);
    setMenuOpen(false);
  }
  const navItem = (item: { to: string; label: string; icon: ReactNode; end?: boolean }) => (
    <NavLink key={item.to} to={item.to} end={item.end}>
      {item.icon}
      {item.label}
    </NavLink>
  );
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="sidebar">
        <NavLink to="/" className="brand" aria-label="qrlink home">
          <img src={logo} alt="" />
          qrlink
        </NavLink>
        <button
          type="button"
          className="btn btn-small menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="sidebar-panel"
          onClick={() => setMenuOpen((open) => !open)}
        >
          <Menu aria-hidden="true" size={18} />
          Menu
        </button>
        <div className="sidebar-panel" id="sidebar-panel" data-open={menuOpen}>
          <WorkspaceSwitcher me={me} />
          <nav className="nav" aria-label="Main">
            {NAV.map(navItem)}
            <span className="nav-section">Manage</span>
            {WORKSPACE_NAV.map(navItem)}
          </nav>
          <div className="sidebar-footer">
            <span className="user-email" title={me.user.email}>
              {me.user.name || me.user.email}
            </span>
            <button
              type="button"
              className="btn btn-small"
              disabled={logout.isPending}
              onClick={() => logout.mutate(undefined, { onSettled: () => void navigate('/login') })}
            >
              <LogOut aria-hidden="true" size={16} />
              Sign out
            </button>
          </div>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <div className="page">
          {me.workspace ? (
            <>
              <PastDueBanner />
              <Outlet />
            </>
          ) : (
            <NoWorkspace />
          )}
        </div>
      </main>
    </div>
  );
}
