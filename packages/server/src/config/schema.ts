/**
 * JSON Schema of `gatehouse.yaml`: the one statement of what the config may
 * hold. Closed objects, so a misspelt key is an error with its line.
 */
const DURATION = { type: 'string', pattern: '^[1-9][0-9]{0,5}(s|m|h|d)$' };
/** `${env:NAME}`: a value read from the environment, so that secrets stay out of the file. */
const ENV_REF = '\\$\\{env:[A-Z_][A-Z0-9_]*\\}';
/** An upstream's name: a path segment of `/mcp/<name>` and the prefix of its tools in policy (no dot). */
export const UPSTREAM_NAME_PATTERN = '^[a-z][a-z0-9_-]{0,62}$';
const LIMIT = {
  type: 'object',
  additionalProperties: false,
  required: ['requests', 'per'],
  properties: { requests: { type: 'integer', minimum: 1, maximum: 1_000_000 }, per: DURATION },
};

export const configSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://gatehouse.dev/schemas/config.json',
  type: 'object',
  additionalProperties: false,
  required: ['policy'],
  properties: {
    policy: { type: 'string', minLength: 1 },
    storage: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 2,
      properties: {
        sqlite: { type: 'string', minLength: 1 },
        postgres: { type: 'string', pattern: `^(postgres(ql)?://|${ENV_REF}$)` },
        schema: { type: 'string', pattern: '^[a-z_][a-z0-9_]{0,62}$' },
      },
    },
    server: {
      type: 'object',
      additionalProperties: false,
      properties: {
        host: { type: 'string', minLength: 1 },
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        /** The public base URL: the OAuth issuer and the audience of tokens. */
        publicUrl: { type: 'string', pattern: '^https?://[^/]+(/.*[^/])?$' },
        /** Bounds on one JSON request body, enforced before it is parsed (README: request limits). */
        requestLimits: {
          type: 'object',
          additionalProperties: false,
          properties: {
            maxBytes: { type: 'integer', minimum: 1024, maximum: 64 * 1024 * 1024 },
            maxDepth: { type: 'integer', minimum: 2, maximum: 256 },
            maxEntries: { type: 'integer', minimum: 1, maximum: 1_000_000 },
            maxStringLength: { type: 'integer', minimum: 1, maximum: 64 * 1024 * 1024 },
          },
        },
      },
    },
    rateLimits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        perAgent: LIMIT,
        perAgentTool: LIMIT,
        /** Per-agent overrides, by agent name. */
        agents: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            properties: { perAgent: LIMIT, perAgentTool: LIMIT },
          },
        },
        /** A Redis URL: limits shared by every replica. Without it, limits are per process. */
        redis: { type: 'string', pattern: `^(rediss?://|${ENV_REF}$)` },
      },
    },
    /** The web console at `/console`: session timeouts and single sign-on. */
    console: {
      type: 'object',
      additionalProperties: false,
      properties: {
        /** Where people open the console, when not at `server.publicUrl` (a proxy in front). */
        url: { type: 'string', pattern: '^https?://[^/]+/?$' },
        idleTimeout: DURATION,
        absoluteTimeout: DURATION,
        oidc: {
          type: 'object',
          additionalProperties: false,
          required: ['issuer', 'clientId'],
          properties: {
            issuer: { type: 'string', pattern: '^https?://' },
            clientId: { type: 'string', minLength: 1, maxLength: 500 },
            clientSecret: { type: 'string', minLength: 1 },
            /** A claim listing the person's groups, and the roles each group grants. */
            groupsClaim: { type: 'string', minLength: 1, maxLength: 100 },
            groupRoles: {
              type: 'object',
              additionalProperties: {
                type: 'array',
                items: { enum: ['approver', 'admin', 'auditor'] },
                uniqueItems: true,
              },
            },
          },
        },
      },
    },
    approvals: {
      type: 'object',
      additionalProperties: false,
      properties: {
        /** Webhooks told when an approval opens and when it ends. `${env:NAME}` reads a variable. */
        notify: {
          type: 'array',
          maxItems: 20,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['url'],
            properties: {
              url: { type: 'string', pattern: '^(https?://|\\$\\{env:[A-Z_][A-Z0-9_]*\\}$)' },
              format: { enum: ['json', 'slack'] },
              secret: { type: 'string', minLength: 1 },
            },
          },
        },
        /** How long the MCP gateway holds a call for a person before answering "pending". */
        gatewayWait: DURATION,
      },
    },
    audit: {
      type: 'object',
      additionalProperties: false,
      properties: {
        checkpoints: {
          type: 'object',
          additionalProperties: false,
          properties: {
            /** A signed checkpoint once this many events follow the last one... */
            every: { type: 'integer', minimum: 1, maximum: 10_000_000 },
            /** ...or once this much time has passed with new events. */
            interval: DURATION,
            /** A copy of every checkpoint outside the database (JSON Lines). */
            file: { type: 'string', minLength: 1 },
            /** ...and/or POSTed here. */
            webhook: { type: 'string', pattern: `^(https?://|${ENV_REF}$)` },
          },
        },
        /** Events older than this are pruned at a checkpoint. Without it, nothing is pruned. */
        retention: DURATION,
        /** Live export of tool calls as OpenTelemetry spans over OTLP/HTTP (JSON). */
        otlp: {
          type: 'object',
          additionalProperties: false,
          required: ['url'],
          properties: {
            url: { type: 'string', pattern: `^(https?://|${ENV_REF}$)` },
            headers: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
      },
    },
    /** The model `gatehouse policy draft --llm` asks: any OpenAI-compatible chat-completions endpoint. */
    nl: {
      type: 'object',
      additionalProperties: false,
      required: ['baseUrl', 'model'],
      properties: {
        baseUrl: { type: 'string', pattern: '^https?://', maxLength: 2000 },
        model: { type: 'string', minLength: 1, maxLength: 200 },
        apiKey: { type: 'string', minLength: 1, maxLength: 4000 },
        timeout: DURATION,
      },
    },
    /** The inspect step's detectors. */
    detectors: {
      type: 'object',
      additionalProperties: false,
      properties: {
        /** Injection score (0..1) at or above which an output is labelled `injection_suspected`. */
        injectionThreshold: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
        /** Characters inspected per output; beyond, the output is labelled `oversize`. */
        maxChars: { type: 'integer', minimum: 1024, maximum: 67_108_864 },
      },
    },
    /** MCP servers the gateway fronts at `/mcp/<name>`: a command (stdio) or a URL (Streamable HTTP). */
    upstreams: {
      type: 'object',
      maxProperties: 100,
      propertyNames: { pattern: UPSTREAM_NAME_PATTERN },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          command: { type: 'string', minLength: 1 },
          args: { type: 'array', maxItems: 100, items: { type: 'string' } },
          cwd: { type: 'string', minLength: 1 },
          /** The child's environment, on top of a safe default set; `${secret:NAME}` and `${env:NAME}` expand. */
          env: {
            type: 'object',
            maxProperties: 100,
            propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]{0,127}$' },
            additionalProperties: { type: 'string' },
          },
          url: { type: 'string', pattern: '^https?://[^\\s]+$' },
          /** Sent on every request to the upstream; `${secret:NAME}` and `${env:NAME}` expand at call time. */
          headers: {
            type: 'object',
            maxProperties: 50,
            propertyNames: { pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$" },
            additionalProperties: { type: 'string' },
          },
          /** Catalog entries for the upstream's tools, by their MCP name (policy sees `<upstream>.<tool>`). */
          tools: {
            type: 'object',
            maxProperties: 1000,
            // MCP tool names, and the pseudo-tools under which resource reads, prompt fetches and the
            // upstream's sampling and elicitation requests run (gateway/gateway.ts).
            propertyNames: {
              pattern:
                '^([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|resources/read|prompts/get|sampling/createMessage|elicitation/create)$',
            },
            additionalProperties: { type: 'object' },
          },
          /** How long one call may take before it fails. */
          timeout: DURATION,
        },
      },
    },
    identity: {
      type: 'object',
      additionalProperties: false,
      properties: {
        tokenLifetime: DURATION,
        maxDelegationDepth: { type: 'integer', minimum: 0, maximum: 10 },
        secretGracePeriod: DURATION,
        signingKeyRotation: DURATION,
        masterKeyFile: { type: 'string', minLength: 1 },
        previousMasterKeyFiles: {
          type: 'array',
          items: { type: 'string', minLength: 1 },
          uniqueItems: true,
        },
        audiences: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
        trustedIssuers: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['issuer', 'jwksFile', 'audience'],
            properties: {
              issuer: { type: 'string', minLength: 1 },
              jwksFile: { type: 'string', minLength: 1 },
              audience: { type: 'string', minLength: 1 },
            },
          },
        },
      },
    },
  },
} as const;

