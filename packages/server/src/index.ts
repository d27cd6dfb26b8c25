/** The Gatehouse server: CLI, store, HTTP, identity. */

export { ApprovalService } from './approvals/approval-service.js';
export { SIGNATURE_HEADER, signWebhook, WebhookNotifier, type WebhookTarget } from './approvals/webhooks.js';
export { type AuditSigningKey, checkpointVerifier, loadAuditSigningKey } from './audit/audit-keys.js';
export { AuditLog, type AuditSink } from './audit/audit-log.js';
export type { AuditQuery, AuditStore } from './audit/audit-store.js';
export { AuditCheckpointer, readCheckpointFile } from './audit/checkpointer.js';
export { toOcsf } from './audit/ocsf.js';
export { ToolCallSpans } from './audit/otel.js';
export { type SessionRecording, sessionRecording } from './audit/timeline.js';
export { verifyExportFile, verifyStoredAudit } from './audit/verify-log.js';
export { runCli } from './cli/run-cli.js';
export { findConfigPath, type GatehouseConfig, loadConfig } from './config/load.js';
export { ConsoleSessions } from './console/console-sessions.js';
export { ConsoleAccounts } from './console/console-store.js';
export { createInvite } from './console/invites.js';
export { AccessTokenIssuer, AccessTokenVerifier, TokenError } from './identity/access-tokens.js';
export { AgentAdmin } from './identity/agent-admin.js';
export type { AgentRecord, IdentityStore, UserRecord } from './identity/identity-store.js';
export { loadMasterKeys, type MasterKey, MasterKeys, masterKeyId } from './identity/master-key.js';
export { type DeploymentPolicyLoad, loadDeploymentPolicy } from './policy/deployment-policy.js';
export { loadPolicy, PolicyRuntime } from './policy/runtime.js';
export { readPolicySources } from './policy/sources.js';
export { type RunningServer, startServer } from './server.js';
export { openStore, type StorageConfig, type Store } from './store/index.js';
export {
  type MasterKeyRewrapResult,
  resolveSecretRefs,
  resolveSecretRefsIn,
  rewrapMasterKeyItems,
  SecretError,
  type SecretErrorCode,
  type SecretMetadata,
  SecretVault,
  secretRefs,
} from './vault/index.js';
