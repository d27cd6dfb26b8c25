/**
 * The audit chain alone (`@gatehouse/core/audit`): events, their canonical
 * form and verification, without the policy engine. Worker threads that seal
 * or verify load this instead of the whole core.
 */
export * from './event.js';
export * from './verify.js';
