import type { AuditDraft, SealedAuditEvent } from '@gatehouse/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuditLog } from './audit-log.js';
import type { AuditStore } from './audit-store.js';

/** A store that records each commit's drafts (by decision id) and seals them at once. */
function recordingStore(): { store: AuditStore; commits: string[][] } {
  const commits: string[][] = [];
  const store = {
    concurrentAppends: true,
    appendAudit: async (drafts: readonly AuditDraft[]) => {
      commits.push(drafts.map((d) => d.decision_id ?? ''));
      return drafts.map((d, i) => ({ ...d, seq: commits.length * 100 + i }) as unknown as SealedAuditEvent);
    },
  } as unknown as AuditStore;
  return { store, commits };
}

const draft = (id: string, type: AuditDraft['type'] = 'decision'): AuditDraft => ({
  type,
  time: new Date().toISOString(),
  who: { agent: { id: 'agt_a', name: 'a' } },
  what: { tool: 'everything.echo' },
  outcome: { status: type === 'execution' ? 'succeeded' : 'allowed' },
  decision_id: id,
});

/** Lets the event loop run a few turns: what the log would commit at once, it has committed. */
const turns = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('events written behind', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("ride with the next write-ahead event's commit, in append order", async () => {
    const { store, commits } = recordingStore();
    const log = new AuditLog(store);
    const outcome = log.append(draft('dec_1', 'execution'), { behind: true });
    await turns();
    // Not committed on its own: a next call's decision would queue behind that commit's sync.
    expect(commits).toEqual([]);
    await log.append(draft('dec_2'));
    await outcome;
    expect(commits).toEqual([['dec_1', 'dec_2']]);
    await log.close();
  });

  it('are committed alone when no other event comes', async () => {
    const { store, commits } = recordingStore();
    const log = new AuditLog(store);
    await log.append(draft('dec_1', 'execution'), { behind: true });
    expect(commits).toEqual([['dec_1']]);
    await log.close();
  });

  it('are committed at once for a reader that waits for the log to settle', async () => {
    // The timer that would commit it never fires: only `settled` can.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { store, commits } = recordingStore();
    const log = new AuditLog(store);
    const outcome = log.append(draft('dec_1', 'execution'), { behind: true });
    await log.settled();
    expect(commits).toEqual([['dec_1']]);
    await outcome;
    await log.close();
  });
});
