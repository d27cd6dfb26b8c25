import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import {
  ConfigError,
  DEFAULT_JSON_LIMITS,
  type Diagnostic,
  type JsonLimits,
  loadYamlDocuments,
  schemaDiagnostics,
} from '@gatehouse/core';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { WebhookTarget } from '../approvals/webhooks.js';
import type { StorageConfig } from '../store/index.js';
import { type ConfigDocument, configSchema } from './schema.js';

/** The default port: 4470, "GH" on a phone keypad is 44. */
export const DEFAULT_PORT = 4470;
export const DEFAULT_HOST = '127.0.0.1';
const MAX_CONFIG_LENGTH = 256 * 1024;
/** Where the master key file is when `identity.masterKeyFile` does not say, relative to the config. */
export const DEFAULT_MASTER_KEY_FILE = './.gatehouse/master.key';

const validateConfig = new Ajv2020({ allErrors: true, strict: true, verbose: true }).compile(configSchema);

/** `gatehouse.yaml` with defaults applied and every path made absolute. */
export interface GatehouseConfig {
  /** The config file itself. */
  readonly file: string;
  /** The policy file or folder. */
  readonly policyPath: string;
  readonly storage: StorageConfig;
  /** Where Gatehouse keeps local state: the master key, the SQLite file by default. */
  readonly dataDir: string;
  readonly server: {
    readonly host: string;
    readonly port: number;
    readonly publicUrl?: string;
    /** Bounds on one JSON request body, defaults applied. */
    readonly requestLimits: JsonLimits;
  };
  readonly rateLimits: RateLimitConfig;
  readonly console: ConsoleConfig;
  readonly approvals: {
    readonly notify: readonly WebhookTarget[];
    /**
     * Webhooks whose `${env:…}` is not set in this environment. Only the commands that deliver
     * notifications (`serve`, `approvals approve|deny`) need them, and they refuse to run
     * with these diagnostics (`requireNotifyTargets`); every other command ignores them.
     */
    readonly unresolvedNotify: readonly Diagnostic[];
    readonly gatewayWaitMs: number;
  };
  readonly audit: {
    readonly checkpointEvery: number;
    readonly checkpointIntervalMs: number;
    readonly checkpointFile: string;
    readonly checkpointWebhook?: string;
    readonly retentionMs?: number;
    readonly otlp?: { readonly url: string; readonly headers: Readonly<Record<string, string>> };
  };
  /** The model behind `policy draft --llm`, when configured; its output is verified like the grammar's. */
  readonly nl?: {
    readonly baseUrl: string;
    readonly model: string;
    readonly apiKey?: string;
    readonly timeoutMs: number;
  };
  /** The inspect step: injection threshold and size cap (defaults in core). */
  readonly detectors: { readonly threshold?: number; readonly maxChars?: number };
  /** The MCP servers the gateway fronts, by name. */
  readonly upstreams: Readonly<Record<string, UpstreamConfig>>;
  readonly identity: {
    readonly tokenLifetimeS: number;
    readonly maxDelegationDepth: number;
    readonly secretGraceMs: number;
    readonly signingKeyRotationMs: number;
    readonly masterKeyFile: string;
    /** Earlier master keys, accepted for decryption while `gatehouse secrets rewrap` moves items off them. */
    readonly previousMasterKeyFiles: readonly string[];
    readonly audiences: readonly string[];
    readonly trustedIssuers: readonly { issuer: string; jwksFile: string; audience: string }[];
  };
}

/**
 * An upstream MCP server. `env` and `headers` values may hold `${secret:NAME}`
 * references, expanded from the vault only when the upstream is started or
 * called, so the config object never holds a brokered credential.
 */
export type UpstreamConfig = {
  readonly name: string;
  /** Catalog entries by the upstream's own tool name. */
  readonly tools: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly timeoutMs: number;
} & (
  | {
      readonly transport: 'stdio';
      readonly command: string;
      readonly args: readonly string[];
      readonly cwd: string;
      readonly env: Readonly<Record<string, string>>;
    }
  | { readonly transport: 'http'; readonly url: string; readonly headers: Readonly<Record<string, string>> }
);

