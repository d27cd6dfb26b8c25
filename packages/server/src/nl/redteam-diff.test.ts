import { describe, expect, it } from 'vitest';
import { SUITES } from '../redteam/index.js';
import { describeRedteamDiff, redteamDiff } from './redteam-diff.js';

const banking = SUITES.filter((s) => s.name === 'banking');

describe('redteamDiff', () => {
  it('replays the runs a sentence touches before and after its rule, under the suite policy', async () => {
    const diff = await redteamDiff({ sentences: ['Payments over $100 need approval'], suites: banking });
    expect(diff.skipped).toEqual([]);
    const [replay] = diff.replayed;
    expect(replay?.suite).toBe('banking');
    // Only the runs that move money: the rest cannot change.
    expect(replay?.runs).toBeGreaterThan(0);
    expect(replay?.runs).toBeLessThan(replay?.of ?? 0);
    // The user's own payments over $100 now wait for a person; no attack gets further.
    expect(replay?.after.peopleAskedRate).toBeGreaterThan(replay?.before.peopleAskedRate ?? 1);
    expect(replay?.after.attackSuccessRate).toBeLessThanOrEqual(replay?.before.attackSuccessRate ?? 0);
    expect(describeRedteamDiff(diff)[0]).toMatch(
      /^banking \(\d+ of 84 runs touch the rules\): attack success/,
    );
  });
  it('skips a suite whose catalog the sentence does not name, saying why', async () => {
    const diff = await redteamDiff({ sentences: ['Agents cannot send email on weekends'], suites: banking });
    expect(diff.replayed).toEqual([]);
    expect(diff.skipped[0]?.reason).toMatch(/does not compile against this suite's catalog/);
  });
  it('reports the suites it had no time for instead of running past its budget', async () => {
    const diff = await redteamDiff({ sentences: ['No agent may change the password'], budgetMs: 0 });
    expect(diff.replayed).toEqual([]);
    expect(diff.skipped.map((s) => s.reason)).toEqual(
      SUITES.map(() => 'not replayed: the 0 s budget was spent'),
    );
  });
});
