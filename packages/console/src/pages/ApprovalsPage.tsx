import { useCallback, useEffect, useState } from 'react';
import { ApiError, api, query, type SessionInfo } from '../api.js';
import { useLive } from '../live.js';

interface Requirement {
  rule: string;
  approvers: number;
  groups: string[];
  approved_by: string[];
  denied_by: string[];
}
interface Approval {
  id: string;
  status: string;
  agent: { id: string; name: string; owner?: string };
  user?: { id?: string; email?: string };
  tool: string;
  args: unknown;
  reasoning?: string;
  rules: { id: string; effect: string; message?: string }[];
  requirements: Requirement[];
  votes: { email: string; vote: string; comment?: string; at: string }[];
  time_left_s?: number;
  created_at: string;
  outcome?: string;
}
interface Closest {
  closest: { id: string; args: unknown; created_at: string } | null;
  changes: { path: string; before?: unknown; after?: unknown }[];
}

const PAGE = 50;

/** Comments survive a page reload and an expired session: they are the person's words. */
const draftKey = (id: string) => `gatehouse.comment.${id}`;

function timeLeft(seconds: number | undefined): string {
  if (seconds === undefined) return '';
  if (seconds < 60) return `${seconds}s left`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m left`;
  return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m left`;
}

/** The approvals inbox: pending actions, everything needed to judge them, and the vote. */
export function ApprovalsPage(_props: { session: SessionInfo }) {
  const [approvals, setApprovals] = useState<Approval[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [selected, setSelected] = useState<string | undefined>();
  // Kept here, not in the detail: a decided approval leaves the inbox, its outcome must not.
  const [result, setResult] = useState<VoteResult | undefined>();

  const [next, setNext] = useState<string | undefined>();
  // The first page reloads on every change; older pages are fetched on request (server-side paging).
  const load = useCallback(async (cursor?: string) => {
    try {
      const page = await api<{ approvals: Approval[]; next_cursor?: string }>(
        'GET',
        `/v1/approvals${query({ status: 'pending', limit: PAGE, cursor })}`,
      );
      setApprovals((before) => (cursor ? [...(before ?? []), ...page.approvals] : page.approvals));
      setNext(page.next_cursor);
      setError(undefined);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'the approvals could not be loaded');
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  useLive('approval', () => load());

  const current = approvals?.find((a) => a.id === selected) ?? approvals?.[0];
  return (
    <section className="split">
      <section className="list" aria-label="Pending approvals">
        <h1>Approvals</h1>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {approvals?.length === 0 && <p className="empty">Nothing waits for a decision.</p>}
        <ul>
          {approvals?.map((a) => (
            <li key={a.id}>
              <button
                type="button"
                className={`row${a.id === current?.id ? ' selected' : ''}`}
                aria-pressed={a.id === current?.id}
                onClick={() => setSelected(a.id)}
              >
                <strong>{a.tool}</strong> <span>{a.agent.name}</span>
                <span className="muted">{timeLeft(a.time_left_s)}</span>
              </button>
            </li>
          ))}
        </ul>
        {next && (
          <button type="button" onClick={() => void load(next)}>
            Older approvals
          </button>
        )}
      </section>
      <div className="detail-column">
        {result && (
          <p
            role={result.kind === 'ok' ? 'status' : 'alert'}
            className={result.kind === 'ok' ? 'notice' : 'error'}
          >
            {result.text}
          </p>
        )}
        {current && (
          <ApprovalDetail
            key={current.id}
            approval={current}
            onVoted={async (outcome) => {
              setResult(outcome);
              await load();
            }}
          />
        )}
      </div>
    </section>
  );
}

interface VoteResult {
  kind: 'ok' | 'refused';
  text: string;
}

function ApprovalDetail(props: { approval: Approval; onVoted: (result: VoteResult) => Promise<void> }) {
  const a = props.approval;
  const [comment, setComment] = useState(() => sessionStorage.getItem(draftKey(a.id)) ?? '');
  const [closest, setClosest] = useState<Closest | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api<Closest>('GET', `/v1/approvals/${a.id}/closest`).then(setClosest, () => setClosest(undefined));
  }, [a.id]);

  const keep = (text: string) => {
    setComment(text);
    sessionStorage.setItem(draftKey(a.id), text);
  };
  const vote = async (how: 'approve' | 'deny') => {
    setBusy(true);
    try {
      const after = await api<Approval>('POST', `/v1/approvals/${a.id}/${how}`, comment ? { comment } : {});
      sessionStorage.removeItem(draftKey(a.id));
      await props.onVoted({
        kind: 'ok',
        text:
          after.status === 'pending'
            ? `Your ${how === 'approve' ? 'approval' : 'denial'} of ${a.tool} is recorded; more votes are needed.`
            : `Your vote is recorded: ${a.tool} by ${a.agent.name} is now ${after.status}.`,
      });
    } catch (err) {
      // A refusal is explained in the server's words: separation of duty, another person was faster.
      await props.onVoted({
        kind: 'refused',
        text: `Your vote was not counted: ${err instanceof ApiError ? err.message : 'it could not be sent'}.`,
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <article className="detail" aria-labelledby={`title-${a.id}`}>
      <h2 id={`title-${a.id}`}>
        {a.tool} <span className="muted">by {a.agent.name}</span>
      </h2>
      <dl className="facts">
        <dt>Agent</dt>
        <dd>
          {a.agent.name} {a.agent.owner && <span className="muted">(owner {a.agent.owner})</span>}
        </dd>
        {a.user && (
          <>
            <dt>Acting for</dt>
            <dd>{a.user.email ?? a.user.id}</dd>
          </>
        )}
        <dt>Reasoning</dt>
        <dd>{a.reasoning ?? <span className="muted">none given</span>}</dd>
        <dt>Time left</dt>
        <dd>{timeLeft(a.time_left_s)}</dd>
      </dl>
      <h3>Why it needs a person</h3>
      <ul className="rules">
        {a.rules.map((r) => (
          <li key={r.id}>
            <code>{r.id}</code> {r.message}
          </li>
        ))}
      </ul>
      <h3>Progress</h3>
      <ul className="requirements">
        {a.requirements.map((r) => (
          <li key={r.rule} data-rule={r.rule}>
            {r.approved_by.length} of {r.approvers}
            {r.groups.length > 0 && ` from ${r.groups.join(' or ')}`}
            {r.approved_by.length > 0 && (
              <span className="muted"> — approved by {r.approved_by.join(', ')}</span>
            )}
          </li>
        ))}
      </ul>
      <h3>Arguments</h3>
      <pre className="args">{JSON.stringify(a.args, null, 2)}</pre>
      <h3>Compared with the closest approved action</h3>
      {closest?.closest ? (
        <table className="diff" aria-label="Differences from the closest approved action">
          <thead>
            <tr>
              <th scope="col">Argument</th>
              <th scope="col">Approved before ({new Date(closest.closest.created_at).toLocaleString()})</th>
              <th scope="col">Asked now</th>
            </tr>
          </thead>
          <tbody>
            {closest.changes.length === 0 && (
              <tr>
                <td colSpan={3}>The same arguments were approved before.</td>
              </tr>
            )}
            {closest.changes.map((c) => (
              <tr key={c.path}>
                <th scope="row">
                  <code>{c.path}</code>
                </th>
                <td className="removed">{c.before === undefined ? '—' : JSON.stringify(c.before)}</td>
                <td className="added">{c.after === undefined ? '—' : JSON.stringify(c.after)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No earlier approved action of this agent and tool.</p>
      )}
      {a.votes.length > 0 && (
        <>
          <h3>Votes</h3>
          <ul>
            {a.votes.map((v) => (
              <li key={v.email}>
                {v.email}: {v.vote}
                {v.comment && ` — “${v.comment}”`}
              </li>
            ))}
          </ul>
        </>
      )}
      <label htmlFor={`comment-${a.id}`}>Comment</label>
      <textarea
        id={`comment-${a.id}`}
        value={comment}
        maxLength={2000}
        onChange={(e) => keep(e.target.value)}
      />
      <div className="actions">
        <button type="button" className="primary" disabled={busy} onClick={() => void vote('approve')}>
          Approve
        </button>
        <button type="button" className="danger" disabled={busy} onClick={() => void vote('deny')}>
          Deny
        </button>
      </div>
    </article>
  );
}
