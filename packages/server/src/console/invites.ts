import { randomBytes } from 'node:crypto';
import type { UserRecord } from '../identity/identity-store.js';
import { credentialDigest } from '../identity/secret-hash.js';
import type { ConsoleAccounts } from './console-store.js';

/** How long an enrolment link works, unless the CLI says otherwise. */
export const DEFAULT_INVITE_MS = 24 * 60 * 60_000;

/**
 * Creates a one-time enrolment link for a person: single use, expires. The
 * token travels in the URL fragment, so it never reaches a server log or a
 * Referer header.
 */
export async function createInvite(
  accounts: ConsoleAccounts,
  user: UserRecord,
  baseUrl: string,
  ttlMs = DEFAULT_INVITE_MS,
): Promise<{ link: string; expiresAt: Date }> {
  const token = `ghi_${randomBytes(32).toString('base64url')}`;
  const now = Date.now();
  await accounts.createInvite({
    tokenDigest: credentialDigest(token),
    userId: user.id,
    createdAt: now,
    expiresAt: now + ttlMs,
  });
  return { link: `${baseUrl}/console/#/enrol/${token}`, expiresAt: new Date(now + ttlMs) };
}
