import { describe, expect, it } from 'vitest';
import { OutcomeWindow } from './outcome-window.js';

describe('OutcomeWindow', () => {
  it('forgets an entry once its window has passed', () => {
    let now = 1000;
    const window = new OutcomeWindow<string>(10, 500, () => now);
    window.add('a', 'A');
    expect(window.get('a')).toBe('A');
    now += 500;
    expect(window.get('a')).toBeUndefined();
  });

  it('makes room by dropping the oldest entry when full', () => {
    let now = 0;
    const window = new OutcomeWindow<number>(3, 1000, () => now);
    for (const id of ['a', 'b', 'c', 'd']) {
      window.add(id, now);
      now += 1;
    }
    expect(window.size).toBe(3);
    expect(window.get('a')).toBeUndefined();
    expect(window.get('d')).toBe(3);
  });

  it('drops expired entries on insert without visiting live ones', () => {
    let now = 0;
    const capacity = 1000;
    const window = new OutcomeWindow<number>(capacity, 100, () => now);
    for (let i = 0; i < capacity; i++) window.add(`old-${i}`, i);
    now = 50;
    // Full of live entries: the map's iteration is probed to count visits.
    let visited = 0;
    const originalIterator = Map.prototype[Symbol.iterator];
    Map.prototype[Symbol.iterator] = function* (this: Map<unknown, unknown>) {
      for (const entry of originalIterator.call(this)) {
        visited++;
        yield entry;
      }
    } as typeof originalIterator;
    try {
      for (let i = 0; i < capacity; i++) window.add(`new-${i}`, i);
    } finally {
      Map.prototype[Symbol.iterator] = originalIterator;
    }
    // Each insert looks at the oldest entry only: not capacity × inserts.
    expect(visited).toBeGreaterThan(0);
    expect(visited).toBeLessThanOrEqual(2 * capacity);
    expect(window.size).toBe(capacity);
    expect(window.get('new-0')).toBe(0);
  });
});
