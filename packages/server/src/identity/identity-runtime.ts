import { readFile } from 'node:fs/promises';
import { GatehouseError } from '@gatehouse/core';
import type { JSONWebKeySet } from 'jose';
import type { AuditSink } from '../audit/audit-log.js';
import type { GatehouseConfig } from '../config/load.js';
import { AuthorizationServer } from '../oauth/authorization-server.js';
import { ClientAuthenticator } from '../oauth/client-auth.js';
import type { Store } from '../store/index.js';
import {
  AccessTokenIssuer,
  AccessTokenVerifier,
  CLOCK_TOLERANCE_S,
  MAX_TOKEN_LIFETIME_S,
} from './access-tokens.js';
import type { MasterKeys } from './master-key.js';
import { RegistryCache } from './registry-cache.js';
import { KeyRing } from './signing-keys.js';

/** How often the registry cache polls the store: CLI changes apply within a second. */
export const REGISTRY_POLL_MS = 250;

/** The identity side of a running server: keys, registry cache, token issuer and verifier. */
export interface IdentityRuntime {
  readonly keys: KeyRing;
  readonly cache: RegistryCache;
  readonly issuer: AccessTokenIssuer;
  /** The one token verifier every door uses. */
  readonly verifier: AccessTokenVerifier;
  readonly authorizationServer: AuthorizationServer;
  close(): void;
}

/** The signing keys, rotated as the config says: the server's, and the CLI's for `gatehouse token`. */
export function openKeyRing(
  store: Store,
  config: Pick<GatehouseConfig, 'identity'>,
  masterKey: Uint8Array | MasterKeys,
): Promise<KeyRing> {
  const rotationMs = config.identity.signingKeyRotationMs;
  return KeyRing.open(store, masterKey, {
    rotationPeriodMs: rotationMs,
    prePublishMs: Math.min(60 * 60_000, rotationMs / 4),
    maxTokenLifetimeMs: MAX_TOKEN_LIFETIME_S * 1000,
    clockSkewMs: CLOCK_TOLERANCE_S * 1000,
  });
}

/** Starts the identity runtime for a server whose public base URL is `issuerUrl`. */
export async function startIdentity(
  store: Store,
  config: GatehouseConfig,
  issuerUrl: string,
  masterKey: Uint8Array | MasterKeys,
  audit?: AuditSink,
): Promise<IdentityRuntime> {
  const rotationMs = config.identity.signingKeyRotationMs;
  const keys = await openKeyRing(store, config, masterKey);
  const cache = new RegistryCache(store);
  await cache.start(REGISTRY_POLL_MS);
  const issuer = new AccessTokenIssuer(keys, {
    issuer: issuerUrl,
    lifetimeS: config.identity.tokenLifetimeS,
  });
  const verifier = new AccessTokenVerifier(keys, { issuer: issuerUrl, agents: cache, revocations: cache });
  const clients = new ClientAuthenticator(cache, store, [`${issuerUrl}/oauth/token`, issuerUrl]);
  const trustedIssuers = await Promise.all(
    config.identity.trustedIssuers.map(async (t) => {
      let jwks: JSONWebKeySet;
      try {
        jwks = JSON.parse(await readFile(t.jwksFile, 'utf8')) as JSONWebKeySet;
      } catch {
        throw new GatehouseError(
          'GH_CONFIG_INVALID',
          `cannot read the JWKS of trusted issuer ${t.issuer} from ${t.jwksFile}`,
        );
      }
      return { issuer: t.issuer, audience: t.audience, jwks };
    }),
  );
  const authorizationServer = new AuthorizationServer(
    { store, cache, keys, issuer, verifier, clients, ...(audit && { audit }) },
    {
      issuer: issuerUrl,
      audiences: config.identity.audiences,
      maxDelegationDepth: config.identity.maxDelegationDepth,
      trustedIssuers,
    },
  );
  const timers = [
    setInterval(() => void keys.rotate().catch(() => undefined), Math.min(60_000, rotationMs / 10)),
    setInterval(() => void store.pruneExpired(new Date()).catch(() => undefined), 5 * 60_000),
  ];
  for (const t of timers) t.unref();
  return {
    keys,
    cache,
    issuer,
    verifier,
    authorizationServer,
    close() {
      for (const t of timers) clearInterval(t);
      cache.stop();
    },
  };
}
