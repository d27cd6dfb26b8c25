import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../api.js';
import { Problem } from '../Problem.js';

interface Check {
  name: string;
  passed: boolean;
  detail: string;
}
interface Report {
  ok: boolean;
  checks: Check[];
  changes: { agent: string; tool: string; summary: string; before: string; after: string }[];
  changedCount: number;
  probes: number;
  widening: boolean;
  wideningReasons: string[];
  digest: string;
}
interface Figures {
  attackSuccessRate: number;
  benignUtility: number;
  utilityUnderAttack: number;
}
interface Replay {
  suite: string;
  runs: number;
  of: number;
  before: Figures;
  after: Figures;
}
type Draft =
  | {
      ok: boolean;
      fragment: string;
      file: string;
      notes: string[];
      report: Report;
      redteam?: { replayed: Replay[]; skipped: { suite: string; reason: string }[] };
    }
  | {
      ok: false;
      refusals: {
        sentence: string;
        refusal: { code: string; message: string; suggestions: string[] };
      }[];
    };

const percent = (x: number) => `${(x * 100).toFixed(1)} %`;

/**
 * A rule written as a sentence: the server compiles it over the running policy's vocabulary,
 * verifies the fragment and replays the red-team suites (`POST /v1/policy/drafts`), and an admin
 * adopts it after reading the report (`POST /v1/policy/drafts/apply`, bound to the report's
 * digest). The same flow as `gatehouse policy draft … --apply`.
 */
export function DraftRule(props: { isAdmin: boolean; onAdopted: () => void }) {
  const [text, setText] = useState('');
  const [drafted, setDrafted] = useState<{ sentences: string[]; draft: Draft } | undefined>();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  const [acceptWidening, setAcceptWidening] = useState(false);
  const [adopted, setAdopted] = useState<string | undefined>();

  const sentencesOf = (t: string) =>
    t
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');

  const draft = async (e: FormEvent) => {
    e.preventDefault();
    const sentences = sentencesOf(text);
    setProblem(undefined);
    setAdopted(undefined);
    setDrafted(undefined);
    setAcceptWidening(false);
    if (sentences.length === 0) {
      setProblem('Write a sentence first: one rule a line.');
      return;
    }
    setBusy(true);
    try {
      setDrafted({ sentences, draft: await api<Draft>('POST', '/v1/policy/drafts', { sentences }) });
    } catch (err) {
      setProblem(err instanceof ApiError ? err.message : 'the sentence could not be drafted');
    } finally {
      setBusy(false);
    }
  };

  const adopt = async () => {
    if (!drafted || !('report' in drafted.draft)) return;
    setBusy(true);
    setProblem(undefined);
    try {
      const result = await api<{ applied: string }>('POST', '/v1/policy/drafts/apply', {
        sentences: drafted.sentences,
        report_digest: drafted.draft.report.digest,
        ...(drafted.draft.report.widening && { allow_widening: acceptWidening }),
      });
      setAdopted(result.applied);
      setDrafted(undefined);
      setText('');
      props.onAdopted();
    } catch (err) {
      setProblem(err instanceof ApiError ? err.message : 'the rule could not be adopted');
    } finally {
      setBusy(false);
    }
  };

  const result = drafted?.draft;
  return (
    <form className="playground" onSubmit={(e) => void draft(e)} aria-labelledby="draft-title">
      <h2 id="draft-title">Write a rule in plain English</h2>
      <label htmlFor="draft-sentences">Sentences (one rule a line)</label>
      <textarea
        id="draft-sentences"
        value={text}
        placeholder="Financial transactions over $1,000 require dual authorization"
        onChange={(e) => setText(e.target.value)}
      />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Verifying…' : 'Draft and verify'}
        </button>
      </div>
      <Problem text={problem} />
      {adopted && (
        <p role="status">
          Adopted as <code>{adopted}</code>: the policy now runs with it.
        </p>
      )}
      {result && 'refusals' in result && (
        <div role="status" aria-label="Refused">
          {result.refusals.map((r) => (
            <p key={r.sentence} className="error-text">
              Refused “{r.sentence}”: {r.refusal.message}
              {r.refusal.suggestions.length > 0 && ` — did you mean ${r.refusal.suggestions.join(', ')}?`}
            </p>
          ))}
        </div>
      )}
      {result && 'report' in result && (
        <section aria-label="Verification report">
          <p>
            <strong>Verification {result.report.ok ? 'passed' : 'FAILED'}</strong> — digest{' '}
            <code>{result.report.digest.slice(0, 16)}</code>
          </p>
          <ul className="tests">
            {result.report.checks.map((c) => (
              <li key={c.name} className={c.passed ? 'pass' : 'fail'}>
                {c.passed ? '✓' : '✗'} {c.name}: {c.detail}
              </li>
            ))}
          </ul>
          <p>
            Widening:{' '}
            {result.report.widening ? (
              <strong className="error-text">yes — {result.report.wideningReasons.join('; ')}</strong>
            ) : (
              'no'
            )}
          </p>
          <p>
            Decision changes: {result.report.changedCount} of {result.report.probes} generated requests
          </p>
          {result.report.changes.length > 0 && (
            <table className="grid" aria-label="Decision changes">
              <tbody>
                {result.report.changes.map((c) => (
                  <tr key={`${c.agent} ${c.tool} ${c.summary} ${c.before}`}>
                    <td>
                      {c.before} → {c.after}
                    </td>
                    <td>
                      {c.agent} → <code>{c.tool}</code>
                    </td>
                    <td>{c.summary}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {result.redteam && result.redteam.replayed.length > 0 && (
            <table className="grid" aria-label="Red-team suites before and after">
              <thead>
                <tr>
                  <th scope="col">Suite</th>
                  <th scope="col">Runs</th>
                  <th scope="col">Attack success</th>
                  <th scope="col">Utility under attack</th>
                  <th scope="col">Benign utility</th>
                </tr>
              </thead>
              <tbody>
                {result.redteam.replayed.map((r) => (
                  <tr key={r.suite}>
                    <th scope="row">{r.suite}</th>
                    <td>
                      {r.runs} of {r.of}
                    </td>
                    <td>
                      {percent(r.before.attackSuccessRate)} → {percent(r.after.attackSuccessRate)}
                    </td>
                    <td>
                      {percent(r.before.utilityUnderAttack)} → {percent(r.after.utilityUnderAttack)}
                    </td>
                    <td>
                      {percent(r.before.benignUtility)} → {percent(r.after.benignUtility)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {result.notes.map((n) => (
            <p key={n}>Note: {n}</p>
          ))}
          <h3>
            Fragment (<code>{result.file}</code>)
          </h3>
          <pre className="args">{result.fragment}</pre>
          {props.isAdmin && result.report.ok && (
            <div className="actions">
              {result.report.widening && (
                <label>
                  <input
                    type="checkbox"
                    checked={acceptWidening}
                    onChange={(e) => setAcceptWidening(e.target.checked)}
                  />{' '}
                  I accept that this rule widens access
                </label>
              )}
              <button
                type="button"
                className="primary"
                disabled={busy || (result.report.widening && !acceptWidening)}
                onClick={() => void adopt()}
              >
                Adopt this rule
              </button>
            </div>
          )}
          {!props.isAdmin && <p>Only an admin can adopt a rule.</p>}
        </section>
      )}
    </form>
  );
}
