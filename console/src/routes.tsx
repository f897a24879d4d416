// The console's pages. Signed-out visitors reach sign-in and sign-up only.
import { Navigate, type RouteObject } from 'react-router';
import { Layout } from './pages/layout';
import { KeysPage } from './pages/keys-page';
import { OperatorPage } from './pages/operator-page';
import { PlaygroundPage } from './pages/playground-page';
import { ProvidersPage } from './pages/providers-page';
import { ProxyKeysPage } from './pages/proxy-keys-page';
import { SettingsPage } from './pages/settings-page';
import { SignInPage, SignUpPage } from './pages/sign-in-page';
import { TeamPage } from './pages/team-page';

export const routes: RouteObject[] = [
  { path: '/sign-in', element: <SignInPage /> },
  { path: '/sign-up', element: <SignUpPage /> },
  {
    path: '/',
    element: <Layout />,
    children: [
      { index: true, element: <Navigate to="/keys" replace /> },
      { path: 'keys', element: <KeysPage /> },
      { path: 'playground', element: <PlaygroundPage /> },
      // The charts (ECharts) load with the usage page only.
      { path: 'usage', lazy: async () => ({ Component: (await import('./pages/usage-page')).UsagePage }) },
      { path: 'proxy-keys', element: <ProxyKeysPage /> },
      { path: 'team', element: <TeamPage /> },
      { path: 'providers', element: <ProvidersPage /> },
      { path: 'settings', element: <SettingsPage /> },
      { path: 'operator', element: <OperatorPage /> },
      { path: '*', element: <p>No such page.</p> },
    ],
  },
];
