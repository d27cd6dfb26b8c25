import { EventEmitter } from 'node:events';
import { type FSWatcher, watch } from 'node:fs';
import { rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type CompiledPolicy, checkPolicy, type Diagnostic, type PolicySource } from '@gatehouse/core';
import { parse as parseYaml } from 'yaml';
import type { DeploymentPolicyLoad } from './deployment-policy.js';
import { isPolicyFileName, readPolicySources } from './sources.js';

/** Waits this long after the last file event before reloading: editors write in bursts. */
const DEBOUNCE_MS = 100;

/** What a load produced. */
export type PolicyLoadResult =
  | {
      readonly ok: true;
      readonly policy: CompiledPolicy;
      readonly sources: readonly { name: string; text: string }[];
      readonly diagnostics: readonly Diagnostic[];
    }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/**
 * Reads and compiles the policy at `path` (a file or a folder), plus any
 * extra sources (tools registered through the API); never throws.
 */
export async function loadPolicy(
  path: string,
  displayBase?: string,
  extra: readonly PolicySource[] = [],
  options: {
    /**
     * The files win over the extra sources: a tool that the files now declare and an extra
     * source (an API registration) declares too is dropped from the extra source, with a
     * warning, instead of the file change being rejected.
     */
    preferFiles?: boolean;
  } = {},
): Promise<PolicyLoadResult> {
  const read = await readPolicySources(path, displayBase);
  if (read.diagnostics.length > 0) return { ok: false, diagnostics: read.diagnostics };
  const sources = [...read.sources, ...extra];
  const { policy, diagnostics } = checkPolicy(sources);
  if (policy) return { ok: true, policy, sources, diagnostics };
  if (!options.preferFiles || extra.length === 0) return { ok: false, diagnostics };
  const shadowed = new Map<string, Set<string>>();
  for (const d of diagnostics) {
    const name = d.code === 'GH_POLICY_DUPLICATE' ? /^tool '([^']+)'/.exec(d.message)?.[1] : undefined;
    if (name === undefined || !extra.some((e) => e.name === d.file)) continue;
    shadowed.set(d.file, (shadowed.get(d.file) ?? new Set()).add(name));
  }
  if (shadowed.size === 0) return { ok: false, diagnostics };
  const kept = extra.map((source) => {
    const names = shadowed.get(source.name);
    if (!names) return source;
    const doc = parseYaml(source.text) as { tools?: Record<string, unknown> };
    for (const name of names) delete doc.tools?.[name];
    return { name: source.name, text: JSON.stringify(doc, null, 2) };
  });
  const retried = checkPolicy([...read.sources, ...kept]);
  if (!retried.policy) return { ok: false, diagnostics };
  const warnings: Diagnostic[] = [...shadowed].flatMap(([file, names]) =>
    [...names].map((name) => ({
      severity: 'warning' as const,
      code: 'GH_POLICY_DUPLICATE' as const,
      message: `tool '${name}' is now declared in the policy files; its registration through the API no longer applies`,
      file,
      line: 0,
      column: 0,
    })),
  );
  return {
    ok: true,
    policy: retried.policy,
    sources: [...read.sources, ...kept],
    diagnostics: [...retried.diagnostics, ...warnings],
  };
}

/** Events of a `PolicyRuntime`. */
export interface PolicyRuntimeEvents {
  /** A new policy compiled and now decides. */
  reloaded: [policy: CompiledPolicy, sources: readonly { name: string; text: string }[]];
  /** A changed policy failed to compile; the previous one still decides. */
  rejected: [diagnostics: readonly Diagnostic[]];
  /** A changed policy loaded with warnings (a registration the files now override, a rule that never applies). */
  warned: [diagnostics: readonly Diagnostic[]];
}

/**
 * Holds the policy that decides now, and swaps it atomically when its files
 * change. A policy that fails `policy check` is never loaded: the old one
 * keeps running and `rejected` says why.
 */
export class PolicyRuntime extends EventEmitter<PolicyRuntimeEvents> {
  #policy: CompiledPolicy;
  #loadedAt: Date;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reloading: Promise<void> = Promise.resolve();
  #extra: readonly PolicySource[] = [];
  #sources: readonly PolicySource[];
  /** Sources from the config (upstream tool catalogs): always compiled, never replaced. */
  #fixed: readonly PolicySource[] = [];

  private constructor(
    readonly path: string,
    policy: CompiledPolicy,
    sources: readonly PolicySource[],
    private readonly displayBase: string | undefined,
  ) {
    super();
    this.#policy = policy;
    this.#sources = sources;
    this.#loadedAt = new Date();
  }

  /** Loads the policy; rejects with the diagnostics when it does not compile. */
  static async open(
    path: string,
    displayBase?: string,
    extra: readonly PolicySource[] = [],
    fixed: readonly PolicySource[] = [],
  ): Promise<
    | { runtime: PolicyRuntime; sources: readonly { name: string; text: string }[] }
    | { diagnostics: readonly Diagnostic[] }
  > {
    const result = await loadPolicy(path, displayBase, [...fixed, ...extra], { preferFiles: true });
    if (!result.ok) return { diagnostics: result.diagnostics };
    const runtime = new PolicyRuntime(path, result.policy, result.sources, displayBase);
    runtime.#extra = extra;
    runtime.#fixed = fixed;
    return { runtime, sources: result.sources };
  }

