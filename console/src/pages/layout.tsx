// The signed-in frame: navigation, the account switcher and sign-out around the current page.
import { useQueryClient } from '@tanstack/react-query';
import { Navigate, NavLink, Outlet, useNavigate } from 'react-router';
import { signOut } from '../api/session';
import { AccountProvider, useAccount } from '../components/account-context';
import { useMe, useSignedIn } from '../components/session-hooks';
import { Button, Problem } from '../components/ui';

function AccountSwitcher() {
  const me = useMe();
  const { accountId, choose } = useAccount();
  const memberships = me.data?.memberships ?? [];
  if (memberships.length === 0) return null;
  return (
    <div className="account-switcher">
      <label htmlFor="account-switcher">Account</label>
      <select id="account-switcher" value={accountId ?? ''} onChange={(event) => choose(event.target.value)}>
        {memberships.map((m) => (
          <option key={m.account_id} value={m.account_id}>
            {m.account_name} ({m.kind === 'personal' ? 'personal' : m.role})
          </option>
        ))}
      </select>
    </div>
  );
}

function Frame() {
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  async function leave() {
    await signOut();
    queryClient.clear();
    navigate('/sign-in');
  }
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Tollgate</span>
        <nav aria-label="Console">
          <NavLink to="/keys">API keys</NavLink>
          <NavLink to="/playground">Playground</NavLink>
          <NavLink to="/usage">Usage</NavLink>
          <NavLink to="/proxy-keys">Proxy Keys</NavLink>
          <NavLink to="/team">Team</NavLink>
          <NavLink to="/providers">Providers</NavLink>
          <NavLink to="/settings">Settings</NavLink>
          {me.data?.is_operator ? <NavLink to="/operator">Operator</NavLink> : null}
        </nav>
        <div className="who">
          <AccountSwitcher />
          <span className="muted">{me.data?.email}</span>
          <Button onPress={() => void leave()}>Sign out</Button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Problem error={me.error} />
        <Outlet />
      </main>
    </>
  );
}

export function Layout() {
  const signedIn = useSignedIn();
  if (!signedIn) return <Navigate to="/sign-in" replace />;
  return (
    <AccountProvider>
      <Frame />
    </AccountProvider>
  );
}
