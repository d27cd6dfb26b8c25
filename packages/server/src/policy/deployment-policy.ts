import type { Diagnostic, PolicySource } from '@gatehouse/core';
import type { GatehouseConfig } from '../config/load.js';
import { upstreamToolSources } from '../gateway/upstream-catalog.js';
import { loadPolicy, type PolicyLoadResult } from './runtime.js';

/** What a deployment's policy is made of, beside the files. */
export interface DeploymentPolicyInput {
  /** The policy file or folder; the config's `policy` when absent. */
  readonly path?: string;
  /** The config, for its upstreams' catalog entries; absent when a policy file is checked alone. */
  readonly config?: Pick<GatehouseConfig, 'file' | 'policyPath' | 'upstreams'>;
  /** Tools registered through the API, read from the store. */
  readonly registered?: readonly PolicySource[];
  /** Diagnostics name files relative to this folder. */
  readonly displayBase?: string;
}

/** A deployment's policy as loaded, with the sources a runtime keeps for its reloads. */
export interface DeploymentPolicyLoad {
  readonly path: string;
  readonly result: PolicyLoadResult;
  /** The config's upstream catalogs: compiled into every reload, never replaced. */
  readonly fixed: readonly PolicySource[];
  /** The registered tools that compiled with the files (empty when they were left out). */
  readonly registered: readonly PolicySource[];
  /** Registrations that no longer compile with the files were left out, and the result says so. */
  readonly registeredDropped: boolean;
}

/**
 * Loads the policy a deployment runs: the files, the catalog entries of the config's upstreams
 * (`upstreams.<name>.tools`) and the tools registered through the API. `serve`, every CLI
 * command and the SDK's callers go through here, so that a policy that fails `policy check` is
 * never served, and one the server serves passes `policy check`.
 *
 * Registrations that no longer compile with the files (a name the files now declare with
 * another meaning) are left out rather than keeping the server down; their calls are then
 * denied as unknown tools, and a warning names them.
 */
export async function loadDeploymentPolicy(input: DeploymentPolicyInput): Promise<DeploymentPolicyLoad> {
  const path = input.path ?? input.config?.policyPath;
  if (path === undefined) throw new TypeError('loadDeploymentPolicy needs a policy path or a config');
  const fixed = input.config ? upstreamToolSources(input.config) : [];
  const registered = input.registered ?? [];
  const result = await loadPolicy(path, input.displayBase, [...fixed, ...registered], { preferFiles: true });
  if (result.ok || registered.length === 0)
    return { path, result, fixed, registered, registeredDropped: false };
  const withoutRegistered = await loadPolicy(path, input.displayBase, fixed, { preferFiles: true });
  if (!withoutRegistered.ok) return { path, result, fixed, registered, registeredDropped: false };
  const dropped: Diagnostic[] = registered.map((source) => ({
    severity: 'warning',
    code: 'GH_POLICY_DUPLICATE',
    message:
      'the tools registered through the API no longer compile with the policy files and were left out; fix or remove them with the admin API',
    file: source.name,
    line: 0,
    column: 0,
  }));
  return {
    path,
    result: { ...withoutRegistered, diagnostics: [...withoutRegistered.diagnostics, ...dropped] },
    fixed,
    registered: [],
    registeredDropped: true,
  };
}
