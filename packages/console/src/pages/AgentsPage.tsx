import { useCallback, useEffect, useState } from 'react';
import { ApiError, api, type SessionInfo } from '../api.js';

interface Agent {
  id: string;
  name: string;
  owner: string;
  grants: string[];
  status: string;
  source: string;
  last_seen_at?: string;
}

type Action = 'suspend' | 'resume' | 'quarantine' | 'rotate';

/** What each action does, said before it is done. */
const CONSEQUENCES: Record<Action, string> = {
  suspend: 'Every live token of this agent stops working at once, and it gets no new ones until resumed.',
  quarantine:
    'Every live token of this agent, and of the agents it delegated to, stops working at once; it stays isolated until an admin resumes it.',
  resume: 'The agent may get tokens again. Tokens that were cut off stay dead.',
  rotate:
    'A new client secret is shown once. The old secret keeps working for the grace period (24h by default), then stops.',
};

/** The agents inventory, and the lifecycle actions for admins. */
export function AgentsPage(props: { session: SessionInfo }) {
  const [agents, setAgents] = useState<Agent[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [pending, setPending] = useState<{ agent: Agent; action: Action } | undefined>();
  const [result, setResult] = useState<string | undefined>();
  const isAdmin = props.session.roles.includes('admin');
  const canReadActivity = isAdmin || props.session.roles.includes('auditor');

  const load = useCallback(async () => {
    try {
      setAgents((await api<{ agents: Agent[] }>('GET', '/v1/agents')).agents);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'the agents could not be loaded');
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const confirm = async () => {
    if (!pending) return;
    const { agent, action } = pending;
    setPending(undefined);
    try {
      const answer = await api<{ client_secret?: string; status?: string }>(
        'POST',
        `/v1/agents/${agent.id}/${action}`,
      );
      setResult(
        action === 'rotate'
          ? `New client secret for ${agent.name} (shown once): ${answer.client_secret}`
          : `${agent.name} is now ${answer.status}.`,
      );
      await load();
    } catch (err) {
      setResult(err instanceof ApiError ? err.message : 'the change was not made');
    }
  };

  return (
    <section>
      <h1>Agents</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {result && (
        <p role="status" className="notice">
          {result}
        </p>
      )}
      {pending && (
        <div
          role="alertdialog"
          aria-labelledby="confirm-title"
          aria-describedby="confirm-text"
          className="confirm"
        >
          <h2 id="confirm-title">
            {pending.action[0]?.toUpperCase()}
            {pending.action.slice(1)} {pending.agent.name}?
          </h2>
          <p id="confirm-text">{CONSEQUENCES[pending.action]}</p>
          <div className="actions">
            <button type="button" className="danger" onClick={() => void confirm()}>
              Yes, {pending.action} {pending.agent.name}
            </button>
            <button type="button" onClick={() => setPending(undefined)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      <table className="grid">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Owner</th>
            <th scope="col">Grants</th>
            <th scope="col">Source</th>
            <th scope="col">Last seen</th>
            {isAdmin && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {agents?.map((a) => (
            <tr key={a.id} data-agent={a.name}>
              <th scope="row">
                {a.name}
                {canReadActivity && (
                  <div>
                    <a href={`#/activity/agent/${encodeURIComponent(a.name)}`}>recent activity</a>
                  </div>
                )}
              </th>
              <td>
                <span className={`status status-${a.status}`}>{a.status}</span>
              </td>
              <td>{a.owner}</td>
              <td>
                <code>{a.grants.join(', ')}</code>
              </td>
              <td>{a.source}</td>
              <td>{a.last_seen_at ? new Date(a.last_seen_at).toLocaleString() : '—'}</td>
              {isAdmin && (
                <td className="actions">
                  {a.status === 'active' ? (
                    <>
                      <button type="button" onClick={() => setPending({ agent: a, action: 'suspend' })}>
                        Suspend
                      </button>
                      <button
                        type="button"
                        className="danger"
                        onClick={() => setPending({ agent: a, action: 'quarantine' })}
                      >
                        Quarantine
                      </button>
                    </>
                  ) : (
                    a.status !== 'retired' && (
                      <button type="button" onClick={() => setPending({ agent: a, action: 'resume' })}>
                        Resume
                      </button>
                    )
                  )}
                  {a.source === 'api' && (
                    <button type="button" onClick={() => setPending({ agent: a, action: 'rotate' })}>
                      Rotate
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
