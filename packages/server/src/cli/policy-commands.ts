import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type CompiledPolicy,
  type DecisionRequestInput,
  type Diagnostic,
  explainAsThePath,
  formatDiagnosticWithSource,
  type PolicySource,
  runPolicyTests,
} from '@gatehouse/core';
import { ToolCatalog } from '../catalog/tool-catalog.js';
import { findConfigPath, type GatehouseConfig, loadConfig } from '../config/load.js';
import { loadDeploymentPolicy } from '../policy/deployment-policy.js';
import type { PolicyLoadResult } from '../policy/runtime.js';
import { openStore, type Store } from '../store/index.js';
import { type CliIo, EXIT, parseJsonOption, printJson, UsageError } from './io.js';

/**
 * Loads the policy a command works on, as `serve` would: the path argument (else the config's
 * policy), with the config's upstream catalogs and the tools registered in its store. The config
 * is read when one is named (`--config`, `GATEHOUSE_CONFIG`) or `./gatehouse.yaml` exists; a
 * policy file checked alone, with no config around, is just the file.
 */
export async function loadPolicyFor(
  io: CliIo,
  argument: string | undefined,
  configFlag: string | undefined,
  store?: Store,
): Promise<PolicyLoadResult> {
  // A path that does not exist is a mistake in the command line (exit 2), not an invalid policy.
  if (argument !== undefined && !existsSync(resolve(io.cwd, argument)))
    throw new UsageError(`no such policy file or folder: ${argument}`);
  const configPath = findConfigPath({ flag: configFlag, env: io.env, cwd: io.cwd });
  const named = configFlag !== undefined || io.env.GATEHOUSE_CONFIG !== undefined;
  const config =
    argument === undefined || named || existsSync(configPath)
      ? await loadConfig(configPath, io.env)
      : undefined;
  const registered = store
    ? { sources: (await ToolCatalog.load(store)).sources, warnings: [] }
    : config
      ? await registeredToolsIn(config)
      : { sources: [], warnings: [] };
  const { result } = await loadDeploymentPolicy({
    ...(argument !== undefined && { path: resolve(io.cwd, argument) }),
    ...(config && { config }),
    registered: registered.sources,
    displayBase: io.cwd,
  });
  return { ...result, diagnostics: [...result.diagnostics, ...registered.warnings] };
}

/** The tools registered through the API in the config's store; none when the store does not exist yet. */
async function registeredToolsIn(
  config: GatehouseConfig,
): Promise<{ sources: PolicySource[]; warnings: Diagnostic[] }> {
  if ('sqlite' in config.storage && !existsSync(config.storage.sqlite)) return { sources: [], warnings: [] };
  try {
    const store = await openStore(config.storage);
    try {
      return { sources: (await ToolCatalog.load(store)).sources, warnings: [] };
    } finally {
      await store.close();
    }
  } catch (err) {
    return {
      sources: [],
      warnings: [
        {
          severity: 'warning',
          code: 'GH_POLICY_YAML',
          message: `the tools registered through the API were not read, so the server may decide otherwise: ${err instanceof Error ? err.message : String(err)}`,
          file: config.file,
          line: 0,
          column: 0,
        },
      ],
    };
  }
}

function printDiagnostics(io: CliIo, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) io.stderr(`${formatDiagnosticWithSource(d)}\n`);
}

const summary = (policy: CompiledPolicy) =>
  `${policy.rules.length} rules, ${policy.tools.size} tools, ${policy.agents.size} agents, ${policy.tests.length} tests`;

const diagnosticJson = (d: Diagnostic) => ({
  code: d.code,
  message: d.message,
  file: d.file,
  line: d.line,
  column: d.column,
  ...(d.path !== undefined && { path: d.path }),
});

/** `gatehouse policy check`: exit 0 valid, 1 invalid with every error. */
export async function policyCheck(
  io: CliIo,
  path: string | undefined,
  opts: { json?: boolean; config?: string },
): Promise<number> {
  const result = await loadPolicyFor(io, path, opts.config);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  const warnings = result.diagnostics.filter((d) => d.severity === 'warning');
  if (opts.json) {
    printJson(io, {
      ok: result.ok,
      errors: errors.map(diagnosticJson),
      warnings: warnings.map(diagnosticJson),
      ...(result.ok && {
        policy: {
          hash: result.policy.hash,
          rules: result.policy.rules.length,
          tools: result.policy.tools.size,
          agents: result.policy.agents.size,
          tests: result.policy.tests.length,
        },
      }),
    });
    return result.ok ? EXIT.ok : EXIT.failed;
  }
  printDiagnostics(io, result.diagnostics);
  if (!result.ok) {
    io.stderr(`invalid: ${errors.length} error(s), ${warnings.length} warning(s)\n`);
    return EXIT.failed;
  }
  io.stdout(`valid: ${summary(result.policy)}; ${warnings.length} warning(s)\n`);
  return EXIT.ok;
}

