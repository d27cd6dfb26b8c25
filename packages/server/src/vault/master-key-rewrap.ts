import type { AuditStore } from '../audit/audit-store.js';
import { actionDraft } from '../audit/drafts.js';
import type { MasterKeys } from '../identity/master-key.js';
import type { SigningKeyStore } from '../identity/signing-keys.js';
import type { RewrapResult, SecretVault, VaultAudit } from './secret-vault.js';
import type { VaultStore } from './vault-store.js';

/** What `rewrapMasterKeyItems` did. */
export interface MasterKeyRewrapResult {
  /** The master key everything is now under. */
  readonly masterKeyId: string;
  readonly secrets: RewrapResult;
  /** Token signing keys: private halves re-encrypted, and those already under the current key. */
  readonly signingKeys: { readonly rewrapped: number; readonly current: number };
  /** The audit checkpoint key, likewise. */
  readonly auditKeys: { readonly rewrapped: number; readonly current: number };
}

/**
 * The step of master-key rotation that makes the previous keys unnecessary:
 * every item encrypted under the master key — vault data keys, token signing
 * keys, the audit signing key — is re-encrypted under the current key. Runs
 * while servers are up (each replace is a compare-and-set, and a running
 * server has its keys decrypted in memory already); run it again and it finds
 * nothing to do. Once it reports no failure, the previous keys can go.
 *
 * A signing or audit key no key held can decrypt fails the whole run with
 * `GH_MASTER_KEY`: dropping the previous key then would lose it.
 */
export async function rewrapMasterKeyItems(
  store: VaultStore & Pick<SigningKeyStore, 'listSigningKeys'> & Pick<AuditStore, 'listAuditKeys'>,
  keys: MasterKeys,
  vault: SecretVault,
  audit: VaultAudit,
): Promise<MasterKeyRewrapResult> {
  const signingKeys = await rewrapJwes(
    keys,
    (await store.listSigningKeys()).map((k) => ({
      kid: k.kid,
      jwe: k.privateJwe,
      what: `signing key ${k.kid}`,
    })),
    (kid, expected, next) => store.swapSigningKeyJwe(kid, expected, next),
  );
  const auditKeys = await rewrapJwes(
    keys,
    (await store.listAuditKeys()).map((k) => ({ kid: k.kid, jwe: k.privateJwe, what: `audit key ${k.kid}` })),
    (kid, expected, next) => store.swapAuditKeyJwe(kid, expected, next),
  );
  const secrets = await vault.rewrap();
  await audit.sink.append(
    actionDraft({
      type: 'admin',
      action: 'master-key.rewrapped',
      outcome: secrets.failed.length === 0 ? 'succeeded' : 'failed',
      who: { person: audit.actor },
      door: audit.door,
      extra: {
        master_key: keys.current.id,
        secrets_rewrapped: secrets.rewrapped.length,
        secrets_failed: secrets.failed.map((f) => f.name),
        signing_keys_rewrapped: signingKeys.rewrapped,
        audit_keys_rewrapped: auditKeys.rewrapped,
      },
    }),
  );
  return { masterKeyId: keys.current.id, secrets, signingKeys, auditKeys };
}

async function rewrapJwes(
  keys: MasterKeys,
  items: readonly { kid: string; jwe: string; what: string }[],
  swap: (kid: string, expected: string, next: string) => Promise<boolean>,
): Promise<{ rewrapped: number; current: number }> {
  let rewrapped = 0;
  let current = 0;
  for (const item of items) {
    const { plaintext, header, keyId } = await keys.decryptJwe(item.jwe, item.what);
    if (keyId === keys.current.id) {
      current++;
      continue;
    }
    const next = await keys.encryptJwe(plaintext, typeof header.kid === 'string' ? { kid: header.kid } : {});
    // A miss means the key was deleted (expired) or re-encrypted by another run meanwhile.
    if (await swap(item.kid, item.jwe, next)) rewrapped++;
  }
  return { rewrapped, current };
}
