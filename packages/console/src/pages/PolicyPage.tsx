import { diffLines } from 'diff';
import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, api, type SessionInfo } from '../api.js';
import { Problem } from '../Problem.js';
import { DraftRule } from './DraftRule.js';

interface ActivePolicy {
  hash: string;
  loaded_at: string;
  rules: { id: string; effect: string; description?: string }[];
  agents: string[];
  tools: string[];
  tests: { name: string; passed: boolean; expected: string; actual: string; failure?: string }[];
  warnings: number;
}
interface Version {
  id: number;
  hash: string;
  activated_at: string;
  activated_by: string;
  files: string[];
  active: boolean;
}
interface VersionSources {
  id: number;
  sources: { name: string; text: string }[];
}
interface Explanation {
  decision: { effect: string; code: string; reasons: string[] };
  rules: { id: string; effect: string; applied: boolean; why: string }[];
}

/**
 * The active policy, its history and differences, its tests, an explain playground, and rules
 * drafted from plain English.
 */
export function PolicyPage(props: { session: SessionInfo }) {
  const [policy, setPolicy] = useState<ActivePolicy | undefined>();
  const [versions, setVersions] = useState<Version[]>([]);
  const [error, setError] = useState<string | undefined>();
  // Bumped when a drafted rule is adopted: the page reads the new policy and its history.
  const [generation, setGeneration] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: generation is the reload trigger
  useEffect(() => {
    api<ActivePolicy>('GET', '/v1/policy').then(setPolicy, (err: unknown) =>
      setError(err instanceof ApiError ? err.message : 'the policy could not be loaded'),
    );
    api<{ versions: Version[] }>('GET', '/v1/policy/versions').then(
      (v) => setVersions(v.versions),
      () => setVersions([]),
    );
  }, [generation]);
  if (error)
    return (
      <p role="alert" className="error">
        {error}
      </p>
    );
  if (!policy) return <p>Loading…</p>;
  const failed = policy.tests.filter((t) => !t.passed).length;
  return (
    <section>
      <h1>Policy</h1>
      <p>
        Active version <code>{policy.hash.slice(0, 16)}</code>, loaded{' '}
        {new Date(policy.loaded_at).toLocaleString()}: {policy.rules.length} rules, {policy.tools.length}{' '}
        tools, {policy.agents.length} declared agents
        {policy.warnings > 0 && `, ${policy.warnings} warning(s)`}.
      </p>
      <Playground policy={policy} />
      <DraftRule
        isAdmin={props.session.roles.includes('admin')}
        onAdopted={() => setGeneration((g) => g + 1)}
      />
      <h2>
        Tests: {policy.tests.length - failed} passed, {failed} failed
      </h2>
      <ul className="tests" aria-label="Policy tests">
        {policy.tests.map((t) => (
          <li key={t.name} className={t.passed ? 'pass' : 'fail'}>
            {t.passed ? '✓' : '✗'} {t.name}
            {t.failure && <span className="error-text"> — {t.failure}</span>}
          </li>
        ))}
      </ul>
      <History versions={versions} />
      <h2>Rules</h2>
      <table className="grid">
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Effect</th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {policy.rules.map((r) => (
            <tr key={r.id}>
              <th scope="row">
                <code>{r.id}</code>
              </th>
              <td>{r.effect}</td>
              <td>{r.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Playground(props: { policy: ActivePolicy }) {
  const [agent, setAgent] = useState(props.policy.agents[0] ?? '');
  const [tool, setTool] = useState(props.policy.tools[0] ?? '');
  const [args, setArgs] = useState('{}');
  const [result, setResult] = useState<Explanation | undefined>();
  const [problem, setProblem] = useState<string | undefined>();

  const run = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(args);
    } catch {
      setProblem('The arguments are not valid JSON.');
      return;
    }
    try {
      setResult(await api<Explanation>('POST', '/v1/policy/explain', { agent, tool, args: parsed }));
    } catch (err) {
      setProblem(err instanceof ApiError ? err.message : 'the explanation could not be computed');
    }
  };
  return (
    <form className="playground" onSubmit={(e) => void run(e)} aria-labelledby="playground-title">
      <h2 id="playground-title">Explain a call</h2>
      <div className="filters">
        <label>
          Agent
          <input list="policy-agents" value={agent} onChange={(e) => setAgent(e.target.value)} />
          <datalist id="policy-agents">
            {props.policy.agents.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </label>
        <label>
          Tool
          <input list="policy-tools" value={tool} onChange={(e) => setTool(e.target.value)} />
          <datalist id="policy-tools">
            {props.policy.tools.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </label>
      </div>
      <label htmlFor="playground-args">Arguments (JSON)</label>
      <textarea id="playground-args" value={args} onChange={(e) => setArgs(e.target.value)} />
      <div className="actions">
        <button type="submit" className="primary">
          Explain
        </button>
      </div>
      <Problem text={problem} />
      {result && (
        <div role="status" className="explanation">
          <p>
            <strong>Decision: {result.decision.effect}</strong> ({result.decision.code})
          </p>
          <ul>
            {result.decision.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
          <table className="grid" aria-label="Every rule's verdict">
            <tbody>
              {result.rules.map((r) => (
                <tr key={r.id} className={r.applied ? 'applied' : ''}>
                  <td>{r.applied ? '✓' : '·'}</td>
                  <th scope="row">
                    <code>{r.id}</code>
                  </th>
                  <td>{r.effect}</td>
                  <td>{r.why}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </form>
  );
}

function History(props: { versions: Version[] }) {
  const [from, setFrom] = useState<number | undefined>();
  const [diff, setDiff] =
    useState<{ name: string; parts: { value: string; added?: boolean; removed?: boolean }[] }[]>();
  const [problem, setProblem] = useState<string | undefined>();
  const active = props.versions.find((v) => v.active);

  const compare = async (id: number) => {
    if (!active) return;
    setFrom(id);
    setProblem(undefined);
    try {
      const [before, after] = await Promise.all([
        api<VersionSources>('GET', `/v1/policy/versions/${id}`),
        api<VersionSources>('GET', `/v1/policy/versions/${active.id}`),
      ]);
      const names = [...new Set([...before.sources, ...after.sources].map((s) => s.name))].sort();
      setDiff(
        names.map((name) => ({
          name,
          parts: diffLines(
            before.sources.find((s) => s.name === name)?.text ?? '',
            after.sources.find((s) => s.name === name)?.text ?? '',
          ),
        })),
      );
    } catch (err) {
      setProblem(err instanceof ApiError ? err.message : 'the versions could not be compared');
    }
  };

  return (
    <>
      <h2>History</h2>
      <table className="grid" aria-label="Policy versions">
        <thead>
          <tr>
            <th scope="col">Activated</th>
            <th scope="col">Version</th>
            <th scope="col">By</th>
            <th scope="col">Files</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {props.versions.map((v) => (
            <tr key={v.id}>
              <td>{new Date(v.activated_at).toLocaleString()}</td>
              <td>
                <code>{v.hash.slice(0, 12)}</code>{' '}
                {v.active && <span className="status status-active">active</span>}
              </td>
              <td>{v.activated_by}</td>
              <td>{v.files.join(', ')}</td>
              <td>
                {!v.active && (
                  <button type="button" onClick={() => void compare(v.id)}>
                    Compare with active
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Problem text={problem} />
      {diff && from !== undefined && (
        <section aria-label="Differences between versions">
          {diff.map((file) => (
            <div key={file.name}>
              <h3>{file.name}</h3>
              <pre className="args policy-diff">
                {withOffsets(file.parts).map(({ part, at }) => (
                  <span
                    key={`${file.name}-${at}`}
                    className={part.added ? 'added' : part.removed ? 'removed' : 'same'}
                  >
                    {part.value
                      .replace(/\n$/, '')
                      .split('\n')
                      .map((line) => `${part.added ? '+' : part.removed ? '-' : ' '} ${line}`)
                      .join('\n')}
                    {'\n'}
                  </span>
                ))}
              </pre>
            </div>
          ))}
        </section>
      )}
    </>
  );
}

/** Each part with where it starts in the combined text: a stable key for a static list. */
function withOffsets<T extends { value: string }>(parts: readonly T[]): { part: T; at: number }[] {
  let at = 0;
  return parts.map((part) => {
    const start = at;
    at += part.value.length;
    return { part, at: start };
  });
}