/** `gatehouse policy test`: a line per test and `N passed, N failed`. */
export async function policyTest(
  io: CliIo,
  path: string | undefined,
  opts: { json?: boolean; config?: string },
): Promise<number> {
  const result = await loadPolicyFor(io, path, opts.config);
  if (!result.ok) {
    if (opts.json)
      printJson(io, {
        ok: false,
        errors: result.diagnostics.filter((d) => d.severity === 'error').map(diagnosticJson),
        tests: [],
      });
    else printDiagnostics(io, result.diagnostics);
    return EXIT.failed;
  }
  const results = runPolicyTests(result.policy);
  const passed = results.filter((r) => r.passed).length;
  const failed = results.length - passed;
  if (opts.json) {
    printJson(io, {
      ok: failed === 0,
      passed,
      failed,
      tests: results.map((r) => ({
        name: r.name,
        passed: r.passed,
        expected: r.expected,
        actual: r.actual,
        ...(r.failure && { failure: r.failure }),
        location: r.location,
      })),
    });
  } else {
    for (const r of results) {
      io.stdout(
        r.passed ? `✓ ${r.name}\n` : `✗ ${r.name} — ${r.failure} (${r.location.file}:${r.location.line})\n`,
      );
    }
    io.stdout(`${passed} passed, ${failed} failed\n`);
  }
  return failed === 0 ? EXIT.ok : EXIT.failed;
}

/** Options of `gatehouse policy explain`. */
export interface ExplainOptions {
  policy?: string;
  agent: string;
  tool: string;
  args?: string;
  resource?: string;
  sessionLabels?: string;
  provenance?: string;
  context?: string;
  usage?: string;
  json?: boolean;
  config?: string;
}

/** `gatehouse policy explain`: the decision and, for every rule, why it applied or not. */
export async function policyExplain(io: CliIo, opts: ExplainOptions): Promise<number> {
  const args = parseJsonOption('--args', opts.args);
  const resource = parseJsonOption('--resource', opts.resource);
  const provenance = parseJsonOption('--provenance', opts.provenance);
  const context = parseJsonOption('--context', opts.context);
  if (
    provenance &&
    !Object.values(provenance).every((v) => Array.isArray(v) && v.every((l) => typeof l === 'string'))
  ) {
    throw new UsageError(
      '--provenance must map argument paths to lists of labels, e.g. {"to[0]": ["untrusted"]}',
    );
  }
  const usage = parseJsonOption('--usage', opts.usage);
  if (usage && !Object.values(usage).every((v) => Number.isSafeInteger(v) && (v as number) >= 0)) {
    throw new UsageError(
      '--usage must map quota rule ids to the calls already made, e.g. {"transfers-per-day": 3}',
    );
  }
  const labels = opts.sessionLabels
    ?.split(',')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const result = await loadPolicyFor(io, opts.policy, opts.config);
  if (!result.ok) {
    printDiagnostics(io, result.diagnostics);
    return EXIT.failed;
  }
  const request: DecisionRequestInput = {
    agent: opts.agent,
    tool: opts.tool,
    ...(args && { args }),
    ...(resource && { resource }),
    ...(labels && { session: { labels } }),
    ...(provenance && { provenance: provenance as Record<string, string[]> }),
    ...(context && { context }),
    ...(usage && { usage: usage as Record<string, number> }),
  };
  // The steps the server runs before it decides (schema, argument detectors) run here too:
  // explain must not say allow where the server denies.
  const explanation = explainAsThePath(result.policy, request);
  if (opts.json) {
    printJson(io, explanation);
    return EXIT.ok;
  }
  const { decision } = explanation;
  io.stdout(`decision: ${decision.effect} (${decision.code})\n`);
  for (const reason of decision.reasons) io.stdout(`  ${reason}\n`);
  for (const r of decision.approval?.requirements ?? []) {
    const groups = r.groups.length > 0 ? ` from ${r.groups.join(', ')}` : '';
    io.stdout(
      `  needs ${r.approvers} approver(s)${groups} within ${formatDuration(r.timeoutMs)} (rule ${r.rule})\n`,
    );
  }
  io.stdout('rules:\n');
  for (const t of explanation.rules) {
    io.stdout(
      `  ${t.applied ? '✓' : '·'} ${t.id} (${t.effect}) — ${t.why}  [${t.location.file}:${t.location.line}]\n`,
    );
  }
  return EXIT.ok;
}

/** `gatehouse policy compile`: compiles and summarises. */
export async function policyCompile(
  io: CliIo,
  path: string | undefined,
  opts: { json?: boolean; config?: string },
): Promise<number> {
  const result = await loadPolicyFor(io, path, opts.config);
  if (!result.ok) {
    printDiagnostics(io, result.diagnostics);
    return EXIT.failed;
  }
  const { policy } = result;
  const info = {
    hash: policy.hash,
    sources: policy.sources,
    tools: policy.tools.size,
    agents: [...policy.agents.values()].map((a) => ({ name: a.name, id: a.id, grants: a.grants })),
    rules: policy.rules.map((r) => ({ id: r.id, effect: r.effect })),
    tests: policy.tests.length,
    warnings: policy.warnings.map(diagnosticJson),
  };
  if (opts.json) printJson(io, info);
  else {
    printDiagnostics(io, policy.warnings);
    io.stdout(`compiled ${policy.hash.slice(0, 16)}: ${summary(policy)}\n`);
  }
  return EXIT.ok;
}

function formatDuration(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}