/** The config as written, after schema validation. */
/** A rate limit as written: `{ requests: 600, per: 1m }`. */
export interface LimitDocument {
  requests: number;
  per: string;
}

export interface ConfigDocument {
  policy: string;
  nl?: { baseUrl: string; model: string; apiKey?: string; timeout?: string };
  rateLimits?: {
    perAgent?: LimitDocument;
    perAgentTool?: LimitDocument;
    agents?: Record<string, { perAgent?: LimitDocument; perAgentTool?: LimitDocument }>;
    redis?: string;
  };
  storage?: { sqlite?: string; postgres?: string; schema?: string };
  console?: {
    url?: string;
    idleTimeout?: string;
    absoluteTimeout?: string;
    oidc?: {
      issuer: string;
      clientId: string;
      clientSecret?: string;
      groupsClaim?: string;
      groupRoles?: Record<string, ('approver' | 'admin' | 'auditor')[]>;
    };
  };
  approvals?: {
    notify?: { url: string; format?: 'json' | 'slack'; secret?: string }[];
    gatewayWait?: string;
  };
  audit?: {
    checkpoints?: { every?: number; interval?: string; file?: string; webhook?: string };
    retention?: string;
    otlp?: { url: string; headers?: Record<string, string> };
  };
  server?: {
    host?: string;
    port?: number;
    publicUrl?: string;
    requestLimits?: { maxBytes?: number; maxDepth?: number; maxEntries?: number; maxStringLength?: number };
  };
  upstreams?: Record<string, UpstreamDocument>;
  detectors?: { injectionThreshold?: number; maxChars?: number };
  identity?: {
    tokenLifetime?: string;
    maxDelegationDepth?: number;
    secretGracePeriod?: string;
    signingKeyRotation?: string;
    masterKeyFile?: string;
    previousMasterKeyFiles?: string[];
    audiences?: string[];
    trustedIssuers?: { issuer: string; jwksFile: string; audience: string }[];
  };
}

/** One upstream MCP server as written. */
export interface UpstreamDocument {
  command?: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string>;
  url?: string;
  headers?: Record<string, string>;
  tools?: Record<string, Record<string, unknown>>;
  timeout?: string;
}
