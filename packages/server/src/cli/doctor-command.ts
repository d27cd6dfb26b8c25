import { ConfigError, openAuditEvent } from '@gatehouse/core';
import { Redis } from 'ioredis';
import { AuditLog } from '../audit/audit-log.js';
import { findConfigPath, type GatehouseConfig, loadConfig, requireNotifyTargets } from '../config/load.js';
import { Upstream } from '../gateway/upstream.js';
import { openKeyRing } from '../identity/identity-runtime.js';
import { loadMasterKeys } from '../identity/master-key.js';
import { openStore, type Store } from '../store/index.js';
import { type CliIo, EXIT, printJson } from './io.js';
import { loadPolicyFor } from './policy-commands.js';
import { openVaultFor } from './secret-commands.js';

/** One finding of `gatehouse doctor`. */
interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  /** What to do about a failure. */
  readonly fix?: string;
}

/** A clock further from the store's than this makes token lifetimes and audit times wrong. */
const CLOCK_SKEW_LIMIT_MS = 5000;
/** How long doctor waits for Redis, and for each upstream to list its tools. */
const REDIS_TIMEOUT_MS = 3000;

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * `gatehouse doctor`: checks what `serve` needs (config, policy, store, master key, Redis,
 * clock) and starts each upstream once, printing what is wrong and how to fix it. Exit 0 when
 * every check passes, 1 otherwise. It changes nothing but what `serve` would create itself (the
 * store's schema, the first signing key).
 */
export async function doctor(io: CliIo, opts: { json?: boolean; config?: string }): Promise<number> {
  const checks: Check[] = [];
  const report = (check: Check) => {
    checks.push(check);
    if (!opts.json)
      io.stdout(
        `${check.ok ? '✓' : '✗'} ${check.name.padEnd(18)} ${check.detail}\n${check.fix ? `    fix: ${check.fix}\n` : ''}`,
      );
  };
  const done = () => {
    const ok = checks.every((c) => c.ok);
    if (opts.json) printJson(io, { ok, checks });
    else io.stdout(ok ? 'all checks passed\n' : `${checks.filter((c) => !c.ok).length} check(s) failed\n`);
    return ok ? EXIT.ok : EXIT.failed;
  };

  let config: GatehouseConfig;
  const file = findConfigPath({ flag: opts.config, env: io.env, cwd: io.cwd });
  try {
    config = await loadConfig(file, io.env);
    report({ name: 'config', ok: true, detail: file });
  } catch (err) {
    const problems = err instanceof ConfigError ? err.diagnostics.map((d) => d.message).join('; ') : '';
    report({
      name: 'config',
      ok: false,
      detail: `${messageOf(err)}${problems ? `: ${problems}` : ''}`,
      fix: 'run `gatehouse init`, or pass --config',
    });
    return done();
  }
  try {
    requireNotifyTargets(config);
    report({
      name: 'webhooks',
      ok: true,
      detail: `${config.approvals.notify.length} notification target(s)`,
    });
  } catch (err) {
    report({
      name: 'webhooks',
      ok: false,
      detail: (err as ConfigError).diagnostics.map((d) => d.message).join('; '),
      fix: 'set the variables before `gatehouse serve`',
    });
  }

  let store: Store | undefined;
  try {
    store = await openStore(config.storage);
    await store.ping();
    report({
      name: 'store',
      ok: true,
      detail: 'postgres' in config.storage ? 'PostgreSQL answers' : config.storage.sqlite,
    });
  } catch (err) {
    report({
      name: 'store',
      ok: false,
      detail: messageOf(err),
      fix:
        'postgres' in config.storage
          ? 'is PostgreSQL running, and does storage.postgres name a database this user may use?'
          : `can this user write ${config.storage.sqlite} and its folder?`,
    });
  }
  try {
    const loaded = await loadPolicyFor(io, undefined, opts.config, store);
    if (loaded.ok)
      report({
        name: 'policy',
        ok: true,
        detail: `${loaded.policy.rules.length} rules, ${loaded.policy.tools.size} tools, ${loaded.policy.warnings.length} warning(s)`,
      });
    else
      report({
        name: 'policy',
        ok: false,
        detail: `${loaded.diagnostics.filter((d) => d.severity === 'error').length} error(s) in ${config.policyPath}`,
        fix: 'run `gatehouse policy check` to see each one with its place',
      });
  } catch (err) {
    report({ name: 'policy', ok: false, detail: messageOf(err), fix: 'run `gatehouse policy check`' });
  }
  if (store) {
    const opened = store;
    try {
      await checkStoreBoundState(io, config, opened, report);
      await checkUpstreams(io, config, opened, report);
    } finally {
      await opened.close();
    }
  }
  await checkRedis(config, report);
  return done();
}

/** The master key against the store's keys, and this machine's clock against the store's events. */
async function checkStoreBoundState(
  io: CliIo,
  config: GatehouseConfig,
  store: Store,
  report: (check: Check) => void,
): Promise<void> {
  try {
    const keys = await loadMasterKeys({
      env: io.env,
      keyFile: config.identity.masterKeyFile,
      previousKeyFiles: config.identity.previousMasterKeyFiles,
    });
    await openKeyRing(store, config, keys);
    report({ name: 'master key', ok: true, detail: 'decrypts the signing keys in the store' });
  } catch (err) {
    report({
      name: 'master key',
      ok: false,
      detail: messageOf(err),
      fix: `use the key that wrote this store: GATEHOUSE_MASTER_KEY, or ${config.identity.masterKeyFile} (a previous one goes in GATEHOUSE_MASTER_KEY_PREVIOUS)`,
    });
  }
  try {
    const [newest] = await store.queryAudit({ order: 'desc', limit: 1 });
    const ahead = newest ? Date.parse(openAuditEvent(newest).time) - Date.now() : 0;
    if (ahead > CLOCK_SKEW_LIMIT_MS)
      report({
        name: 'clock',
        ok: false,
        detail: `the newest audit event is ${Math.round(ahead / 1000)} s in the future of this clock`,
        fix: 'synchronise this machine with NTP (timedatectl set-ntp true): tokens and approvals are timed by it',
      });
    else report({ name: 'clock', ok: true, detail: new Date().toISOString() });
  } catch (err) {
    report({ name: 'clock', ok: false, detail: `cannot compare with the store: ${messageOf(err)}` });
  }
}

/** Starts each upstream once and lists its tools, as the gateway's first call would. */
async function checkUpstreams(
  io: CliIo,
  config: GatehouseConfig,
  store: Store,
  report: (check: Check) => void,
): Promise<void> {
  const audit = new AuditLog(store);
  try {
    const vault = await openVaultFor(config, store, audit, io).catch(() => undefined);
    for (const upstreamConfig of Object.values(config.upstreams)) {
      const explained: string[] = [];
      const upstream = new Upstream(upstreamConfig, {
        ...(vault && { secrets: vault }),
        onError: (err) => explained.push(messageOf(err)),
      });
      try {
        const tools = await upstream.listTools();
        const undeclared = tools.filter((t) => upstreamConfig.tools[t.name] === undefined).length;
        report({
          name: `upstream ${upstreamConfig.name}`,
          ok: true,
          detail: `${tools.length} tool(s)${undeclared > 0 ? `, ${undeclared} without a catalog entry (denied as unknown)` : ''}`,
        });
      } catch (err) {
        const detail = explained.find((m) => m.includes('did not start')) ?? explained[0] ?? messageOf(err);
        const hint = /hint: (.*)$/s.exec(detail)?.[1];
        report({
          name: `upstream ${upstreamConfig.name}`,
          ok: false,
          detail: detail.replace(/; hint: .*$/s, ''),
          fix:
            hint ??
            `run the upstream's command by hand in ${upstreamConfig.transport === 'stdio' ? upstreamConfig.cwd : 'a shell'} to see it fail`,
        });
      } finally {
        await upstream.close();
      }
    }
  } finally {
    await audit.close();
  }
}

async function checkRedis(config: GatehouseConfig, report: (check: Check) => void): Promise<void> {
  if (!config.rateLimits.redis) return;
  const redis = new Redis(config.rateLimits.redis, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    lazyConnect: true,
    connectTimeout: REDIS_TIMEOUT_MS,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    report({ name: 'redis', ok: true, detail: 'answers PING' });
  } catch (err) {
    const { host, port } = new URL(config.rateLimits.redis);
    report({
      name: 'redis',
      ok: false,
      // The URL may hold a password: only its host and port are named.
      detail: `cannot reach Redis at ${host}:${port || 6379}: ${messageOf(err)}`,
      fix: 'start Redis, or check rateLimits.redis; while it is down every call is denied',
    });
  } finally {
    redis.disconnect();
  }
}
