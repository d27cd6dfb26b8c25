import { describe, expect, it } from 'vitest';
import { inspectStep } from './inspect.js';

const AWS = 'AKIAZ7QHNB4EXK2LMW3P';
const allowRedactPii = { redact: ['pii' as const], withhold: [], rules: ['r'] };
const allowRedactSecret = { redact: ['secret' as const], withhold: [], rules: ['r'] };
const withholdSecret = { redact: [], withhold: ['secret'], rules: ['r'] };

describe('inspectStep: obligations hold however the output is shaped', () => {
  it('redacts every value, not only as many as a detector reports', async () => {
    const emails = Array.from({ length: 130 }, (_, i) => `person${i}@example.org`).join(', ');
    const inspected = await inspectStep(
      { content: [{ type: 'text', text: emails }] },
      [],
      allowRedactPii,
      {},
    );
    expect(inspected.withheld).toBe(false);
    expect(JSON.stringify(inspected.delivered)).not.toMatch(/person\d+@example\.org/);
  });

  it('withholds what redaction cannot reach: a key split across content blocks', async () => {
    const key = [
      '-----BEGIN RSA PRIVATE KEY-----',
      'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun',
      'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK',
      '-----END RSA PRIVATE KEY-----',
    ];
    const output = { content: key.map((text) => ({ type: 'text', text })) };
    const inspected = await inspectStep(output, [], allowRedactSecret, {});
    expect(JSON.stringify(inspected.delivered)).not.toContain('MIIEowIBAAKCAQEAu1SU1Lf');
    expect(JSON.stringify(inspected.audited)).not.toContain('MIIEowIBAAKCAQEAu1SU1Lf');
  });

  it('withholds an output past the size cap, or one it could not read, when an obligation applies', async () => {
    const padded = `${'x'.repeat(2048)} ${AWS}`;
    const oversize = await inspectStep(padded, [], withholdSecret, { maxChars: 1024 });
    expect(oversize).toMatchObject({ withheld: true });
    expect(JSON.stringify(oversize.delivered)).not.toContain(AWS);
    const hostile = {
      get text() {
        throw new Error('no');
      },
    };
    const failed = await inspectStep(hostile, [], withholdSecret, {});
    expect(failed.withheld).toBe(true);
    expect(failed.labels).toContain('inspection_failed');
  });

  it('inspects what the agent would receive, not what an object pretends to be', async () => {
    const sly = { note: 'nothing here', toJSON: () => ({ note: `key ${AWS}` }) };
    const inspected = await inspectStep(sly, [], withholdSecret, {});
    expect(inspected.labels).toContain('secret');
    expect(inspected.withheld).toBe(true);
  });

  it('counts a classifier that never answers as a failed inspection', async () => {
    const inspected = await inspectStep('hello', [], withholdSecret, {
      classifier: () => new Promise<number>(() => undefined),
    });
    expect(inspected.labels).toContain('inspection_failed');
    expect(inspected.withheld).toBe(true);
  }, 10_000);
});

describe('inspectStep: secrets held as JSON properties', () => {
  it('finds and redacts a secret whose name is the property key', async () => {
    const config = {
      DB_PASSWORD: 'Zx8#qLp2Wm!rT5vb',
      api_key: 'a8f3c9e1b7d24f6a9c0e5b3d7f1a2c4e',
      user: 'dana',
      token_count: '12',
    };
    const inspected = await inspectStep(config, [], allowRedactSecret, {});
    expect(inspected.labels).toContain('secret');
    expect(inspected.delivered).toEqual({
      DB_PASSWORD: '[REDACTED:secret]',
      api_key: '[REDACTED:secret]',
      user: 'dana',
      token_count: '12',
    });
  });
});

describe('inspectStep: what looks binary', () => {
  it('scans image-shaped data outside a result content block, and text resources sent as base64', async () => {
    const hidden = {
      content: [{ type: 'text', text: 'done' }],
      structuredContent: { type: 'image', mimeType: 'image/png', data: `key ${AWS}` },
    };
    expect((await inspectStep(hidden, [], withholdSecret, {})).withheld).toBe(true);
    const env = `DATABASE_URL=postgres://app:Zx8qLp2WmrT5vb@db.internal:5432/app\nAWS_KEY=${AWS}\n`;
    const blob = {
      contents: [{ uri: 'file:///srv/.env', mimeType: 'text/plain', blob: btoa(env) }],
    };
    const read = await inspectStep(blob, [], withholdSecret, {});
    expect(read.labels).toContain('secret');
    expect(read.withheld).toBe(true);
    // A real image block of a result is not text, and is left alone.
    const image = {
      content: [{ type: 'image', mimeType: 'image/png', data: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB' }],
    };
    expect((await inspectStep(image, [], withholdSecret, {})).withheld).toBe(false);
  });
});
