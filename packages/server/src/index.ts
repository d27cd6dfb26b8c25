/** The Gatehouse server: CLI, store, HTTP, identity. */

export { ApprovalService } from './approvals/approval-service.js';
export { SIGNATURE_HEADER, signWebhook, WebhookNotifier, type WebhookTarget } from './approvals/webhooks.js';
export { runCli } from './cli/run-cli.js';
export { findConfigPath, type GatehouseConfig, loadConfig } from './config/load.js';
export { AccessTokenIssuer, AccessTokenVerifier, TokenError } from './identity/access-tokens.js';
export { AgentAdmin } from './identity/agent-admin.js';
export type { AgentRecord, IdentityStore, UserRecord } from './identity/identity-store.js';
export { loadPolicy, PolicyRuntime } from './policy/runtime.js';
export { readPolicySources } from './policy/sources.js';
export { type RunningServer, startServer } from './server.js';
export { openStore, type StorageConfig, type Store } from './store/index.js';
