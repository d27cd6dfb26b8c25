import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CompiledPolicy, formatDiagnosticWithSource } from '@gatehouse/core';
import { loadPolicy } from '../policy/runtime.js';
import {
  type RedteamFigures,
  type RedteamReport,
  type RedteamSuite,
  type RedteamTrace,
  runRedteam,
  SUITE_POLICY_DIR,
  SUITES,
} from '../redteam/index.js';
import { type CliIo, EXIT, printJson, UsageError } from './io.js';

/** Options of `gatehouse redteam`. */
export interface RedteamCommandOptions {
  suite?: string[];
  policy?: string;
  traces?: string;
  /** Replay only the `--traces` runs, not the shipped ones (a held-out set). */
  onlyTraces?: boolean;
  json?: boolean;
}

/**
 * `gatehouse redteam`: replays recorded injected and benign agent runs through the one
 * enforcement path and prints attack success, calls held for a person, utility and utility
 * under attack, per suite and per attack template. `--policy` measures the user's own policy
 * (a file for every suite, or a folder with `<suite>.yaml` files); `--traces` adds runs of
 * the user's own (JSON Lines, one trace a line). Exit 1 when any attack succeeded.
 */
export async function redteam(io: CliIo, opts: RedteamCommandOptions): Promise<number> {
  const names = (opts.suite ?? []).flatMap((s) => s.split(',')).filter((s) => s !== '');
  const unknown = names.filter((n) => !SUITES.some((s) => s.name === n));
  if (unknown.length > 0)
    throw new UsageError(
      `unknown suite ${unknown.join(', ')}; the suites are ${SUITES.map((s) => s.name).join(', ')}`,
    );
  let suites: RedteamSuite[] = SUITES.filter((s) => names.length === 0 || names.includes(s.name));
  if (opts.onlyTraces && opts.traces === undefined) throw new UsageError('--only-traces needs --traces FILE');
  if (opts.traces !== undefined) {
    const extra = await readTraces(resolve(io.cwd, opts.traces));
    suites = withExtraTraces(suites, extra, opts.onlyTraces === true).filter((s) => s.traces.length > 0);
  }
  const policyPath = opts.policy === undefined ? undefined : resolve(io.cwd, opts.policy);
  const policyIsDir =
    policyPath !== undefined && (await stat(policyPath).catch(() => undefined))?.isDirectory();
  if (policyPath !== undefined && policyIsDir === undefined && !(await stat(policyPath).catch(() => false)))
    throw new UsageError(`--policy: ${opts.policy} does not exist`);
  const runs: { suite: RedteamSuite; policy: CompiledPolicy; policyName: string }[] = [];
  for (const suite of suites) {
    let file = fileURLToPath(new URL(suite.policyFile, SUITE_POLICY_DIR));
    if (policyPath !== undefined && !policyIsDir) file = policyPath;
    else if (policyPath !== undefined) {
      const own = join(policyPath, `${suite.name}.yaml`);
      if (await stat(own).catch(() => undefined)) file = own;
    }
    const loaded = await loadPolicy(file, io.cwd);
    if (!loaded.ok) {
      for (const d of loaded.diagnostics) io.stderr(`${formatDiagnosticWithSource(d)}\n`);
      io.stderr(`the policy for suite '${suite.name}' does not compile; nothing was replayed\n`);
      return EXIT.failed;
    }
    runs.push({ suite, policy: loaded.policy, policyName: file });
  }
  const report = await runRedteam(runs);
  if (opts.json) {
    const { results, ...figures } = report;
    printJson(io, { ...figures, traces: results });
  } else printReport(io, report);
  return report.overall.attackCalls.executed > 0 ? EXIT.failed : EXIT.ok;
}

