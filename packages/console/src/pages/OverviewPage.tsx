import { useCallback, useEffect, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ApiError, api } from '../api.js';
import { useLive } from '../live.js';

interface Overview {
  window: string;
  decisions_per_minute: { minute: string; outcome: string; count: number }[];
  top_denying_rules: { rule: string; count: number }[];
  approval_wait_seconds: number[];
  injection_events: number;
}
interface Readiness {
  upstreams?: Record<string, { state?: string; status?: string; error?: string } | string>;
}

/** Colours per outcome, each 4.5:1 or more against white for its legend text. */
const OUTCOME_COLOURS: Record<string, string> = {
  allowed: '#146c2e',
  denied: '#b3261e',
  escalated: '#8a4b00',
  approved: '#0b57d0',
};
const WAIT_BUCKETS = [
  { label: '< 1 min', max: 60 },
  { label: '1–5 min', max: 300 },
  { label: '5–30 min', max: 1800 },
  { label: '30 min – 4 h', max: 14_400 },
  { label: '> 4 h', max: Number.POSITIVE_INFINITY },
];

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Charts of what the gate has been doing: decisions, refusals, waits, detections, upstreams. */
export function OverviewPage() {
  const [window, setWindow] = useState('1h');
  const [data, setData] = useState<Overview | undefined>();
  const [ready, setReady] = useState<Readiness | undefined>();
  const [error, setError] = useState<string | undefined>();

  const load = useCallback(async () => {
    try {
      setData(await api<Overview>('GET', `/v1/overview?window=${window}`));
      setError(undefined);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'the overview could not be loaded');
    }
    // Readiness answers 503 with its body when something is wrong: the upstreams are in it either way.
    fetch('/readyz')
      .then((r) => r.json() as Promise<Readiness>)
      .then(setReady, () => setReady(undefined));
  }, [window]);
  useEffect(() => {
    void load();
  }, [load]);
  useLive('approval', load);

  const minutes = new Map<string, Record<string, number | string>>();
  for (const row of data?.decisions_per_minute ?? []) {
    const label = new Date(row.minute).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    const bucket = minutes.get(row.minute) ?? { minute: label };
    bucket[row.outcome] = row.count;
    minutes.set(row.minute, bucket);
  }
  const perMinute = [...minutes.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, v]) => v);
  const outcomes = [...new Set((data?.decisions_per_minute ?? []).map((r) => r.outcome))];
  const waits = WAIT_BUCKETS.map((bucket, i) => ({
    label: bucket.label,
    approvals: (data?.approval_wait_seconds ?? []).filter(
      (s) => s < bucket.max && s >= (i === 0 ? 0 : (WAIT_BUCKETS[i - 1]?.max ?? 0)),
    ).length,
  }));
  const medianWait = median(data?.approval_wait_seconds ?? []);
  const upstreams = Object.entries(ready?.upstreams ?? {});

  return (
    <section>
      <div className="heading-row">
        <h1>Overview</h1>
        <label className="inline">
          Window{' '}
          <select value={window} onChange={(e) => setWindow(e.target.value)}>
            <option value="15m">15 minutes</option>
            <option value="1h">1 hour</option>
            <option value="6h">6 hours</option>
            <option value="24h">24 hours</option>
          </select>
        </label>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="cards">
        <div className="card">
          <span className="big">{(data?.decisions_per_minute ?? []).reduce((n, r) => n + r.count, 0)}</span>{' '}
          decisions
        </div>
        <div className="card">
          <span className="big">{data?.injection_events ?? 0}</span> events with a suspected injection
        </div>
        <div className="card">
          <span className="big">{medianWait === undefined ? '—' : `${Math.round(medianWait / 60)} min`}</span>{' '}
          median approval wait
        </div>
        <div className="card">
          <span className="big">{upstreams.length}</span> upstream(s)
        </div>
      </div>
      <div className="charts">
        <figure>
          <figcaption>Decisions per minute, by outcome</figcaption>
          <ResponsiveContainer width="100%" height={240}>
            <BarChart data={perMinute}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="minute" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Legend />
              {outcomes.map((o) => (
                <Bar
                  key={o}
                  dataKey={o}
                  stackId="outcome"
                  fill={OUTCOME_COLOURS[o] ?? '#4f5660'}
                  isAnimationActive={false}
                />
              ))}
            </BarChart>
          </ResponsiveContainer>
        </figure>
        <figure>
          <figcaption>Rules that denied most</figcaption>
          <ResponsiveContainer width="100%" height={240}>
            <BarChart data={data?.top_denying_rules ?? []} layout="vertical" margin={{ left: 8, right: 16 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis type="number" allowDecimals={false} />
              <YAxis type="category" dataKey="rule" width={230} />
              <Tooltip />
              <Bar dataKey="count" fill="#b3261e" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </figure>
        <figure>
          <figcaption>How long approvals waited for people</figcaption>
          <ResponsiveContainer width="100%" height={240}>
            <BarChart data={waits}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="label" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Bar dataKey="approvals" fill="#0b57d0" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </figure>
        <figure>
          <figcaption>Upstream health</figcaption>
          {upstreams.length === 0 ? (
            <p className="muted">No MCP upstreams configured.</p>
          ) : (
            <ul>
              {upstreams.map(([name, state]) => (
                <li key={name}>
                  <code>{name}</code>:{' '}
                  {typeof state === 'string' ? state : (state.state ?? state.status ?? JSON.stringify(state))}
                </li>
              ))}
            </ul>
          )}
        </figure>
      </div>
    </section>
  );
}
