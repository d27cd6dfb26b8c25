import { GatehouseError, narrowScopes, parseScope } from '@gatehouse/core';
import { actionDraft } from '../audit/drafts.js';
import { findConfigPath, loadConfig, serverUrlOf } from '../config/load.js';
import { AccessTokenIssuer } from '../identity/access-tokens.js';
import { openKeyRing } from '../identity/identity-runtime.js';
import { loadMasterKeys } from '../identity/master-key.js';
import { withAdmin } from './agent-commands.js';
import { cliActor } from './audit-commands.js';
import { type CliIo, EXIT, printJson, UsageError } from './io.js';

/** Options of `gatehouse token`. */
export interface TokenOptions {
  agent: string;
  scope?: string;
  resource?: string;
  /** The server the token is for, when it runs elsewhere than the config says (`serve --port`). */
  url?: string;
  json?: boolean;
  config?: string;
}

/**
 * `gatehouse token --agent NAME`: mints an access token for an agent from the store's signing
 * keys, as `/oauth/token` would (its grants, or a narrower `--scope`; the configured lifetime),
 * for trying the decision API and the gateway with curl. Only whoever can read the store and the
 * master key can run it, and every token it mints is in the audit log.
 */
export async function token(io: CliIo, opts: TokenOptions): Promise<number> {
  const config = await loadConfig(findConfigPath({ flag: opts.config, env: io.env, cwd: io.cwd }), io.env);
  // The issuer a server checks is its own URL: a server started with --port is named here.
  const issuerUrl = (opts.url ?? io.env.GATEHOUSE_URL ?? serverUrlOf(config)).replace(/\/+$/, '');
  const issued = await withAdmin(io, opts.config, async (admin, store, _policy, audit) => {
    const agent = await admin.requireAgent(opts.agent);
    if (agent.status !== 'active')
      throw new GatehouseError(
        'GH_AGENT_INACTIVE',
        `agent '${agent.name}' is ${agent.status}; it gets no token`,
      );
    const { granted, refused } = narrowScopes(parseScope(opts.scope), agent.grants);
    if (refused.length > 0)
      throw new UsageError(`--scope not within the grants of '${agent.name}': ${refused.join(' ')}`);
    const masterKey = await loadMasterKeys({
      env: io.env,
      keyFile: config.identity.masterKeyFile,
      previousKeyFiles: config.identity.previousMasterKeyFiles,
    });
    const keys = await openKeyRing(store, config, masterKey);
    const minted = await new AccessTokenIssuer(keys, {
      issuer: issuerUrl,
      lifetimeS: config.identity.tokenLifetimeS,
    }).issue({
      clientId: agent.id,
      subject: agent.id,
      scopes: granted,
      audience: opts.resource ?? issuerUrl,
    });
    await audit.append(
      actionDraft({
        type: 'token',
        action: 'token.issued',
        outcome: 'succeeded',
        who: { person: cliActor(), agent: { id: agent.id, name: agent.name, owner: agent.owner } },
        door: 'cli',
        extra: { scope: minted.claims.scope, expires_in: minted.expiresIn },
      }),
    );
    return { agent, minted };
  });
  if (opts.json)
    printJson(io, {
      access_token: issued.minted.token,
      token_type: 'Bearer',
      expires_in: issued.minted.expiresIn,
      scope: issued.minted.claims.scope,
    });
  else io.stdout(`${issued.minted.token}\n`);
  return EXIT.ok;
}
