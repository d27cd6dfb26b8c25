import type { Kysely, Selectable } from 'kysely';
import type { UserRecord } from '../identity/identity-store.js';
import type { Database, UserPasskeysTable } from '../store/database.js';
import { toUser } from '../store/identity-tables.js';

/** A person's signed-in browser session, as stored (the cookie itself is never stored). */
export interface ConsoleSessionRecord {
  readonly idDigest: string;
  readonly userId: string;
  /** The synchronizer token every state-changing request must echo in `x-csrf-token`. */
  readonly csrfToken: string;
  /** How the person signed in: `passkey` or `oidc`. */
  readonly method: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  /** The absolute end, whatever the activity. */
  readonly expiresAt: number;
}

/** A registered WebAuthn credential (passkey) of a person. */
export interface PasskeyRecord {
  /** The credential id, base64url. */
  readonly id: string;
  readonly userId: string;
  /** The COSE public key, base64url. */
  readonly publicKey: string;
  readonly counter: number;
  readonly transports: readonly string[];
  readonly createdAt: number;
}

/** A sign-in ceremony in flight: a WebAuthn challenge or an OIDC state. */
export interface ConsoleFlow {
  readonly id: string;
  readonly kind: 'passkey-sign-in' | 'passkey-enrol' | 'oidc';
  readonly data: Readonly<Record<string, string>>;
  readonly expiresAt: number;
}

/**
 * The console's sign-in tables: browser sessions, passkeys, one-time
 * enrolment links and ceremonies in flight. Secrets (cookies, invite tokens)
 * are stored only as digests.
 */
export class ConsoleAccounts {
  constructor(private readonly db: Kysely<Database>) {}

  async findUser(id: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toUser(row);
  }

  async createSession(session: ConsoleSessionRecord): Promise<void> {
    await this.db
      .insertInto('console_sessions')
      .values({
        id_digest: session.idDigest,
        user_id: session.userId,
        csrf_token: session.csrfToken,
        method: session.method,
        created_at: session.createdAt,
        last_seen_at: session.lastSeenAt,
        expires_at: session.expiresAt,
      })
      .execute();
  }

  async findSession(idDigest: string): Promise<ConsoleSessionRecord | undefined> {
    const row = await this.db
      .selectFrom('console_sessions')
      .selectAll()
      .where('id_digest', '=', idDigest)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      idDigest: row.id_digest,
      userId: row.user_id,
      csrfToken: row.csrf_token,
      method: row.method,
      createdAt: Number(row.created_at),
      lastSeenAt: Number(row.last_seen_at),
      expiresAt: Number(row.expires_at),
    };
  }

  async touchSession(idDigest: string, now: number): Promise<void> {
    await this.db
      .updateTable('console_sessions')
      .set({ last_seen_at: now })
      .where('id_digest', '=', idDigest)
      .execute();
  }

  async deleteSession(idDigest: string): Promise<void> {
    await this.db.deleteFrom('console_sessions').where('id_digest', '=', idDigest).execute();
  }

  /** Ends every session of a person (a removed passkey, a role change, an admin's cut-off). */
  async deleteSessionsOf(userId: string): Promise<void> {
    await this.db.deleteFrom('console_sessions').where('user_id', '=', userId).execute();
  }

  /** Forgets ended sessions and ceremonies. */
  async prune(now: number): Promise<void> {
    await this.db.deleteFrom('console_sessions').where('expires_at', '<', now).execute();
    await this.db.deleteFrom('console_flows').where('expires_at', '<', now).execute();
  }

  async addPasskey(passkey: PasskeyRecord): Promise<void> {
    await this.db
      .insertInto('user_passkeys')
      .values({
        id: passkey.id,
        user_id: passkey.userId,
        public_key: passkey.publicKey,
        counter: passkey.counter,
        transports: JSON.stringify(passkey.transports),
        created_at: passkey.createdAt,
        last_used_at: null,
      })
      .execute();
  }

  async findPasskey(id: string): Promise<PasskeyRecord | undefined> {
    const row = await this.db.selectFrom('user_passkeys').selectAll().where('id', '=', id).executeTakeFirst();
    return row && passkeyOf(row);
  }

  async passkeysOf(userId: string): Promise<PasskeyRecord[]> {
    const rows = await this.db
      .selectFrom('user_passkeys')
      .selectAll()
      .where('user_id', '=', userId)
      .execute();
    return rows.map(passkeyOf);
  }

  /**
   * Records a use of a passkey. Resolves false when the stored counter moved
   * meanwhile (a concurrent sign-in with the same assertion, or a clone).
   */
  async usePasskey(id: string, previousCounter: number, counter: number, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('user_passkeys')
      .set({ counter, last_used_at: now })
      .where('id', '=', id)
      .where('counter', '=', previousCounter)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async createInvite(invite: {
    tokenDigest: string;
    userId: string;
    createdAt: number;
    expiresAt: number;
  }): Promise<void> {
    await this.db
      .insertInto('user_invites')
      .values({
        token_digest: invite.tokenDigest,
        user_id: invite.userId,
        created_at: invite.createdAt,
        expires_at: invite.expiresAt,
        used_at: null,
      })
      .execute();
  }

  /** The person an unused, unexpired invite enrols. */
  async openInvite(tokenDigest: string, now: number): Promise<{ userId: string } | undefined> {
    const row = await this.db
      .selectFrom('user_invites')
      .select(['user_id'])
      .where('token_digest', '=', tokenDigest)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row && { userId: row.user_id };
  }

  /** Marks an invite used; false when it was used or expired meanwhile (single use under races). */
  async consumeInvite(tokenDigest: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('user_invites')
      .set({ used_at: now })
      .where('token_digest', '=', tokenDigest)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async putFlow(flow: ConsoleFlow): Promise<void> {
    await this.db
      .insertInto('console_flows')
      .values({ id: flow.id, kind: flow.kind, data: JSON.stringify(flow.data), expires_at: flow.expiresAt })
      .execute();
  }

  /** Takes a ceremony out of the store: each one is answered at most once. */
  async takeFlow(id: string, kind: ConsoleFlow['kind'], now: number): Promise<ConsoleFlow | undefined> {
    const row = await this.db
      .selectFrom('console_flows')
      .selectAll()
      .where('id', '=', id)
      .where('kind', '=', kind)
      .executeTakeFirst();
    if (!row) return undefined;
    const deleted = await this.db.deleteFrom('console_flows').where('id', '=', id).executeTakeFirst();
    if (Number(deleted.numDeletedRows) !== 1 || Number(row.expires_at) <= now) return undefined;
    return {
      id: row.id,
      kind,
      data: JSON.parse(row.data) as Record<string, string>,
      expiresAt: Number(row.expires_at),
    };
  }
}

function passkeyOf(row: Selectable<UserPasskeysTable>): PasskeyRecord {
  return {
    id: row.id,
    userId: row.user_id,
    publicKey: row.public_key,
    counter: Number(row.counter),
    transports: JSON.parse(row.transports) as string[],
    createdAt: Number(row.created_at),
  };
}