  /** A runtime for a policy that `loadDeploymentPolicy` loaded; its reloads keep the same sources. */
  static fromLoad(
    load: DeploymentPolicyLoad & { result: { ok: true } },
    displayBase?: string,
  ): PolicyRuntime {
    const runtime = new PolicyRuntime(load.path, load.result.policy, load.result.sources, displayBase);
    runtime.#extra = load.registered;
    runtime.#fixed = load.fixed;
    return runtime;
  }

  /** The policy deciding now. */
  get policy(): CompiledPolicy {
    return this.#policy;
  }

  get loadedAt(): Date {
    return this.#loadedAt;
  }

  /** The sources the deciding policy was compiled from: the files, then the config's and the API's. */
  get sources(): readonly PolicySource[] {
    return this.#sources;
  }

  /**
   * Writes a new file into the policy folder and activates the policy with it, or takes the file
   * back out and keeps the running policy when the folder no longer compiles with it. Serialized
   * with the reloads, so what is activated is what was written, checked against the files as
   * they are at that moment. Never overwrites a file. `record` runs after the folder compiled
   * with the file and before the policy is activated: when it throws, the file is taken back out.
   */
  adoptFile(
    name: string,
    text: string,
    record: (path: string) => Promise<void>,
  ): Promise<
    | { ok: true; policy: CompiledPolicy; path: string }
    | { ok: false; code: 'exists' | 'not-a-folder' | 'does-not-compile'; message: string }
  > {
    // Only a plain YAML file name: the folder is the only place an adoption may write.
    if (!isPolicyFileName(name))
      return Promise.reject(new TypeError(`not a policy file name: ${JSON.stringify(name)}`));
    const attempt = this.#reloading.then(async () => {
      if (!(await stat(this.path)).isDirectory())
        return {
          ok: false as const,
          code: 'not-a-folder' as const,
          message: 'the policy is one file: make it a folder to adopt fragments beside it',
        };
      const target = join(this.path, name);
      try {
        await writeFile(target, text, { flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        return {
          ok: false as const,
          code: 'exists' as const,
          message: `${name} already exists in the policy folder`,
        };
      }
      const result = await loadPolicy(this.path, this.displayBase, [...this.#fixed, ...this.#extra], {
        preferFiles: true,
      });
      if (!result.ok) {
        await rm(target, { force: true });
        return {
          ok: false as const,
          code: 'does-not-compile' as const,
          message: 'the policy folder no longer compiles with the fragment (a file changed since the draft)',
        };
      }
      try {
        await record(target);
      } catch (err) {
        await rm(target, { force: true });
        throw err;
      }
      this.activate(result);
      return { ok: true as const, policy: result.policy, path: target };
    });
    // The caller hears of a failure; the reloads that follow still run.
    this.#reloading = attempt.then(
      () => undefined,
      () => undefined,
    );
    return attempt;
  }

  private activate(result: PolicyLoadResult & { ok: true }): void {
    this.#sources = result.sources;
    if (result.policy.hash === this.#policy.hash) return;
    this.#policy = result.policy;
    this.#loadedAt = new Date();
    this.emit('reloaded', result.policy, result.sources);
  }

  /** Watches the policy's files (or folder) and reloads on change. */
  async watch(): Promise<void> {
    const isDir = (await stat(this.path)).isDirectory();
    // Watching the parent folder of a file survives editors that save by
    // writing a new file and renaming it over the old one.
    const target = isDir ? this.path : dirname(this.path);
    const name = basename(this.path);
    this.#watcher = watch(target, { recursive: isDir, persistent: false }, (_event, file) => {
      // In a file's folder, only that file matters (the store may live beside it).
      if (isDir || file === null || file === name) this.schedule();
    });
    this.#watcher.on('error', () => undefined);
  }

  private schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#reloading = this.#reloading.then(() => this.reload()).catch((err: unknown) => this.failed(err));
    }, DEBOUNCE_MS);
  }

  /** Re-reads and recompiles now. Serialized: two reloads never interleave. */
  async reload(): Promise<void> {
    const result = await loadPolicy(this.path, this.displayBase, [...this.#fixed, ...this.#extra], {
      preferFiles: true,
    });
    if (!result.ok) {
      this.emit('rejected', result.diagnostics);
      return;
    }
    const changed = result.policy.hash !== this.#policy.hash;
    this.activate(result);
    if (!changed) return;
    const warnings = result.diagnostics.filter((d) => d.severity === 'warning');
    if (warnings.length > 0) this.emit('warned', warnings);
  }

  /**
   * Replaces the extra sources (registered tools) if the policy still
   * compiles with them; otherwise keeps everything as it was and returns why.
   */
  setExtraSources(
    extra: readonly PolicySource[],
  ): Promise<{ ok: true } | { ok: false; diagnostics: readonly Diagnostic[] }> {
    const attempt = this.#reloading.then(async () => {
      const result = await loadPolicy(this.path, this.displayBase, [...this.#fixed, ...extra]);
      if (!result.ok) return { ok: false as const, diagnostics: result.diagnostics };
      this.#extra = extra;
      this.activate(result);
      return { ok: true as const };
    });
    // A failure is reported and leaves the running policy as it was; later reloads still run.
    this.#reloading = attempt.then(
      () => undefined,
      (err: unknown) => this.failed(err),
    );
    return attempt;
  }

  /** A reload that threw instead of reporting: the running policy stays, and the why is told. */
  private failed(err: unknown): void {
    this.emit('rejected', [
      {
        severity: 'error',
        code: 'GH_POLICY_YAML',
        message: `the policy could not be reloaded: ${err instanceof Error ? err.message : String(err)}`,
        file: this.path,
        line: 0,
        column: 0,
      },
    ]);
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#watcher?.close();
    this.#watcher = undefined;
  }
}
