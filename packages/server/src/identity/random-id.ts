import { randomUUID } from 'node:crypto';

/**
 * The first 24 hex digits of a random UUID, dashes left out: the random part of every id
 * Gatehouse mints (`dec_…`, `evt_…`, `agt_…`). Three are minted per gateway call, so the
 * digits are sliced out rather than found by a regular expression.
 */
export function randomHex24(): string {
  return hex24Of(randomUUID());
}

/** `8-4-4-4-12` → the first 24 of its 32 digits. */
export function hex24Of(uuid: string): string {
  return uuid.slice(0, 8) + uuid.slice(9, 13) + uuid.slice(14, 18) + uuid.slice(19, 23) + uuid.slice(24, 28);
}
