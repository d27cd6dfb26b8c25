import type { PathAuditEvent } from '@gatehouse/core';
import { describe, expect, it } from 'vitest';
import type { AuditSink } from '../audit/audit-log.js';
import { type PathComponents, sharedPathPorts } from './decision-service.js';

const event = (type: PathAuditEvent['type']): PathAuditEvent =>
  ({
    type,
    decisionId: 'dec_1',
    sessionId: 'ses_1',
    agent: { id: 'agt_a', name: 'a', owner: 'o@example.com' },
    tool: 'email.send',
    args: {},
    status: type === 'decision' ? 'allowed' : 'executed',
  }) as PathAuditEvent;

/** An audit sink whose commits wait until released, and whose failures are set per test. */
function heldSink(fail?: Error) {
  let release: () => void = () => undefined;
  const committed = new Promise<void>((resolve) => {
    release = resolve;
  });
  const sink: AuditSink = {
    append: async () => {
      await committed;
      if (fail) throw fail;
      return {} as never;
    },
  };
  return { sink, release };
}

const portsOver = (audit: AuditSink, onPortError?: PathComponents['onPortError']) =>
  sharedPathPorts({ audit, ...(onPortError && { onPortError }) } as unknown as PathComponents, () => ({
    door: 'test',
  }));

describe('the audit port every door shares', () => {
  it('waits for the decision event to commit before the call goes on (write-ahead)', async () => {
    const { sink, release } = heldSink();
    let done = false;
    const written = portsOver(sink).audit!(event('decision')).then(() => {
      done = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    release();
    await written;
    expect(done).toBe(true);
  });

  it('does not hold the answer for the outcome event: it joins the next commit', async () => {
    const { sink, release } = heldSink();
    await portsOver(sink).audit!(event('execution'));
    release();
  });

  it('writes the outcome behind, to share a later commit, and the decision ahead', async () => {
    const asked: [string, boolean][] = [];
    const sink: AuditSink = {
      append: async (draft, options) => {
        asked.push([draft.type, options?.behind === true]);
        return {} as never;
      },
    };
    const ports = portsOver(sink);
    await ports.audit!(event('decision'));
    await ports.audit!(event('execution'));
    expect(asked).toEqual([
      ['decision', false],
      ['execution', true],
    ]);
  });

  it('reports an outcome that failed to commit to the port error handler', async () => {
    const { sink, release } = heldSink(new Error('disk full'));
    const errors: string[] = [];
    await portsOver(sink, (what, err) => errors.push(`${what}: ${(err as Error).message}`)).audit!(
      event('execution'),
    );
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toEqual(['the audit write of an outcome: disk full']);
  });

  it('refuses the call when the decision event fails to commit', async () => {
    const { sink, release } = heldSink(new Error('disk full'));
    const written = portsOver(sink).audit!(event('decision'));
    release();
    await expect(written).rejects.toThrow('the audit write failed');
  });
});
