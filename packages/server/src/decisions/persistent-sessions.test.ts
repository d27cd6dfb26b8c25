import { newSession } from '@gatehouse/core';
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
});
