import { Buffer } from 'node:buffer';

/**
 * Buffers of UTF-16 units kept between scans, in which the views of a text (its skeleton, its folded form) are
 * written before they become one string each. A megabyte's view made of joined pieces, or of a lower-cased
 * copy of the whole text, costs more in page faults on fresh memory than the folding itself; a buffer read out
 * by `toString('utf16le')` is one copy, and keeps lone surrogates as they are.
 *
 * INVARIANT: a scan is synchronous and no view is made while another is being written, so each slot is used by
 * one caller at a time: slot 0 holds the text's units, slot 1 the view's.
 */

/** Buffers up to this many units are kept (a text of the default size cap, 1 MiB, with room to grow). */
const KEEP_UNITS = (1 << 20) + (1 << 16);
const kept: (Buffer | undefined)[] = [undefined, undefined];
/** The kept buffers' units, as arrays (one view each, not one per scan). */
const keptUnits: (Uint16Array | undefined)[] = [undefined, undefined];

/** A buffer of at least `units` units in `slot`: the kept one when large enough, else a new one (kept when small enough). */
export function unitBuffer(slot: 0 | 1, units: number): Buffer {
  const buffer = kept[slot];
  if (buffer !== undefined && buffer.length >= units * 2) return buffer;
  // allocUnsafeSlow: memory of its own, aligned for a Uint16Array view.
  const fresh = Buffer.allocUnsafeSlow(Math.max(units, 1024) * 2);
  if (units <= KEEP_UNITS) {
    kept[slot] = fresh;
    keptUnits[slot] = undefined;
  }
  return fresh;
}

/** All of `buffer`'s units, as an array (past what was written, what an earlier use left: read up to a length). */
export function unitsOf(buffer: Buffer): Uint16Array {
  const slot = buffer === kept[0] ? 0 : buffer === kept[1] ? 1 : -1;
  if (slot >= 0) {
    keptUnits[slot] ??= new Uint16Array(buffer.buffer, buffer.byteOffset, buffer.length >> 1);
    return keptUnits[slot]!;
  }
  return new Uint16Array(buffer.buffer, buffer.byteOffset, buffer.length >> 1);
}

/** A buffer in `slot` with the units of `buffer`'s first `units` units copied, room for at least `atLeast`. */
export function grownBuffer(slot: 0 | 1, buffer: Buffer, units: number, atLeast: number): Buffer {
  const grown = unitBuffer(slot, Math.max(atLeast, (buffer.length >> 1) * 2));
  if (grown !== buffer) {
    buffer.copy(grown, 0, 0, units * 2);
    wipe(buffer, units);
  }
  return grown;
}

/** The string of `buffer`'s first `units` units. */
export function stringOf(buffer: Buffer, units: number): string {
  return buffer.toString('utf16le', 0, units * 2);
}

/**
 * Zeroes `buffer`'s first `units` units once they are read out: a kept buffer must not hold a scanned text (a
 * secret in it) after the scan, until the next one overwrites it.
 */
export function wipe(buffer: Buffer, units: number): void {
  buffer.fill(0, 0, Math.min(buffer.length, units * 2));
}