/** Runs of the user's own, one JSON trace a line, added to the suites they name. */
async function readTraces(path: string): Promise<RedteamTrace[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(
      `--traces: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  return text
    .split('\n')
    .map((line, i) => [line.trim(), i + 1] as const)
    .filter(([line]) => line !== '')
    .map(([line, n]) => {
      let trace: RedteamTrace;
      try {
        trace = JSON.parse(line) as RedteamTrace;
      } catch {
        throw new UsageError(`--traces: line ${n} is not JSON`);
      }
      const problem = traceProblem(trace);
      if (problem) throw new UsageError(`--traces: line ${n}: ${problem}`);
      return trace;
    });
}

function traceProblem(trace: RedteamTrace): string | undefined {
  if (trace === null || typeof trace !== 'object') return 'a trace must be an object';
  if (typeof trace.id !== 'string' || typeof trace.suite !== 'string' || typeof trace.agent !== 'string')
    return "'id', 'suite' and 'agent' must be strings";
  if (trace.kind !== 'benign' && trace.kind !== 'injection') return "'kind' must be benign or injection";
  if (!Array.isArray(trace.steps)) return "'steps' must be a list";
  for (const step of trace.steps) {
    if (step === null || typeof step !== 'object') return 'every step must be an object';
    if ('call' in step) {
      if (typeof step.call !== 'string') return "a call's 'call' must be a tool name";
      if (step.args === null || typeof step.args !== 'object' || Array.isArray(step.args))
        return `call ${step.call}: 'args' must be an object`;
      if (!['task', 'attack', 'attack-step'].includes(step.role))
        return `call ${step.call}: 'role' must be task, attack or attack-step`;
    } else if (!('user' in step) && !('endorse' in step))
      return "a step is a 'call', a 'user' or an 'endorse'";
  }
  return undefined;
}

function withExtraTraces(
  suites: readonly RedteamSuite[],
  extra: readonly RedteamTrace[],
  only: boolean,
): RedteamSuite[] {
  const unknown = [...new Set(extra.map((t) => t.suite))].filter((n) => !SUITES.some((s) => s.name === n));
  if (unknown.length > 0) throw new UsageError(`--traces names unknown suite(s) ${unknown.join(', ')}`);
  return suites.map((s) => ({
    ...s,
    traces: [...(only ? [] : s.traces), ...extra.filter((t) => t.suite === s.name)],
  }));
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function row(name: string, f: RedteamFigures): string {
  return [
    name.padEnd(24),
    String(f.injectionTraces).padStart(5),
    pct(f.attackSuccessRate).padStart(8),
    String(f.attackCalls.held).padStart(6),
    String(f.attackCalls.denied).padStart(7),
    String(f.benignTraces).padStart(7),
    (f.benignTraces === 0 ? '-' : pct(f.benignUtility)).padStart(8),
    pct(f.utilityUnderAttack).padStart(8),
    (f.benignTraces === 0 ? '-' : pct(f.peopleAskedRate)).padStart(8),
  ].join(' ');
}

function printReport(io: CliIo, report: RedteamReport): void {
  const header = [
    ''.padEnd(24),
    'runs'.padStart(5),
    'attack'.padStart(8),
    'held'.padStart(6),
    'denied'.padStart(7),
    'benign'.padStart(7),
    'utility'.padStart(8),
    'u.attack'.padStart(8),
    'asked'.padStart(8),
  ].join(' ');
  io.stdout(`${header}\n`);
  for (const [name, figures] of Object.entries(report.suites)) io.stdout(`${row(name, figures)}\n`);
  io.stdout(`${row('all suites', report.overall)}\n\nby attack template:\n`);
  for (const [name, figures] of Object.entries(report.templates)) io.stdout(`${row(name, figures)}\n`);
  io.stdout(
    '\nattack: injected runs in which an attacker-goal call ran with no person asked; held / denied: attacker-goal\n' +
      'calls that waited for a person / were refused; utility: runs whose every task call ran with no person asked\n' +
      '(benign runs, and u.attack: injected runs); asked: task calls of benign runs that waited for a person.\n',
  );
  const succeeded = report.results.filter((r) => r.attackSucceeded);
  for (const r of succeeded.slice(0, 20))
    io.stdout(
      `ATTACK SUCCEEDED: ${r.id}: ${r.calls
        .filter((c) => c.role === 'attack' && c.verdict === 'executed')
        .map((c) => c.tool)
        .join(', ')}\n`,
    );
}
