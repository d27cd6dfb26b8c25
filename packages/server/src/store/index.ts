/** The store: everything Gatehouse persists, over SQLite or PostgreSQL. */
export type { Database } from './database.js';
export { KyselyStore } from './kysely-store.js';
export type { Dialect } from './migrations.js';
export { openStore, type StorageConfig } from './open.js';
export { redactConnectionString } from './redact.js';
export type { LoadedSession, PolicyVersion, Store, StoredSession, ToolPinRecord } from './store.js';
