import { GatehouseError } from '@gatehouse/core';
import type { AuditSink } from '../audit/audit-log.js';
import { actionDraft } from '../audit/drafts.js';
import type { MasterKeys } from '../identity/master-key.js';
import { openSecret, rewrapSecret, sealSecret } from './envelope.js';
import { assertSecretName, assertSecretValue, SecretError } from './secret-error.js';
import type { StoredSecret, VaultStore } from './vault-store.js';

/** What anyone may see of a secret: never its value. */
export interface SecretMetadata {
  readonly name: string;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** The master key that wraps its data key. */
  readonly masterKeyId: string;
}

/** What `SecretVault.rewrap` did. */
export interface RewrapResult {
  /** Secrets whose data key was re-wrapped under the current master key. */
  readonly rewrapped: readonly string[];
  /** Secrets already under the current master key. */
  readonly current: number;
  /** Secrets that could not be re-wrapped (no key held for them, or altered), with why. */
  readonly failed: readonly { readonly name: string; readonly code: string; readonly message: string }[];
}

/** Who a change is recorded as, and through which door. */
export interface VaultAudit {
  readonly sink: AuditSink;
  readonly door: string;
  readonly actor: string;
}

/** Attempts of a compare-and-set before a concurrent writer is reported as a conflict. */
const SWAP_ATTEMPTS = 5;

/**
 * Brokered credentials: secrets stored encrypted (envelope encryption, see
 * `envelope.ts`), changed only through audited operations, and revealed only
 * inside the server, to be injected into an upstream's environment or
 * headers at call time. No method returns a value except `reveal`, and no
 * error or audit event carries one.
 *
 * `set` creates and refuses an existing name, `rotate` replaces and refuses
 * an unknown one: changing a live credential is always a deliberate,
 * separately audited rotation (with a new version a running gateway notices),
 * never the side effect of a mistyped `set`.
 *
 * @example
 * const vault = new SecretVault(store, masterKeys, { sink: audit, door: 'cli', actor: 'cli:alice' });
 * await vault.set('crm-token', 'tok_live_…');
 * const header = await resolveSecretRefs('Bearer ${secret:crm-token}', (n) => vault.reveal(n));
 */
