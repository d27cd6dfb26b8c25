import { useEffect, useState } from 'react';
import { ApiError, api } from '../api.js';

interface Source {
  path: string;
  value: string;
  from_decision_id: string;
  from_tool: string;
}
interface Call {
  decision_id: string;
  time: string;
  tool: string;
  args?: unknown;
  reasoning?: string;
  decision: { status: string; code?: string; reasons?: string[]; rules?: string[] };
  approval?: { id: string; steps: { time: string; action: string; by?: string; detail?: string }[] };
  outcome?: { status: string; detail?: string; duration_ms?: number; output?: unknown };
  sources: Source[];
}
interface Recording {
  session_id: string;
  agent?: { id: string; name?: string; owner?: string };
  started_at?: string;
  ended_at?: string;
  calls: Call[];
  truncated?: boolean;
}

/** One session as a timeline, with where each argument value came from drawn onto it. */
export function SessionPage(props: { id: string }) {
  const [recording, setRecording] = useState<Recording | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    api<Recording>('GET', `/v1/sessions/${encodeURIComponent(props.id)}`).then(setRecording, (err: unknown) =>
      setError(err instanceof ApiError ? err.message : 'the session could not be loaded'),
    );
  }, [props.id]);

  if (error)
    return (
      <p role="alert" className="error">
        {error}
      </p>
    );
  if (!recording) return <p>Loading…</p>;
  const index = new Map(recording.calls.map((c, i) => [c.decision_id, i + 1]));
  return (
    <section>
      <h1>Session {recording.session_id}</h1>
      <p className="muted">
        {recording.agent?.name ?? recording.agent?.id ?? 'unknown agent'}
        {recording.agent?.owner && ` (owner ${recording.agent.owner})`} · {recording.calls.length} call(s)
        {recording.started_at && ` · ${new Date(recording.started_at).toLocaleString()}`}
        {recording.truncated && ' · only the first events are shown'}
      </p>
      <ol className="timeline">
        {recording.calls.map((call, i) => (
          <li key={call.decision_id} id={`call-${i + 1}`} className={`call decision-${call.decision.status}`}>
            <h2>
              <span className="step">{i + 1}</span> <code>{call.tool}</code>{' '}
              <span className={`status status-${call.decision.status}`}>{call.decision.status}</span>
              <span className="muted"> {new Date(call.time).toLocaleTimeString()}</span>
            </h2>
            {call.reasoning && <p className="muted">Why: {call.reasoning}</p>}
            <pre className="args">{JSON.stringify(call.args ?? {}, null, 2)}</pre>
            {call.sources.length > 0 && (
              <ul className="sources" aria-label={`Where the arguments of call ${i + 1} came from`}>
                {call.sources.map((s) => (
                  <li key={`${s.path}-${s.from_decision_id}`}>
                    <span className="arrow" aria-hidden="true">
                      ↖
                    </span>{' '}
                    <code>{s.path}</code> “{s.value}” came from the output of{' '}
                    <a
                      href={`#/sessions/${encodeURIComponent(recording.session_id)}`}
                      onClick={(e) => {
                        e.preventDefault();
                        document.getElementById(`call-${index.get(s.from_decision_id)}`)?.scrollIntoView();
                      }}
                    >
                      call {index.get(s.from_decision_id)} ({s.from_tool})
                    </a>
                  </li>
                ))}
              </ul>
            )}
            {call.decision.status !== 'allowed' && (
              <div className="why-held">
                <strong>
                  {call.decision.status === 'denied' ? 'Denied' : 'Held'}
                  {call.decision.code && ` (${call.decision.code})`}
                </strong>
                {call.decision.rules && call.decision.rules.length > 0 && (
                  <> by {call.decision.rules.join(', ')}</>
                )}
                <ul>
                  {call.decision.reasons?.map((r) => (
                    <li key={r}>{r}</li>
                  ))}
                </ul>
              </div>
            )}
            {call.approval && (
              <ul className="approval-steps">
                {call.approval.steps.map((step) => (
                  <li key={`${step.time}-${step.action}`}>
                    {step.action}
                    {step.by && ` by ${step.by}`}
                    {step.detail && `: ${step.detail}`}
                  </li>
                ))}
              </ul>
            )}
            {call.outcome && (
              <p>
                Outcome: {call.outcome.status}
                {call.outcome.duration_ms !== undefined && ` in ${call.outcome.duration_ms} ms`}
                {call.outcome.detail && ` — ${call.outcome.detail}`}
              </p>
            )}
            {call.outcome?.output !== undefined && (
              <details>
                <summary>Output (as recorded)</summary>
                <pre className="args">{JSON.stringify(call.outcome.output, null, 2)}</pre>
              </details>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
