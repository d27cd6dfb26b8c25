import type { AgentStatus } from '@gatehouse/core';
import type { JWK } from 'jose';
import type { SigningKeyStore } from './signing-keys.js';

/** An agent as the registry keeps it. */
export interface AgentRecord {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  /** The accountable human. */
  readonly owner: string;
  readonly classification: string;
  readonly labels: readonly string[];
  readonly grants: readonly string[];
  readonly status: AgentStatus;
  /** `policy` when declared under `agents:` in policy files, `api` when created by CLI or API. */
  readonly source: 'policy' | 'api';
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly lastSeenAt?: Date;
  /** Tokens issued at or before this time are void (set when the agent leaves `active`). */
  readonly tokensValidAfter?: Date;
  /** Registry revision of the last change: caches poll for changes above what they saw. */
  readonly revision: number;
}

/** One credential of an agent: a hashed client secret or a registered public key. */
export interface CredentialRecord {
  readonly id: string;
  readonly agentId: string;
  readonly kind: 'secret' | 'public_key';
  /** scrypt hash of the client secret (kind `secret`). */
  readonly secretHash?: string;
  /** The registered public JWK (kind `public_key`, RFC 7523 client assertions). */
  readonly publicJwk?: JWK;
  readonly createdAt: Date;
  /** Set when rotated out: the credential works until then (the grace period). */
  readonly expiresAt?: Date;
  readonly revision: number;
}

/** The roles a human user may hold. */
export const USER_ROLES = ['approver', 'admin', 'auditor'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** A human: approver, admin or auditor. */
export interface UserRecord {
  readonly id: string;
  readonly email: string;
  readonly roles: readonly UserRole[];
  /** SHA-256 of the personal API token: 256 random bits cannot be guessed from it (like GitHub's tokens). */
  readonly tokenDigest: string;
  readonly createdAt: Date;
}

/** What changed in the registry since a revision. */
export interface RegistryChanges {
  readonly agents: readonly AgentRecord[];
  readonly credentials: readonly CredentialRecord[];
  readonly revokedTokens: readonly { readonly jti: string; readonly expiresAt: Date }[];
  /** The highest revision included. */
  readonly revision: number;
}

/** What creating or declaring an agent supplies; the store adds the rest. */
export type NewAgent = Pick<
  AgentRecord,
  'name' | 'owner' | 'classification' | 'labels' | 'grants' | 'source'
> & {
  /** Given for agents declared in policy (a stable id derived from the name); minted otherwise. */
  readonly id?: string;
  readonly description?: string;
  readonly status?: AgentStatus;
};

/**
 * Persistence for identities. Every change bumps one registry revision, so
 * that a running server notices a change made by the CLI in another process
 * by polling for revisions above the last one it saw.
 */
export interface IdentityStore extends SigningKeyStore {
  createAgent(agent: NewAgent, now: Date): Promise<AgentRecord>;
  /** Inserts or updates agents declared in policy; never touches `api` agents of the same name. */
  upsertPolicyAgents(
    agents: readonly NewAgent[],
    now: Date,
  ): Promise<{ created: number; updated: number; conflicts: string[] }>;
  findAgent(idOrName: string): Promise<AgentRecord | undefined>;
  listAgents(): Promise<AgentRecord[]>;
  /** Changes status; leaving `active` voids every token issued so far. */
  setAgentStatus(agentId: string, status: AgentStatus, now: Date): Promise<AgentRecord>;
  touchAgent(agentId: string, now: Date): Promise<void>;

  addCredential(credential: Omit<CredentialRecord, 'revision'>): Promise<CredentialRecord>;
  listCredentials(agentId: string): Promise<CredentialRecord[]>;
  /** Sets the expiry of every live credential of a kind, except one: the rotation grace period. */
  expireCredentials(
    agentId: string,
    kind: CredentialRecord['kind'],
    except: string,
    expiresAt: Date,
  ): Promise<void>;

  revokeToken(jti: string, expiresAt: Date): Promise<void>;
  /** Records a client-assertion `jti`; false when it was seen before (a replay). */
  rememberAssertion(jti: string, expiresAt: Date): Promise<boolean>;
  changesSince(revision: number): Promise<RegistryChanges>;
  /** Removes revocations and assertion ids past their expiry. */
  pruneExpired(now: Date): Promise<void>;

  createUser(user: Omit<UserRecord, 'id' | 'createdAt'>, now: Date): Promise<UserRecord>;
  findUserByTokenDigest(digest: string): Promise<UserRecord | undefined>;
  findUserByEmail(email: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  /** Replaces a user's API token digest (the old token stops working); false when there is no such user. */
  replaceUserToken(email: string, tokenDigest: string): Promise<boolean>;
}
