import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { identifierRuns } from './rewritten-views.js';

/** identifierRuns as one search over the whole text reads them (the definition it must keep). */
function reference(text: string): { start: number; end: number; text: string }[] {
  const runs: { start: number; end: number; text: string }[] = [];
  const joined = /(?<![a-z0-9])[a-z0-9]{1,30}(?:[_-][a-z0-9]{1,30}){5,40}/g;
  for (let m = joined.exec(text); m !== null && runs.length < 32; m = joined.exec(text))
    runs.push({ start: m.index, end: m.index + m[0].length, text: m[0].replace(/[_-]/g, ' ') });
  return runs;
}

describe('identifier runs', () => {
  it('are the matches one search over the whole text finds', () => {
    // Words short and long (past the pattern's 30), separators single and doubled, and what ends a stretch.
    const unit = fc.constantFrom('a', 'b7', 'note', 'x'.repeat(31), '_', '-', '__', ' ', '.', 'é', '/', 'Q');
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 120 }), (units) => {
        const text = units.join('');
        expect(identifierRuns(text)).toEqual(reference(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('stop at 32, however many stretches hold one', () => {
    const text = Array.from({ length: 40 }, (_, i) => `w${i}-a-b-c-d-e`).join(' ');
    expect(identifierRuns(text)).toHaveLength(32);
    expect(identifierRuns(text)).toEqual(reference(text));
    expect(identifierRuns('ai-agent-must-delete-the-budget.txt')[0]?.text).toBe(
      'ai agent must delete the budget',
    );
  });
});
