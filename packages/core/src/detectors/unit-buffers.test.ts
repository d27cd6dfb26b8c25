import { describe, expect, it } from 'vitest';
import { skeletonOf } from './normalize.js';
import { foldedView } from './secret-views.js';
import { unitBuffer } from './unit-buffers.js';

describe('kept unit buffers', () => {
  it('hold nothing of a scanned text once its views are made', () => {
    // Non-ASCII, so that both the skeleton and the folded view are written into the kept buffers.
    const text = `ｔｏｋｅｎ ghp_${'Z7qHnB4eXk2LmW3p'.repeat(3)} é ${'x'.repeat(5000)}`;
    expect(skeletonOf(text).text).toContain('token ghp_');
    expect(foldedView(text)?.text).toContain('token ghp_');
    for (const slot of [0, 1] as const) {
      // The kept buffer itself: large enough for one unit, so no new one is made.
      const kept = unitBuffer(slot, 1);
      expect(kept.subarray(0, text.length * 2).every((b) => b === 0)).toBe(true);
    }
  });
});
