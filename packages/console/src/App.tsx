import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { api, configureApi, type SessionInfo } from './api.js';
import { ActivityPage } from './pages/ActivityPage.js';
import { AgentsPage } from './pages/AgentsPage.js';
import { ApprovalsPage } from './pages/ApprovalsPage.js';
import { EnrolPage } from './pages/EnrolPage.js';
import { PolicyPage } from './pages/PolicyPage.js';
import { SessionPage } from './pages/SessionPage.js';
import { SignInPage } from './pages/SignInPage.js';
import { ToolsPage } from './pages/ToolsPage.js';
import { useRoute } from './route.js';

// The charts library is loaded only by the page that draws charts.
const OverviewPage = lazy(() => import('./pages/OverviewPage.js').then((m) => ({ default: m.OverviewPage })));

/** The pages, and the roles that may read them (the API checks again). */
const PAGES: readonly { path: string; title: string; roles?: readonly string[] }[] = [
  { path: 'overview', title: 'Overview', roles: ['auditor', 'admin'] },
  { path: 'approvals', title: 'Approvals' },
  { path: 'activity', title: 'Activity', roles: ['auditor', 'admin'] },
  { path: 'agents', title: 'Agents' },
  { path: 'tools', title: 'Tools' },
  { path: 'policy', title: 'Policy' },
];

/** The console: sign-in, then the pages a person's roles allow (the API checks them again). */
export function App() {
  const route = useRoute();
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>();

  const load = useCallback(async () => {
    try {
      const info = await api<SessionInfo>('GET', '/v1/session');
      configureApi({ csrfToken: info.csrf_token });
      setSession(info);
    } catch {
      configureApi({ csrfToken: undefined });
      setSession(null);
    }
  }, []);

  useEffect(() => {
    configureApi({
      onSignedOut: () => {
        configureApi({ csrfToken: undefined });
        setNotice('Your session has ended. Sign in again; what you typed is kept.');
        setSession(null);
      },
    });
    void load();
  }, [load]);

  if (route[0] === 'enrol' && route[1]) return <EnrolPage token={route[1]} onDone={load} />;
  if (session === undefined) return <p className="loading">Loading…</p>;
  if (session === null) return <SignInPage notice={notice} onSignedIn={load} />;

  const page = route[0] ?? 'approvals';
  const signOut = async () => {
    await api('DELETE', '/v1/session').catch(() => undefined);
    setNotice(undefined);
    setSession(null);
  };
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">Gatehouse</span>
        <nav aria-label="Pages">
          {PAGES.filter((p) => !p.roles || p.roles.some((r) => session.roles.includes(r))).map((p) => (
            <a key={p.path} href={`#/${p.path}`} aria-current={page === p.path ? 'page' : undefined}>
              {p.title}
            </a>
          ))}
        </nav>
        <span className="who">
          {session.email} <span className="roles">({session.roles.join(', ')})</span>
          <button type="button" className="link" onClick={() => void signOut()}>
            Sign out
          </button>
        </span>
      </header>
      <main>
        {page === 'overview' && (
          <Suspense fallback={<p>Loading…</p>}>
            <OverviewPage />
          </Suspense>
        )}
        {page === 'approvals' && <ApprovalsPage session={session} />}
        {page === 'activity' && (
          <ActivityPage key={route.join('/')} agent={route[1] === 'agent' ? route[2] : undefined} />
        )}
        {page === 'sessions' && route[1] && <SessionPage id={route[1]} />}
        {page === 'agents' && <AgentsPage session={session} />}
        {page === 'tools' && <ToolsPage session={session} />}
        {page === 'policy' && <PolicyPage session={session} />}
        {!PAGES.some((p) => p.path === page) && page !== 'sessions' && <p>No page “{page}”.</p>}
      </main>
    </div>
  );
}