/** The web console: session timeouts and, optionally, single sign-on with OpenID Connect. */
export interface ConsoleConfig {
  /** Where people open the console, if not at the public URL. */
  readonly url?: string;
  readonly idleTimeoutMs: number;
  readonly absoluteTimeoutMs: number;
  readonly oidc?: {
    readonly issuer: string;
    readonly clientId: string;
    readonly clientSecret?: string;
    readonly groupsClaim?: string;
    readonly groupRoles: Readonly<Record<string, readonly ('approver' | 'admin' | 'auditor')[]>>;
  };
}

/** A rate limit: so many requests per window. */
export interface RateLimit {
  readonly requests: number;
  readonly perMs: number;
}

/** Rate limits with defaults applied. */
export interface RateLimitConfig {
  readonly perAgent: RateLimit;
  readonly perAgentTool: RateLimit;
  readonly agents: Readonly<
    Record<string, { readonly perAgent?: RateLimit; readonly perAgentTool?: RateLimit }>
  >;
  readonly redis?: string;
}

/** Defaults: an agent doing ten calls a second, or two a second to one tool, is not a person's assistant. */
export const DEFAULT_RATE_LIMITS = {
  perAgent: { requests: 600, perMs: 60_000 },
  perAgentTool: { requests: 120, perMs: 60_000 },
} as const;

/**
 * Which config file a command uses: `--config`, then `GATEHOUSE_CONFIG`, then
 * `./gatehouse.yaml`. Every command finds it the same way.
 */
export function findConfigPath(options: { flag?: string; env: NodeJS.ProcessEnv; cwd: string }): string {
  const chosen = options.flag ?? options.env.GATEHOUSE_CONFIG ?? 'gatehouse.yaml';
  return resolve(options.cwd, chosen);
}

