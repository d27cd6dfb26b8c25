import * as oauth from 'oauth4webapi';

/** Renew a token this long before it expires, so a call never leaves with one about to lapse. */
const RENEW_MARGIN_S = 30;

/** The agent's own credentials, with which the guard fetches and renews its access tokens. */
export interface AgentCredentials {
  /** The agent's client_id (its `agt_…` id). */
  readonly clientId: string;
  /** The client secret `gatehouse agents create` printed once. */
  readonly clientSecret?: string;
  /**
   * Or the private key whose public JWK was registered (`agents create --public-key`), for
   * `private_key_jwt` (RFC 7523): a `CryptoKey`, or `{ key, kid }`.
   */
  readonly privateKey?: oauth.PrivateKey['key'] | oauth.PrivateKey;
  /** Space-separated scopes, narrower than the agent's grants; all of them when absent. */
  readonly scope?: string;
}

/** A source of access tokens that fetches one when needed and renews it before it expires. */
export interface TokenSource {
  (): Promise<string>;
  /** Forgets the current token (the server refused it): the next call fetches a new one. */
  invalidate(): void;
}

/**
 * Fetches access tokens from Gatehouse's token endpoint with the agent's credentials
 * (`client_credentials`, with `client_secret_basic` or `private_key_jwt`) and renews them before
 * they expire; concurrent callers share one request. Credentials travel only over https, or over
 * http to a loopback address.
 *
 * @example
 * ```ts
 * const tokens = agentTokenSource('http://127.0.0.1:4470', { clientId, clientSecret });
 * const accessToken = await tokens();
 * ```
 */
export function agentTokenSource(
  server: string,
  credentials: AgentCredentials,
  options: { fetch?: typeof fetch; timeoutMs?: number } = {},
): TokenSource {
  const base = server.replace(/\/+$/, '');
  const url = new URL(base);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) || /^127\./.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw new TypeError(
      `agent credentials go only over https, or http to a loopback address, not to ${base}`,
    );
  if ((credentials.clientSecret === undefined) === (credentials.privateKey === undefined))
    throw new TypeError('give the agent credentials exactly one of clientSecret or privateKey');
  const as: oauth.AuthorizationServer = { issuer: base, token_endpoint: `${base}/oauth/token` };
  const client: oauth.Client = { client_id: credentials.clientId };
  const authentication =
    credentials.clientSecret !== undefined
      ? oauth.ClientSecretBasic(credentials.clientSecret)
      : oauth.PrivateKeyJwt(credentials.privateKey as oauth.PrivateKey['key'] | oauth.PrivateKey);
  const timeoutMs = options.timeoutMs ?? 10_000;

  let current: { token: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;
  const fetchToken = async (): Promise<string> => {
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      authentication,
      credentials.scope !== undefined ? { scope: credentials.scope } : {},
      {
        ...(url.protocol === 'http:' && { [oauth.allowInsecureRequests]: true }),
        ...(options.fetch && { [oauth.customFetch]: options.fetch }),
        signal: AbortSignal.timeout(timeoutMs),
      },
    );
    let result: oauth.TokenEndpointResponse;
    try {
      result = await oauth.processClientCredentialsResponse(as, client, response);
    } catch (err) {
      throw new Error(`the token endpoint refused the agent's credentials: ${await refusalOf(err)}`);
    }
    current = {
      token: result.access_token,
      renewAt: Date.now() + Math.max(1, (result.expires_in ?? 60) - RENEW_MARGIN_S) * 1000,
    };
    return result.access_token;
  };
  const source = async () => {
    if (current && Date.now() < current.renewAt) return current.token;
    pending ??= fetchToken().finally(() => {
      pending = undefined;
    });
    return pending;
  };
  return Object.assign(source, {
    invalidate() {
      current = undefined;
    },
  });
}

/** The OAuth error code and description of a refusal (RFC 6749 §5.2), however it was carried. */
async function refusalOf(err: unknown): Promise<string> {
  const said = (error: unknown, description: unknown) =>
    [error, description].filter((p) => typeof p === 'string' && p !== '').join(': ');
  if (err instanceof oauth.ResponseBodyError) return said(err.error, err.error_description);
  if (err instanceof oauth.WWWAuthenticateChallengeError) {
    // A 401 with a `Basic` challenge carries the RFC 6749 error in its body.
    const body = (await err.response.json().catch(() => ({}))) as Record<string, unknown>;
    const parameters = err.cause[0]?.parameters;
    return (
      said(body.error, body.error_description) ||
      said(parameters?.error, parameters?.error_description) ||
      `HTTP ${err.status}`
    );
  }
  return err instanceof Error ? err.message : String(err);
}
