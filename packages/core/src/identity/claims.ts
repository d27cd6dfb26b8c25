/**
 * The claims of a Gatehouse access token (RFC 9068, JWT profile for OAuth
 * 2.0 access tokens) and of the identity a verified token yields.
 */

/** RFC 8693 §4.1: who is acting; nested `act` records each earlier actor. */
export interface ActorClaim {
  /** The acting agent's id. */
  readonly sub: string;
  readonly client_id?: string;
  readonly act?: ActorClaim;
}

/** The claims Gatehouse puts in every access token. */
export interface AccessTokenClaims {
  readonly iss: string;
  /** The agent the token was issued to, or, for on-behalf-of tokens, the user. */
  readonly sub: string;
  readonly aud: string | readonly string[];
  readonly exp: number;
  readonly iat: number;
  readonly nbf?: number;
  readonly jti: string;
  /** The agent (OAuth client) holding the token. */
  readonly client_id: string;
  /** Space-delimited tool patterns (RFC 6749 §3.3). */
  readonly scope: string;
  /** Present when the token was obtained by delegation or on behalf of someone. */
  readonly act?: ActorClaim;
  /** Delegation depth: 0 for a token issued directly to its agent. */
  readonly gh_depth?: number;
  /** On a token that acts for a user: their email, from their identity provider's token. */
  readonly email?: string;
  /** On an exchanged token: the jti of the token it descends from (revoking that revokes this). */
  readonly gh_root?: string;
}

/** What a verified access token says about the caller. */
export interface VerifiedIdentity {
  /** The agent holding the token (its `client_id`). */
  readonly agentId: string;
  /** The user the agent acts for, when the token was exchanged for one. */
  readonly userSubject?: string;
  /** That user's email, when their identity provider gave one. */
  readonly userEmail?: string;
  /** Tool patterns the token allows: within the agent's grants. */
  readonly scopes: readonly string[];
  /** Agent ids from the outermost delegator to the holder. */
  readonly delegationChain: readonly string[];
  readonly tokenId: string;
  readonly expiresAt: Date;
  readonly claims: AccessTokenClaims;
}

/**
 * The delegation chain an `act` claim records, outermost actor first.
 * RFC 8693 §4.1 nests the prior actors inside the current one.
 */
export function actorChain(act: ActorClaim | undefined): string[] {
  const chain: string[] = [];
  for (let current = act; current; current = current.act) chain.push(current.sub);
  return chain.reverse();
}
