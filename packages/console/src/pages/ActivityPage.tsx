import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api, query } from '../api.js';
import { useLive } from '../live.js';

export interface AuditEvent {
  seq: number;
  id: string;
  type: string;
  time: string;
  who: { agent?: { id: string; name?: string }; person?: string; user?: { id?: string; email?: string } };
  what: { tool?: string; action?: string; args?: unknown };
  where?: { door?: string };
  why?: { reasoning?: string; reasons?: string[]; rules?: { id: string }[] };
  outcome: { status: string; code?: string; detail?: string };
  session_id?: string;
  decision_id?: string;
  approval_id?: string;
}

interface ChainStatus {
  ok: boolean;
  head_seq: number;
  verified_from_seq: number;
  last_checkpoint?: { seq: number; at: string };
  problem?: string;
}

const OUTCOMES = ['', 'allowed', 'denied', 'escalated', 'approved', 'succeeded', 'failed', 'error'];
const TYPES = ['', 'decision', 'execution', 'approval', 'token', 'agent', 'policy', 'alert', 'admin'];
const FIELDS = ['agent', 'tool', 'session'] as const;
const PAGE = 50;

type Filters = Record<'agent' | 'tool' | 'session' | 'outcome' | 'type' | 'since', string>;
const EMPTY: Filters = { agent: '', tool: '', session: '', outcome: '', type: '', since: '' };

/** The audit log as a live stream of decisions, filtered and paged by the server. */
export function ActivityPage(props: { agent?: string | undefined }) {
  const initial = { ...EMPTY, agent: props.agent ?? '' };
  const [draft, setDraft] = useState<Filters>(initial);
  const [filters, setFilters] = useState<Filters>(initial);
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [next, setNext] = useState<string | undefined>();
  const [open, setOpen] = useState<number | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [status, setStatus] = useState<ChainStatus | undefined>();
  const paged = useRef(false);

  const load = useCallback(
    async (cursor?: string) => {
      try {
        const page = await api<{ events: AuditEvent[]; next_cursor?: string }>(
          'GET',
          `/v1/audit/events${query({ ...filters, limit: PAGE, cursor })}`,
        );
        setEvents((before) => (cursor ? [...before, ...page.events] : page.events));
        setNext(page.next_cursor);
        paged.current = cursor !== undefined;
        setError(undefined);
      } catch (err) {
        setError(err instanceof ApiError ? err.message : 'the activity could not be loaded');
      }
    },
    [filters],
  );
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    api<ChainStatus>('GET', '/v1/audit/status').then(setStatus, () => setStatus(undefined));
  }, []);
  // New events reload the first page (the server applies the filters); older pages stay put.
  useLive('audit', () => {
    if (!paged.current) void load();
  });

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
  };
  const exportQuery = (format: string) => `/v1/audit/export${query({ ...filters, format })}`;

  return (
    <section>
      <div className="heading-row">
        <h1>Activity</h1>
        {status && (
          <span className={`badge ${status.ok ? 'badge-ok' : 'badge-bad'}`} role="status">
            {status.ok
              ? `Chain verified to #${status.head_seq}${status.last_checkpoint ? ` · signed checkpoint #${status.last_checkpoint.seq} at ${new Date(status.last_checkpoint.at).toLocaleString()}` : ' · no signed checkpoint yet'}`
              : `Chain broken: ${status.problem ?? 'verification failed'}`}
          </span>
        )}
      </div>
      <form className="filters" onSubmit={apply} aria-label="Filters">
        {FIELDS.map((field) => (
          <label key={field}>
            {field[0]?.toUpperCase()}
            {field.slice(1)}
            <input value={draft[field]} onChange={(e) => setDraft({ ...draft, [field]: e.target.value })} />
          </label>
        ))}
        <label>
          Outcome
          <select value={draft.outcome} onChange={(e) => setDraft({ ...draft, outcome: e.target.value })}>
            {OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {o || 'any'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Type
          <select value={draft.type} onChange={(e) => setDraft({ ...draft, type: e.target.value })}>
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {t || 'any'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Since
          <select value={draft.since} onChange={(e) => setDraft({ ...draft, since: e.target.value })}>
            <option value="">any time</option>
            <option value="15m">15 minutes</option>
            <option value="1h">1 hour</option>
            <option value="24h">24 hours</option>
            <option value="7d">7 days</option>
          </select>
        </label>
        <button type="submit" className="primary">
          Filter
        </button>
        <a className="button" href={exportQuery('jsonl')} download>
          Export JSONL
        </a>
        <a className="button" href={exportQuery('ocsf')} download>
          Export OCSF
        </a>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <table className="grid events" aria-label="Audit events">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Time</th>
            <th scope="col">Type</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">Outcome</th>
            <th scope="col">Session</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <EventRow
              key={e.seq}
              event={e}
              open={open === e.seq}
              onToggle={() => setOpen(open === e.seq ? undefined : e.seq)}
            />
          ))}
        </tbody>
      </table>
      {events.length === 0 && !error && <p className="empty">No events match.</p>}
      {next && (
        <button type="button" onClick={() => void load(next)}>
          Older events
        </button>
      )}
    </section>
  );
}

function EventRow(props: { event: AuditEvent; open: boolean; onToggle: () => void }) {
  const e = props.event;
  const who = e.who.agent?.name ?? e.who.agent?.id ?? e.who.person ?? '—';
  return (
    <>
      <tr data-seq={e.seq} className={`outcome-${e.outcome.status}`}>
        <td>
          <button type="button" className="link" aria-expanded={props.open} onClick={props.onToggle}>
            {e.seq}
          </button>
        </td>
        <td>{new Date(e.time).toLocaleTimeString()}</td>
        <td>{e.type}</td>
        <td>{who}</td>
        <td>
          <code>{e.what.tool ?? e.what.action ?? ''}</code>
        </td>
        <td>
          {e.outcome.status}
          {e.outcome.code && <span className="muted"> ({e.outcome.code})</span>}
        </td>
        <td>
          {e.session_id ? <a href={`#/sessions/${encodeURIComponent(e.session_id)}`}>{e.session_id}</a> : ''}
        </td>
      </tr>
      {props.open && (
        <tr>
          <td colSpan={7}>
            <pre className="args">{JSON.stringify(e, null, 2)}</pre>
          </td>
        </tr>
      )}
    </>
  );
}
