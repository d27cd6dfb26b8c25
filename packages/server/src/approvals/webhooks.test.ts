import { describe, expect, it } from 'vitest';
import { redactUrl, signWebhook, slackEscape } from './webhooks.js';

describe('webhook messages', () => {
  it('escapes what an agent wrote, so Slack shows it as text: no links, mentions or closed code blocks', () => {
    const escaped = slackEscape('pay now <https://evil.test|Open approval> <!channel> ``` & more');
    expect(escaped).not.toMatch(/[<>`]/);
    expect(escaped).toBe('pay now &lt;https://evil.test|Open approval&gt; &lt;!channel&gt; ʼʼʼ &amp; more');
  });

  it('signs "<t>.<body>" and never logs more of a URL than its host', () => {
    expect(signWebhook('k', 1, '{}')).toMatch(/^[0-9a-f]{64}$/);
    expect(signWebhook('k', 1, '{}')).not.toBe(signWebhook('k', 2, '{}'));
    expect(redactUrl('https://hooks.slack.test/services/T000/B000/SECRET?x=1')).not.toContain('SECRET');
  });
});
