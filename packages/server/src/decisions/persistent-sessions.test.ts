import { newSession, observeOutput, recordCall, type SessionState, serializeSession } from '@gatehouse/core';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../store/index.js';
import { storeDialects } from '../testing/dialects.js';
import { PersistentSessionStore } from './persistent-sessions.js';

const { dialects, cleanup } = storeDialects('gh-sessions');
afterAll(cleanup);

describe.each(dialects)('sessions written behind to %s', (_dialect, configFor) => {
  it('writes a named session, and keeps a transient one in memory only', async () => {
    const store = await openStore(configFor());
    const sessions = new PersistentSessionStore(store);
    const named = newSession('run-1', 'agt_a');
    named.labels.add('untrusted');
    const transient = { ...newSession('ses_1', 'agt_a'), transient: true };
    sessions.put(named);
    sessions.put(transient);
    await sessions.flush();
    expect(await store.loadSession('run-1')).toMatchObject({ agentId: 'agt_a' });
    expect(await store.loadSession('ses_1')).toBeUndefined();
    expect(await sessions.get('ses_1')).toBe(transient);
    await sessions.close();
    await store.close();
  });

  it('holds an unnamed session unwritten until it is touched again, and writes it as the server stops', async () => {
    const store = await openStore(configFor());
    const sessions = new PersistentSessionStore(store);
    const touched = { ...newSession('ses_touched', 'agt_a'), unnamed: true };
    const untouched = { ...newSession('ses_untouched', 'agt_a'), unnamed: true };
    sessions.put(touched);
    sessions.put(untouched);
    await sessions.flush();
    expect(await store.loadSession('ses_touched')).toBeUndefined();
    expect(await sessions.get('ses_touched')).toBe(touched);
    // An outcome reported into it: from now on it is written like any other.
    touched.labels.add('untrusted');
    sessions.put(touched);
    await sessions.flush();
    expect(await store.loadSession('ses_touched')).toMatchObject({ agentId: 'agt_a' });
    expect(await store.loadSession('ses_untouched')).toBeUndefined();
    await sessions.close();
    expect(await store.loadSession('ses_untouched')).toMatchObject({ agentId: 'agt_a' });
    await store.close();
  });

  const work = (session: SessionState, step: number) => {
    observeOutput(
      session,
      [{ from: `sender${step}@mail${step}.example`, note: `memo ${step}` }],
      ['untrusted'],
    );
    recordCall(session, { tool: 'email.list', effect: 'allow', at: 1000 + step, outcome: 'succeeded' });
  };

  it('appends only what changed after the first snapshot, and a restart reads the same session back', async () => {
    const config = configFor();
    const store = await openStore(config);
    const sessions = new PersistentSessionStore(store);
    const session = newSession('run-2', 'agt_a', 1);
    work(session, 0);
    sessions.put(session);
    await sessions.flush();
    const snapshot = (await store.loadSession('run-2'))?.state;
    for (let step = 1; step <= 5; step++) {
      work(session, step);
      sessions.put(session);
      await sessions.flush();
    }
    const stored = await store.loadSession('run-2');
    expect(stored?.state).toBe(snapshot);
    expect(stored?.changes).toHaveLength(5);
    // A change carries the call and the fingerprints of its step, not the session so far.
    expect(JSON.parse(stored!.changes![4]!).calls).toEqual([session.calls[5]]);
    await sessions.close();
    await store.close();

    const reopened = await openStore(config);
    const restarted = await new PersistentSessionStore(reopened).get('run-2');
    expect(serializeSession(restarted!)).toEqual(serializeSession(session));
    await reopened.close();
  });

  it('keeps concurrent sessions apart, and no agent appends to another agent’s session', async () => {
    const config = configFor();
    const store = await openStore(config);
    const sessions = new PersistentSessionStore(store);
    const a = newSession('run-a', 'agt_a', 1);
    const b = newSession('run-b', 'agt_b', 1);
    for (let step = 0; step < 6; step++) {
      work(step % 2 === 0 ? a : b, step);
      work(step % 3 === 0 ? b : a, step + 100);
      sessions.put(a);
      sessions.put(b);
      // Every other flush carries both sessions in one transaction.
      if (step % 2 === 1) await sessions.flush();
    }
    await sessions.close();
    await store.saveSessions([
      {
        id: 'run-a',
        agentId: 'agt_b',
        change: '{"labels":["forged"],"lastUsedAt":9}',
        updatedAt: new Date(9),
      },
    ]);
    const restarted = new PersistentSessionStore(store);
    expect(serializeSession((await restarted.get('run-a'))!)).toEqual(serializeSession(a));
    expect(serializeSession((await restarted.get('run-b'))!)).toEqual(serializeSession(b));
    await store.close();
  });

  it('folds the changes into a new snapshot once they outnumber what a read should replay', async () => {
    const store = await openStore(configFor());
    const sessions = new PersistentSessionStore(store);
    const session = newSession('run-3', 'agt_a', 1);
    for (let step = 0; step < 300; step++) {
      recordCall(session, { tool: 'email.list', effect: 'allow', at: 1000 + step });
      sessions.put(session);
      await sessions.flush();
    }
    const stored = await store.loadSession('run-3');
    expect(stored?.changes?.length ?? 0).toBeLessThan(256);
    expect(serializeSession((await new PersistentSessionStore(store).get('run-3'))!)).toEqual(
      serializeSession(session),
    );
    await sessions.close();
    await store.close();
  });

  it('deletes a pruned session’s changes with it', async () => {
    const store = await openStore(configFor());
    const sessions = new PersistentSessionStore(store);
    const session = newSession('run-4', 'agt_a', 1);
    sessions.put(session);
    await sessions.flush();
    recordCall(session, { tool: 'email.list', effect: 'allow', at: 2 });
    sessions.put(session);
    await sessions.flush();
    expect(await store.pruneSessions(new Date(10))).toBe(1);
    expect(await store.loadSession('run-4')).toBeUndefined();
    await sessions.close();
    await store.close();
  });
});