/** Reads, validates and resolves a config file. Throws `ConfigError` with positioned diagnostics. */
export async function loadConfig(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<GatehouseConfig> {
  let text: string;
  try {
    const info = await stat(file);
    if (info.size > MAX_CONFIG_LENGTH)
      throw new ConfigError('GH_CONFIG_INVALID', `${file} is larger than ${MAX_CONFIG_LENGTH} bytes`);
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const hint = existsSync(dirname(file)) ? ' (run `gatehouse init` to create one, or pass --config)' : '';
    throw new ConfigError('GH_CONFIG_NOT_FOUND', `cannot read config ${file}${hint}`);
  }
  const { documents, diagnostics } = loadYamlDocuments(
    { name: file, text },
    { maxLength: MAX_CONFIG_LENGTH, syntaxCode: 'GH_CONFIG_YAML', tooLargeCode: 'GH_CONFIG_SCHEMA' },
  );
  const problems: Diagnostic[] = [...diagnostics];
  const unresolvedNotify: Diagnostic[] = [];
  if (problems.length === 0 && documents.length !== 1) {
    problems.push({
      severity: 'error',
      code: 'GH_CONFIG_SCHEMA',
      message: 'the config must be exactly one YAML document',
      file,
      line: 0,
      column: 0,
    });
  }
  const doc = documents[0];
  if (doc && problems.length === 0)
    problems.push(...schemaDiagnostics(doc, validateConfig, 'GH_CONFIG_SCHEMA'));
  if (doc && problems.length === 0) {
    const storage = (doc.value as ConfigDocument).storage;
    if (storage && (storage.sqlite === undefined) === (storage.postgres === undefined)) {
      problems.push({
        severity: 'error',
        code: 'GH_CONFIG_SCHEMA',
        message: "storage needs exactly one of 'sqlite' or 'postgres'",
        ...doc.locate(['storage']),
      });
    } else if (storage?.schema !== undefined && storage.postgres === undefined) {
      problems.push({
        severity: 'error',
        code: 'GH_CONFIG_SCHEMA',
        message: "storage.schema applies to 'postgres' only",
        ...doc.locate(['storage', 'schema'], 'key'),
      });
    }
  }
  if (doc && problems.length === 0) {
    for (const [name, upstream] of Object.entries((doc.value as ConfigDocument).upstreams ?? {})) {
      const stdio = upstream.command !== undefined;
      const misplaced = stdio
        ? (['url', 'headers'] as const).filter((k) => upstream[k] !== undefined)
        : (['args', 'cwd', 'env'] as const).filter((k) => upstream[k] !== undefined);
      // Credentials in cleartext over a network: only to this machine.
      if (
        upstream.url !== undefined &&
        /^http:\/\//i.test(upstream.url) &&
        !isLoopbackUrl(upstream.url) &&
        Object.values(upstream.headers ?? {}).some((v) => v.includes('${secret:') || v.includes('${env:'))
      )
        problems.push({
          severity: 'error',
          code: 'GH_CONFIG_SCHEMA',
          message: `upstreams.${name}: credentials are sent only over https, or over http to a loopback address`,
          ...doc.locate(['upstreams', name, 'url']),
        });
      if (stdio === (upstream.url !== undefined) || misplaced.length > 0)
        problems.push({
          severity: 'error',
          code: 'GH_CONFIG_SCHEMA',
          message:
            stdio === (upstream.url !== undefined)
              ? `upstreams.${name} needs exactly one of 'command' (stdio) or 'url' (Streamable HTTP)`
              : `upstreams.${name}: '${misplaced[0]}' applies to ${stdio ? "a 'url'" : "a 'command'"} upstream only`,
          ...doc.locate(['upstreams', name]),
        });
    }
  }
  if (doc && problems.length === 0) {
    // `${env:NAME}` keeps passwords, webhook URLs and secrets out of the file. A variable that
    // is not set, or whose value is not the kind of value the setting takes, is an error.
    const value = doc.value as ConfigDocument;
    const references: [path: (string | number)[], text: string | undefined, shape?: RegExp][] = [
      [['storage', 'postgres'], value.storage?.postgres, /^postgres(ql)?:\/\//],
      [['rateLimits', 'redis'], value.rateLimits?.redis, /^rediss?:\/\//],
      [['audit', 'checkpoints', 'webhook'], value.audit?.checkpoints?.webhook, /^https?:\/\//],
      [['audit', 'otlp', 'url'], value.audit?.otlp?.url, /^https?:\/\//],
      [['nl', 'apiKey'], value.nl?.apiKey],
      ...Object.entries(value.audit?.otlp?.headers ?? {}).map(
        ([k, v]) => [['audit', 'otlp', 'headers', k], v] as [(string | number)[], string],
      ),
      ...(value.approvals?.notify ?? []).flatMap((hook, i) => [
        [['approvals', 'notify', i, 'url'], hook.url, /^https?:\/\//] as [
          (string | number)[],
          string,
          RegExp,
        ],
        [['approvals', 'notify', i, 'secret'], hook.secret] as [(string | number)[], string | undefined],
      ]),
      [['console', 'oidc', 'clientSecret'], value.console?.oidc?.clientSecret],
    ];
    for (const [path, text, shape] of references) {
      const name = envReference(text);
      if (name === undefined) continue;
      const where = path.join('.');
      if (!env[name]) {
        // Webhooks are needed only by the commands that deliver: the others must not fail on them.
        (path[0] === 'approvals' ? unresolvedNotify : problems).push({
          severity: 'error',
          code: 'GH_CONFIG_ENV',
          message: `${where} names the environment variable ${name}, which is not set`,
          ...doc.locate(path),
        });
      } else if (shape && !shape.test(env[name] as string)) {
        // Say what is wrong with the value, never the value: it may be a secret.
        problems.push({
          severity: 'error',
          code: 'GH_CONFIG_ENV',
          message: `${where}: the environment variable ${name} does not hold a value of the expected form (${shape.source.replace(/\\/g, '')})`,
          ...doc.locate(path),
        });
      }
    }
    // Upstream env and header values may embed references (`Bearer ${env:CRM_TOKEN}`).
    for (const [name, upstream] of Object.entries(value.upstreams ?? {})) {
      for (const field of ['env', 'headers'] as const) {
        for (const [key, text] of Object.entries(upstream[field] ?? {})) {
          for (const match of text.matchAll(/\$\{env:([A-Z_][A-Z0-9_]*)\}/g)) {
            if (env[match[1]!]) continue;
            problems.push({
              severity: 'error',
              code: 'GH_CONFIG_ENV',
              message: `upstreams.${name}.${field}.${key} names the environment variable ${match[1]}, which is not set`,
              ...doc.locate(['upstreams', name, field, key]),
            });
          }
        }
      }
    }
  }
  if (problems.length > 0 || !doc) {
    throw new ConfigError('GH_CONFIG_INVALID', `${file} is invalid`, problems);
  }
  return resolveConfig(file, doc.value as ConfigDocument, env, unresolvedNotify);
}

/** The server's public base URL, as its tokens name it: `server.publicUrl`, else where it listens. */
export function serverUrlOf(config: Pick<GatehouseConfig, 'server'>): string {
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  return config.server.publicUrl ?? `http://${host}:${config.server.port}`;
}

/**
 * The config's webhooks, for a command that delivers notifications: refuses, naming each unset
 * variable, when one of them cannot be resolved in this environment.
 */
export function requireNotifyTargets(config: GatehouseConfig): readonly WebhookTarget[] {
  if (config.approvals.unresolvedNotify.length > 0)
    throw new ConfigError(
      'GH_CONFIG_INVALID',
      `${config.file}: approvals.notify needs environment variables that are not set`,
      config.approvals.unresolvedNotify,
    );
  return config.approvals.notify;
}

function resolveConfig(
  file: string,
  doc: ConfigDocument,
  env: NodeJS.ProcessEnv,
  unresolvedNotify: readonly Diagnostic[],
): GatehouseConfig {
  const dir = dirname(file);
  const expand = (value: string) => {
    const name = envReference(value);
    return name === undefined ? value : (env[name] as string);
  };
  const at = (p: string) => (isAbsolute(p) ? p : resolve(dir, p));
  const dataDir = resolve(dir, '.gatehouse');
  const storage: StorageConfig = doc.storage?.postgres
    ? {
        postgres: expand(doc.storage.postgres),
        ...(doc.storage.schema !== undefined && { schema: doc.storage.schema }),
      }
    : { sqlite: at(doc.storage?.sqlite ?? './.gatehouse/gatehouse.db') };
  const identity = doc.identity ?? {};
  const limit = (l: { requests: number; per: string } | undefined) =>
    l ? { requests: l.requests, perMs: durationMs(l.per) } : undefined;
  const rateLimits: RateLimitConfig = {
    perAgent: limit(doc.rateLimits?.perAgent) ?? DEFAULT_RATE_LIMITS.perAgent,
    perAgentTool: limit(doc.rateLimits?.perAgentTool) ?? DEFAULT_RATE_LIMITS.perAgentTool,
    agents: Object.fromEntries(
      Object.entries(doc.rateLimits?.agents ?? {}).map(([name, o]) => {
        const perAgent = limit(o.perAgent);
        const perAgentTool = limit(o.perAgentTool);
        return [name, { ...(perAgent && { perAgent }), ...(perAgentTool && { perAgentTool }) }];
      }),
    ),
    ...(doc.rateLimits?.redis !== undefined && { redis: expand(doc.rateLimits.redis) }),
  };
  return {
    file,
    policyPath: at(doc.policy),
    storage,
    dataDir,
    server: {
      host: doc.server?.host ?? DEFAULT_HOST,
      port: doc.server?.port ?? DEFAULT_PORT,
      ...(doc.server?.publicUrl !== undefined && { publicUrl: doc.server.publicUrl }),
      requestLimits: {
        maxLength: doc.server?.requestLimits?.maxBytes ?? DEFAULT_JSON_LIMITS.maxLength,
        maxDepth: doc.server?.requestLimits?.maxDepth ?? DEFAULT_JSON_LIMITS.maxDepth,
        maxEntries: doc.server?.requestLimits?.maxEntries ?? DEFAULT_JSON_LIMITS.maxEntries,
        maxStringLength: doc.server?.requestLimits?.maxStringLength ?? DEFAULT_JSON_LIMITS.maxStringLength,
      },
    },
    rateLimits,
    console: {
      ...(doc.console?.url !== undefined && { url: doc.console.url }),
      idleTimeoutMs: durationMs(doc.console?.idleTimeout ?? '30m'),
      absoluteTimeoutMs: durationMs(doc.console?.absoluteTimeout ?? '12h'),
      ...(doc.console?.oidc && {
        oidc: {
          issuer: doc.console.oidc.issuer,
          clientId: doc.console.oidc.clientId,
          ...(doc.console.oidc.clientSecret !== undefined && {
            clientSecret: expand(doc.console.oidc.clientSecret),
          }),
          ...(doc.console.oidc.groupsClaim !== undefined && { groupsClaim: doc.console.oidc.groupsClaim }),
          groupRoles: doc.console.oidc.groupRoles ?? {},
        },
      }),
    },
    approvals: {
      unresolvedNotify,
      notify: (unresolvedNotify.length > 0 ? [] : (doc.approvals?.notify ?? [])).map((hook) => {
        return {
          url: expand(hook.url),
          format: hook.format ?? 'json',
          ...(hook.secret !== undefined && { secret: expand(hook.secret) }),
        };
      }),
      gatewayWaitMs: durationMs(doc.approvals?.gatewayWait ?? '25s'),
    },
    audit: {
      checkpointEvery: doc.audit?.checkpoints?.every ?? 1000,
      checkpointIntervalMs: durationMs(doc.audit?.checkpoints?.interval ?? '10s'),
      // On by default: a copy outside the database is what makes a rewritten tail detectable.
      checkpointFile: at(doc.audit?.checkpoints?.file ?? './.gatehouse/audit-checkpoints.jsonl'),
      ...(doc.audit?.checkpoints?.webhook !== undefined && {
        checkpointWebhook: expand(doc.audit.checkpoints.webhook),
      }),
      ...(doc.audit?.retention !== undefined && { retentionMs: durationMs(doc.audit.retention) }),
      ...(doc.audit?.otlp && {
        otlp: {
          url: expand(doc.audit.otlp.url),
          headers: Object.fromEntries(
            Object.entries(doc.audit.otlp.headers ?? {}).map(([k, v]) => [k, expand(v)]),
          ),
        },
      }),
    },
    ...(doc.nl && {
      nl: {
        baseUrl: doc.nl.baseUrl,
        model: doc.nl.model,
        ...(doc.nl.apiKey !== undefined && { apiKey: expand(doc.nl.apiKey) }),
        timeoutMs: durationMs(doc.nl.timeout ?? '60s'),
      },
    }),
    detectors: {
      ...(doc.detectors?.injectionThreshold !== undefined && { threshold: doc.detectors.injectionThreshold }),
      ...(doc.detectors?.maxChars !== undefined && { maxChars: doc.detectors.maxChars }),
    },
    upstreams: Object.fromEntries(
      Object.entries(doc.upstreams ?? {}).map(([name, u]): [string, UpstreamConfig] => {
        const common = { name, tools: u.tools ?? {}, timeoutMs: durationMs(u.timeout ?? '60s') };
        // `${env:NAME}` expands now; `${secret:NAME}` stays a reference until the vault is asked.
        const expandAll = (values: Record<string, string> | undefined) =>
          Object.fromEntries(Object.entries(values ?? {}).map(([k, v]) => [k, expandEnvReferences(v, env)]));
        return [
          name,
          u.command !== undefined
            ? {
                ...common,
                transport: 'stdio',
                command: u.command,
                args: u.args ?? [],
                cwd: at(u.cwd ?? '.'),
                env: expandAll(u.env),
              }
            : { ...common, transport: 'http', url: u.url as string, headers: expandAll(u.headers) },
        ];
      }),
    ),
    identity: {
      tokenLifetimeS: durationMs(identity.tokenLifetime ?? '5m') / 1000,
      maxDelegationDepth: identity.maxDelegationDepth ?? 2,
      secretGraceMs: durationMs(identity.secretGracePeriod ?? '24h'),
      signingKeyRotationMs: durationMs(identity.signingKeyRotation ?? '24h'),
      masterKeyFile: at(identity.masterKeyFile ?? DEFAULT_MASTER_KEY_FILE),
      previousMasterKeyFiles: (identity.previousMasterKeyFiles ?? []).map(at),
      audiences: identity.audiences ?? [],
      trustedIssuers: (identity.trustedIssuers ?? []).map((t) => ({ ...t, jwksFile: at(t.jwksFile) })),
    },
  };
}

/** Expands every `${env:NAME}` inside a string (an unset variable becomes empty; the check names it). */
function expandEnvReferences(value: string, env: NodeJS.ProcessEnv): string {
  return value.replace(/\$\{env:([A-Z_][A-Z0-9_]*)\}/g, (_m, name: string) => env[name] ?? '');
}

function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
  } catch {
    return false;
  }
}

/** The variable a `${env:NAME}` value names, or undefined for a literal. */
function envReference(value: string | undefined): string | undefined {
  return value === undefined ? undefined : /^\$\{env:([A-Z_][A-Z0-9_]*)\}$/.exec(value)?.[1];
}

/** `30s`, `5m`, `2h`, `7d` in milliseconds (the schema guarantees the form). */
export function durationMs(text: string): number {
  const amount = Number(text.slice(0, -1));
  const unit = text.at(-1);
  return amount * (unit === 's' ? 1000 : unit === 'm' ? 60_000 : unit === 'h' ? 3_600_000 : 86_400_000);
}
