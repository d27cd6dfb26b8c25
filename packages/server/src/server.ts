import { createServer } from 'node:net';
import { type CompiledPolicy, type Diagnostic, GatehouseError } from '@gatehouse/core';
import type { FastifyInstance } from 'fastify';
import { ApprovalService } from './approvals/approval-service.js';
import { WebhookNotifier } from './approvals/webhooks.js';
import { type AuditSigningKey, checkpointVerifier, loadAuditSigningKey } from './audit/audit-keys.js';
import { AuditLog, type AuditSink } from './audit/audit-log.js';
import { AuditCheckpointer } from './audit/checkpointer.js';
import { actionDraft } from './audit/drafts.js';
import { OtlpAuditExporter } from './audit/otel.js';
import { pruneAuditBefore } from './audit/retention.js';
import { ToolCatalog } from './catalog/tool-catalog.js';
import { type GatehouseConfig, requireNotifyTargets } from './config/load.js';
import { ConsoleSessions } from './console/console-sessions.js';
import { ConsoleAccounts } from './console/console-store.js';
import { consoleOrigin } from './console/console-url.js';
import { LiveFeed } from './console/live-feed.js';
import { DecisionService, type PathComponents } from './decisions/decision-service.js';
import { PersistentSessionStore } from './decisions/persistent-sessions.js';
import { AgentRateLimiter } from './decisions/rate-limiter.js';
import { McpGateway } from './gateway/gateway.js';
import { scanToolDescription, ToolPins } from './gateway/tool-pins.js';
import { createHttpApp } from './http/app.js';
import type { LogSettings } from './http/logger.js';
import { AgentAdmin } from './identity/agent-admin.js';
import { type IdentityRuntime, startIdentity } from './identity/identity-runtime.js';
import { loadMasterKeys } from './identity/master-key.js';
import { registerPolicyAgents } from './identity/policy-agents.js';
import { loadDeploymentPolicy } from './policy/deployment-policy.js';
import { PolicyRuntime } from './policy/runtime.js';
import { openStore, type Store } from './store/index.js';
import { SecretVault } from './vault/secret-vault.js';

/**
 * Whether the audit log can be written. After a failed commit, readiness
 * tries one event itself (recording that the log works again), or a server
 * taken out of rotation would never see the write that proves it recovered.
 */
async function auditWritable(auditLog: AuditLog): Promise<boolean> {
  if (auditLog.writable) return true;
  try {
    await auditLog.append(
      actionDraft({ type: 'admin', action: 'audit.writable', outcome: 'succeeded', who: {}, door: 'server' }),
    );
    return true;
  } catch {
    return false;
  }
}

/** How often a replica looks for tools registered through another one. */
const CATALOG_SYNC_MS = 1000;

/** How often lapsed approvals are written down (and their end announced). */
const APPROVAL_SWEEP_MS = 5000;

/** How often the gateway looks for rotated secrets that its stdio upstreams hold in their environment. */
const SECRET_ROTATION_CHECK_MS = 5000;

/** Sessions idle longer than this are deleted from the store. */
const SESSION_RETENTION_MS = 7 * 24 * 60 * 60_000;

/** A running Gatehouse server. */
export interface RunningServer {
  /** The public base URL: the OAuth issuer and default token audience (`server.publicUrl`, else the listen URL). */
  readonly url: string;
  /** Where it actually listens. */
  readonly listenUrl: string;
  readonly app: FastifyInstance;
  readonly runtime: PolicyRuntime;
  readonly store: Store;
  readonly identity: IdentityRuntime;
  readonly decisions: DecisionService;
  readonly approvals: ApprovalService;
  readonly gateway: McpGateway;
  readonly audit: AuditLog;
  readonly checkpointer: AuditCheckpointer;
  readonly auditKey: AuditSigningKey;
  /** Present when `approvals.notify` names webhooks. */
  readonly notifier?: WebhookNotifier;
  /** Brokered credentials, for injection into upstreams at call time (`reveal`, `versions`). */
  readonly vault: SecretVault;
  /** People's console sessions, passkeys and enrolment links. */
  readonly consoleSessions: ConsoleSessions;
  close(): Promise<void>;
}

