/** The vault: brokered credentials, encrypted at rest, injected into upstreams at call time only. */
export { openSecret, rewrapSecret, type SecretEnvelope, sealSecret } from './envelope.js';
export { type MasterKeyRewrapResult, rewrapMasterKeyItems } from './master-key-rewrap.js';
export {
  assertSecretName,
  assertSecretValue,
  MAX_SECRET_BYTES,
  SECRET_NAME,
  SecretError,
  type SecretErrorCode,
} from './secret-error.js';
export { resolveSecretRefs, resolveSecretRefsIn, secretRefs } from './secret-refs.js';
export {
  type RewrapResult,
  type SecretMetadata,
  SecretVault,
  type VaultAudit,
} from './secret-vault.js';
export type { SealedBytes, StoredSecret, VaultStore } from './vault-store.js';