export class SecretVault {
  constructor(
    private readonly store: VaultStore,
    private readonly keys: MasterKeys,
    /** Where changes are recorded; without it, changes are refused. */
    private readonly audit: VaultAudit,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Creates secret `name` at version 1; `GH_CONFLICT` when it exists (use `rotate`). */
  async set(name: string, value: string): Promise<SecretMetadata> {
    assertSecretName(name);
    assertSecretValue(name, value);
    const now = this.now();
    const stored: StoredSecret = {
      ...sealSecret(name, 1, value, this.keys.current),
      createdAt: now,
      updatedAt: now,
    };
    if (!(await this.store.insertSecret(stored)))
      throw new GatehouseError(
        'GH_CONFLICT',
        `secret '${name}' exists; change its value with 'gatehouse secrets rotate ${name}'`,
        { status: 409 },
      );
    await this.record('secret.created', { name, version: 1, master_key: stored.masterKeyId });
    return metadata(stored);
  }

  /** Replaces the value of `name` under a new data key, as the next version; `GH_SECRET_NOT_FOUND` when unknown. */
  async rotate(name: string, value: string): Promise<SecretMetadata> {
    assertSecretName(name);
    assertSecretValue(name, value);
    for (let attempt = 0; attempt < SWAP_ATTEMPTS; attempt++) {
      const existing = await this.existing(name);
      const stored: StoredSecret = {
        ...sealSecret(name, existing.version + 1, value, this.keys.current),
        createdAt: existing.createdAt,
        updatedAt: this.now(),
      };
      if (await this.store.swapSecret(stored, existing)) {
        await this.record('secret.rotated', {
          name,
          version: stored.version,
          master_key: stored.masterKeyId,
        });
        return metadata(stored);
      }
    }
    throw concurrentChange(name);
  }

  /** Deletes `name`; `GH_SECRET_NOT_FOUND` when unknown. */
  async delete(name: string): Promise<void> {
    assertSecretName(name);
    const existing = await this.existing(name);
    if (!(await this.store.deleteSecret(name))) throw notFound(name);
    await this.record('secret.deleted', { name, version: existing.version });
  }

  /** Every secret's metadata, by name. Never a value. */
  async list(): Promise<SecretMetadata[]> {
    return (await this.store.listSecrets()).map(metadata);
  }

  /**
   * The plaintext of `name`, for injection into an upstream at call time
   * only: never return it from an API, log it or put it in an event. Fails
   * closed: `GH_SECRET_NOT_FOUND`, or `GH_SECRET_UNREADABLE` when it was
   * altered or is wrapped by a master key this process does not hold.
   */
  async reveal(name: string): Promise<string> {
    assertSecretName(name);
    const stored = await this.existing(name);
    return openSecret(stored, this.masterKeyFor(stored));
  }

  /** The version of every secret: a running server compares these to notice a rotation. */
  async versions(): Promise<Map<string, number>> {
    return new Map((await this.store.secretVersions()).map((s) => [s.name, s.version]));
  }

  /**
   * Re-wraps every data key not under the current master key (the values'
   * ciphertexts stay as they are). Safe to run while servers are up and to
   * run twice; a secret rotated meanwhile is already under the current key.
   */
  async rewrap(): Promise<RewrapResult> {
    const rewrapped: string[] = [];
    const failed: { name: string; code: string; message: string }[] = [];
    let current = 0;
    for (const listed of await this.store.listSecrets()) {
      let stored: StoredSecret | undefined = listed;
      try {
        for (let attempt = 0; stored && stored.masterKeyId !== this.keys.current.id; attempt++) {
          if (attempt === SWAP_ATTEMPTS) throw concurrentChange(stored.name);
          const next: StoredSecret = {
            ...rewrapSecret(stored, this.masterKeyFor(stored), this.keys.current),
            createdAt: stored.createdAt,
            updatedAt: stored.updatedAt,
          };
          if (await this.store.swapSecret(next, stored)) {
            rewrapped.push(stored.name);
            stored = undefined;
          } else {
            stored = await this.store.getSecret(listed.name);
          }
        }
        if (stored) current++;
      } catch (err) {
        if (!(err instanceof GatehouseError)) throw err;
        failed.push({ name: listed.name, code: err.code, message: err.message });
      }
    }
    if (rewrapped.length > 0)
      await this.record('secret.rewrapped', {
        names: rewrapped,
        master_key: this.keys.current.id,
      });
    return { rewrapped, current, failed };
  }

  private async existing(name: string): Promise<StoredSecret> {
    const stored = await this.store.getSecret(name);
    if (!stored) throw notFound(name);
    return stored;
  }

  private masterKeyFor(stored: StoredSecret) {
    const key = this.keys.byId(stored.masterKeyId);
    if (!key)
      throw new SecretError(
        'GH_SECRET_UNREADABLE',
        `secret '${stored.name}' is wrapped by master key ${stored.masterKeyId}, which this process does not hold ` +
          `(it holds ${this.keys.describe()}); list the old key in GATEHOUSE_MASTER_KEY_PREVIOUS or identity.previousMasterKeyFiles`,
        stored.name,
      );
    return key;
  }

  private async record(action: string, extra: Record<string, unknown>): Promise<void> {
    await this.audit.sink.append(
      actionDraft({
        type: 'admin',
        action,
        outcome: 'succeeded',
        who: { person: this.audit.actor },
        door: this.audit.door,
        extra,
      }),
    );
  }
}

function metadata(stored: StoredSecret): SecretMetadata {
  return {
    name: stored.name,
    version: stored.version,
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
    masterKeyId: stored.masterKeyId,
  };
}

function notFound(name: string): SecretError {
  return new SecretError('GH_SECRET_NOT_FOUND', `no secret '${name}'`, name, { status: 404 });
}

function concurrentChange(name: string): GatehouseError {
  return new GatehouseError('GH_CONFLICT', `secret '${name}' kept changing meanwhile; try again`, {
    status: 409,
  });
}