/** Thrown when the policy does not compile at start: the server refuses to run without one. */
export class PolicyStartError extends GatehouseError {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super('GH_POLICY_INVALID', 'the policy does not compile; the server did not start', { status: 500 });
  }
}

/**
 * Starts the server: store, policy (watched), identity, HTTP. Everything it
 * opened is closed again if a later step fails.
 */
export async function startServer(
  config: GatehouseConfig,
  options: {
    host?: string;
    port?: number;
    env?: NodeJS.ProcessEnv;
    logger?: boolean | LogSettings;
    watch?: boolean;
    /** Webhook retry waits (tests shorten them). */
    webhookBackoffMs?: readonly number[];
  } = {},
): Promise<RunningServer> {
  // The server delivers notifications: a webhook whose variable is unset stops it here, named.
  const notifyTargets = requireNotifyTargets(config);
  const host = options.host ?? config.server.host;
  let port = options.port ?? config.server.port;
  // The issuer URL names the port, so an ephemeral port is chosen up front.
  if (port === 0) port = await freePort(host);
  const listenUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const url = config.server.publicUrl ?? listenUrl;

  const cleanups: (() => Promise<void> | void)[] = [];
  const closeAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const store = await openStore(config.storage);
    cleanups.push(() => store.close());
    // Closed in reverse: the log commits what is queued, then the checkpointer signs the head.
    let checkpointer: AuditCheckpointer | undefined;
    cleanups.push(() => checkpointer?.close());
    const exporter = config.audit.otlp ? new OtlpAuditExporter(config.audit.otlp) : undefined;
    cleanups.push(() => exporter?.close());
    const feed = new LiveFeed();
    const auditLog = new AuditLog(store, {
      onCommitted: (events) => {
        checkpointer?.observe(events);
        exporter?.export(events);
        feed.publish(events);
      },
    });
    cleanups.push(() => auditLog.close());
    const registered = await ToolCatalog.load(store);
    const load = await loadDeploymentPolicy({ config, registered: registered.sources });
    if (!load.result.ok) throw new PolicyStartError(load.result.diagnostics);
    const runtime = PolicyRuntime.fromLoad({ ...load, result: load.result });
    cleanups.push(() => runtime.close());
    const catalog = new ToolCatalog(store, runtime);
    if (!load.registeredDropped) catalog.adopt(registered);
    const ambiguousAgents = await activate(store, runtime.policy, load.result.sources, auditLog);
    // The current master key encrypts; previous ones (during a master-key rotation) still decrypt.
    const masterKey = await loadMasterKeys({
      env: options.env ?? process.env,
      keyFile: config.identity.masterKeyFile,
      previousKeyFiles: config.identity.previousMasterKeyFiles,
    });
    const vault = new SecretVault(store, masterKey, { sink: auditLog, door: 'server', actor: 'server' });
    const identity = await startIdentity(store, config, url, masterKey, auditLog);
    cleanups.push(() => identity.close());
    const auditKey = await loadAuditSigningKey(store, masterKey);
    let log: FastifyInstance['log'] | undefined;
    checkpointer = new AuditCheckpointer(store, auditKey, {
      every: config.audit.checkpointEvery,
      intervalMs: config.audit.checkpointIntervalMs,
      file: config.audit.checkpointFile,
      ...(config.audit.checkpointWebhook !== undefined && { webhook: config.audit.checkpointWebhook }),
      onError: (err) => log?.error({ err }, 'cutting an audit checkpoint failed'),
    });
    await checkpointer.start();
    if (config.audit.retentionMs !== undefined) {
      const retentionMs = config.audit.retentionMs;
      const ownKey = await checkpointVerifier([auditKey.publicJwk]);
      const prune = () =>
        void pruneAuditBefore(store, auditLog, new Date(Date.now() - retentionMs), 'retention', ownKey).catch(
          (err: unknown) => log?.error({ err }, 'pruning the audit log failed'),
        );
      prune();
      const pruneTimer = setInterval(prune, 60 * 60_000);
      pruneTimer.unref();
      cleanups.push(() => clearInterval(pruneTimer));
    }

    const warnAmbiguous = (names: readonly string[]) => {
      if (names.length > 0)
        log?.warn(
          { agents: names },
          'the policy declares agents whose names are taken by agents registered through the API or CLI; the registered ones keep their own grants: rename or retire one of each',
        );
    };
    runtime.on('reloaded', (policy, sources) => {
      void activate(store, policy, sources, auditLog).then(
        (conflicts) => {
          warnAmbiguous(conflicts);
          return identity.cache.refresh();
        },
        (err: unknown) => app.log.error({ err }, 'recording the reloaded policy failed'),
      );
    });
    runtime.on('warned', (diagnostics) => {
      app.log.warn(
        { warnings: diagnostics.slice(0, 10).map((d) => `${d.file}:${d.line}: ${d.message}`) },
        'the reloaded policy has warnings',
      );
    });
    runtime.on('rejected', (diagnostics) => {
      const errors = diagnostics.filter((d) => d.severity === 'error');
      app.log.warn(
        { errors: errors.length, first: errors.slice(0, 5).map((d) => `${d.file}:${d.line}: ${d.message}`) },
        'policy change rejected; the previous policy keeps running',
      );
    });
    if (options.watch !== false) await runtime.watch();

    const limiter = new AgentRateLimiter(
      config.rateLimits,
      (id) => identity.cache.agent(id)?.name,
      'postgres' in config.storage
        ? {
            url: config.storage.postgres,
            ...(config.storage.schema !== undefined && { schema: config.storage.schema }),
          }
        : undefined,
    );
    cleanups.push(() => limiter.close());
    const sessions = new PersistentSessionStore(store);
    // Registered after the store, so it flushes before the store closes.
    cleanups.push(() => sessions.close());
    const pruneSessions = setInterval(
      () => void store.pruneSessions(new Date(Date.now() - SESSION_RETENTION_MS)).catch(() => undefined),
      10 * 60_000,
    );
    pruneSessions.unref();
    cleanups.push(() => clearInterval(pruneSessions));
    const notifier =
      notifyTargets.length > 0
        ? new WebhookNotifier(notifyTargets, {
            baseUrl: url,
            onGiveUp: (failure) => {
              log?.warn({ webhook: failure }, 'approval webhook delivery gave up');
              void auditLog
                .append(
                  actionDraft({
                    type: 'alert',
                    action: 'webhook.gave-up',
                    outcome: 'failed',
                    who: {},
                    door: 'approvals',
                    detail: `${failure.url}: ${failure.error} after ${failure.attempts} attempts`,
                    approvalId: failure.approvalId,
                  }),
                )
                .catch(() => undefined);
            },
            ...(options.webhookBackoffMs && { backoffMs: options.webhookBackoffMs }),
          })
        : undefined;
    const approvals = new ApprovalService({
      store,
      groups: () => runtime.policy.groups,
      audit: auditLog,
      ...(notifier && { notifier }),
    });
    const sweepApprovals = setInterval(
      () => void approvals.sweep().catch(() => undefined),
      APPROVAL_SWEEP_MS,
    );
    sweepApprovals.unref();
    cleanups.push(() => clearInterval(sweepApprovals));
    const components: PathComponents = {
      limiter,
      sessions,
      approvals: approvals.port,
      audit: auditLog,
      onPortError: (what, err) => log?.error({ err }, `${what} failed; the call was denied`),
      inspection: config.detectors,
    };
    const decisions = new DecisionService({
      ...components,
      runtime,
      cache: identity.cache,
      verifier: identity.verifier,
      audience: [url, ...config.identity.audiences],
    });
    const gateway = new McpGateway({
      upstreams: config.upstreams,
      runtime,
      pins: new ToolPins(store, {
        audit: auditLog,
        scan: scanToolDescription,
        onAlert: (message, pin) => log?.warn({ upstream: pin.upstream, tool: pin.tool }, message),
      }),
      components,
      approvals,
      gatewayWaitMs: config.approvals.gatewayWaitMs,
      // Brokered credentials: expanded into an upstream's env or headers only when it is called.
      secrets: { reveal: (name) => vault.reveal(name), versions: () => vault.versions() },
      log: {
        warn: (obj, msg) => log?.warn(obj, msg),
        info: (obj, msg) => log?.info(obj, msg),
      },
    });
    cleanups.push(() => gateway.close());
    if (Object.keys(config.upstreams).length > 0) {
      const recycle = () =>
        void gateway.recycleRotated().then(
          (names) => {
            if (names.length > 0) log?.info({ upstreams: names }, 'restarting upstreams for rotated secrets');
          },
          (err: unknown) => log?.error({ err }, 'checking secret versions failed'),
        );
      recycle();
      const recycleTimer = setInterval(recycle, SECRET_ROTATION_CHECK_MS);
      recycleTimer.unref();
      cleanups.push(() => clearInterval(recycleTimer));
    }
    const consoleUrl = consoleOrigin(url, config.console.url);
    const consoleSessions = new ConsoleSessions(new ConsoleAccounts(store.db), {
      idleTimeoutMs: config.console.idleTimeoutMs,
      absoluteTimeoutMs: config.console.absoluteTimeoutMs,
      origin: consoleUrl,
    });
    const pruneConsole = setInterval(
      () => void consoleSessions.accounts.prune(Date.now()).catch(() => undefined),
      10 * 60_000,
    );
    pruneConsole.unref();
    cleanups.push(() => clearInterval(pruneConsole));
    const app = await createHttpApp({
      runtime,
      store,
      authorizationServer: identity.authorizationServer,
      decisions,
      catalog,
      admin: new AgentAdmin(store),
      auditLog,
      approvals,
      baseUrl: url,
      gateway,
      audiences: [url, ...config.identity.audiences],
      requestLimits: config.server.requestLimits,
      readinessProblems: async () => [
        ...(identity.cache.lastError ? ['the registry cache cannot refresh from the store'] : []),
        ...(limiter.problem ? [limiter.problem] : []),
        ...((await auditWritable(auditLog))
          ? []
          : ['the audit log cannot be written; every call is refused']),
      ],
      logger: options.logger ?? false,
      console: {
        sessions: consoleSessions,
        feed,
        ...(config.console.oidc && { oidc: config.console.oidc }),
        // WebAuthn binds passkeys to the host name (an IP address is not a valid RP ID: use localhost).
        rp: { id: new URL(consoleUrl).hostname, origin: consoleUrl, name: 'Gatehouse' },
        url: consoleUrl,
      },
    });
    cleanups.push(() => app.close());
    log = app.log;
    warnAmbiguous(ambiguousAgents);
    if (load.registeredDropped)
      app.log.warn('tools registered through the API do not compile with the policy files and were left out');
    const syncCatalog = setInterval(() => void catalog.sync().catch(() => undefined), CATALOG_SYNC_MS);
    syncCatalog.unref();
    cleanups.push(() => clearInterval(syncCatalog));
    if (!(await limiter.ready(5000)))
      app.log.warn('the rate limiter cannot reach Redis yet; calls are denied until it does');
    await app.listen({ host, port });
    return {
      url,
      listenUrl,
      app,
      runtime,
      store,
      identity,
      decisions,
      approvals,
      gateway,
      audit: auditLog,
      checkpointer,
      auditKey,
      ...(notifier && { notifier }),
      vault,
      consoleSessions,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** Records the activated version and registers the agents it declares. */
async function activate(
  store: Store,
  policy: CompiledPolicy,
  sources: readonly { name: string; text: string }[],
  audit: AuditSink,
): Promise<string[]> {
  await store.recordPolicyVersion({ hash: policy.hash, sources });
  await audit.append(
    actionDraft({
      type: 'policy',
      action: 'policy.activated',
      outcome: 'succeeded',
      who: {},
      door: 'server',
      extra: { hash: policy.hash, files: sources.map((s) => s.name), rules: policy.rules.length },
    }),
  );
  const { conflicts } = await registerPolicyAgents(store, policy);
  return conflicts;
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
