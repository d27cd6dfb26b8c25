#!/usr/bin/env node
/**
 * Writes test/corpus/injection.jsonl: labelled tool outputs for the detector
 * evaluation (`npm run eval:detectors`). Deterministic (seeded): running it
 * again gives the same file, so the corpus in git is reproducible.
 *
 *   node test/corpus/generate.mjs
 *
 * Record: { id, text, injected, family, kind, lang, split, expect: { secret, pii } }
 *   family   the attack family, or `benign` / `hard_<topic>` for benign records
 *   lang     the language of the injected payload (injected) or of the text (benign)
 *   split    `dev` (used while writing the rules) or `heldout` (payloads the dev split never shows)
 *   expect   whether the text really contains a secret / PII (for the DLP precision figures)
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CARRIERS, KINDS } from './carriers.mjs';
import { makeFiller, mulberry32 } from './fill.mjs';
import * as A from './fragments/attacks.mjs';
import { BODIES } from './fragments/benign.mjs';
import * as H from './fragments/hard.mjs';
import { HIDING, OBFUSCATIONS } from './transforms.mjs';

const LANGS = ['en', 'de', 'fr', 'es', 'zh', 'ja'];
const rand = mulberry32(20240601);
const base = makeFiller(rand);
const { pick } = base;
const records = [];

/** Body paragraphs of a language, 1 to 3 distinct ones. */
function paragraphsOf(lang) {
  const pool = BODIES[lang];
  const n = 1 + Math.floor(rand() * 3);
  const start = Math.floor(rand() * pool.length);
  return Array.from({ length: n }, (_, i) => pool[(start + i * 3) % pool.length]);
}

function emit({ family, injected, lang, kind, paragraphs, found, split }) {
  const f = { ...base, fill: (t) => base.fill(t, found) };
  const text = CARRIERS[kind]({ lang: kind === 'code' || kind === 'log' ? 'en' : lang, paragraphs, f });
  records.push({
    id: `${injected ? 'inj' : 'ben'}-${String(records.length).padStart(4, '0')}`,
    text,
    injected,
    family,
    kind,
    lang,
    split,
    expect: { secret: found.secret.size > 0, pii: found.pii.size > 0 },
  });
}

const newFound = () => ({ pii: new Set(), secret: new Set() });
const splitOf = (index) => (index % 4 === 0 ? 'heldout' : 'dev');

/** Places an injected paragraph among the body's: first, in the middle, or last. */
function withPayload(paragraphs, payload) {
  const at = Math.floor(rand() * (paragraphs.length + 1));
  return [...paragraphs.slice(0, at), payload, ...paragraphs.slice(at)];
}

function carrierLang(payloadLang) {
  if (payloadLang !== 'en') return rand() < 0.7 ? payloadLang : 'en';
  return rand() < 0.75 ? 'en' : pick(LANGS.slice(1));
}

function injectedRecords(family, payloads, count, { kinds, lang = 'en', transform } = {}) {
  for (let i = 0; i < count; i++) {
    const index = i % payloads.length;
    const found = newFound();
    const visible = !transform || transform.keepsText;
    let payload = base.fill(payloads[index], visible ? found : undefined);
    let name = family;
    if (transform) {
      const t = transform.pick(i);
      payload = t.apply(payload, rand);
      name = family;
      if (!t.keepsText) found.pii.clear();
    }
    const cLang = carrierLang(lang);
    const kind = pick(kinds ?? KINDS[cLang]);
    emit({
      family: name,
      injected: true,
      lang,
      kind,
      paragraphs: withPayload(paragraphsOf(cLang), payload),
      found,
      split: splitOf(index),
    });
  }
}

// Injected: one block per published attack family.
injectedRecords('direct_instruction', A.DIRECT, 90);
injectedRecords('context_ignoring', A.CONTEXT_IGNORING, 90);
injectedRecords('fake_completion', A.FAKE_COMPLETION, 80);
injectedRecords('role_play', A.ROLE_PLAY, 80);
injectedRecords('obfuscation', A.OBFUSCATION_BASE, 132, {
  // Every payload meets every transform: the transform index runs ahead of the payload index.
  transform: {
    keepsText: false,
    pick: (i) => OBFUSCATIONS[(i + Math.floor(i / A.OBFUSCATION_BASE.length)) % OBFUSCATIONS.length],
  },
});
injectedRecords('hidden_html', A.HIDDEN, 96, {
  kinds: ['web'],
  transform: { keepsText: true, pick: () => pick(HIDING) },
});
for (const lang of ['de', 'fr', 'es', 'zh', 'ja'])
  injectedRecords('multilingual', A.MULTILINGUAL[lang], 32, { lang });
injectedRecords('tool_call_mimicry', A.TOOL_CALL, 84);
injectedRecords('markdown_exfiltration', A.MARKDOWN_EXFIL, 84, {
  kinds: ['document', 'email', 'chat', 'ticket', 'web'],
});

// Benign: ordinary tool outputs in every language and carrier.
for (let i = 0; i < 600; i++) {
  const lang = i < 240 ? 'en' : LANGS[1 + (i % 5)];
  const found = newFound();
  const paragraphs = paragraphsOf(lang).map((p) => p);
  // Some outputs carry real PII or credentials: a config dump, a customer record.
  const extra = rand();
  if (extra < 0.12)
    paragraphs.push(
      base.fill(
        pick([
          'Billing: card {card}, IBAN {iban}.',
          'Customer SSN on file: {ssn}.',
          'Contact: {phone}, {address}.',
          'DNI del titular: {dni}.',
        ]),
        found,
      ),
    );
  else if (extra < 0.22)
    paragraphs.push(
      base.fill(
        pick([
          'DATABASE_URL={db_url}',
          'export GITHUB_TOKEN={github_token}',
          'aws_access_key_id = {aws_key}',
          '{generic_secret}',
          'Authorization: Bearer {jwt}',
          'STRIPE_SECRET={stripe_key}',
          'SLACK_BOT_TOKEN={slack_token}',
          '{private_key}',
        ]),
        found,
      ),
    );
  emit({
    family: 'benign',
    injected: false,
    lang,
    kind: pick(KINDS[lang]),
    paragraphs,
    found,
    split: i % 4 === 0 ? 'heldout' : 'dev',
  });
}

// Hard benign: honest text that shares words with attacks.
const LANG_OF = (text) =>
  /[\u3040-\u30ff]/.test(text)
    ? 'ja'
    : /[\u4e00-\u9fff]/.test(text)
      ? 'zh'
      : /\b(der|die|und|Sie|Bitte)\b/.test(text)
        ? 'de'
        : /\b(les|une|vous|Merci|d’|l’)\b/.test(text)
          ? 'fr'
          : /\b(las|los|por|envía|Nueva)\b/.test(text)
            ? 'es'
            : 'en';
const hard = [
  ['hard_security_article', H.SECURITY_ARTICLES, 70, ['web', 'document', 'email']],
  ['hard_please_send', H.PLEASE_SEND, 75, ['email', 'chat', 'ticket']],
  ['hard_code', H.CODE_WITH_ROLES, 48, ['document', 'chat']],
  ['hard_html', H.HTML_PAGES, 48, ['web']],
  ['hard_task_list', H.TASK_LISTS, 36, ['calendar', 'chat', 'json', 'ticket']],
  ['hard_transcript', H.TRANSCRIPTS, 24, ['document', 'ticket', 'json']],
  ['hard_encoded', H.ENCODED, 40, ['json', 'log', 'email', 'document']],
];
for (const [family, pool, count, kinds] of hard) {
  for (let i = 0; i < count; i++) {
    const index = i % pool.length;
    const found = newFound();
    const fragment = base.fill(pool[index], found);
    const lang = LANG_OF(fragment);
    const kind = pick(kinds);
    const paragraphs =
      kind === 'web' && fragment.startsWith('<')
        ? [fragment]
        : withPayload(paragraphsOf(lang).slice(0, 1), fragment);
    emit({ family, injected: false, lang, kind, paragraphs, found, split: splitOf(index) });
  }
}

const out = join(dirname(fileURLToPath(import.meta.url)), 'injection.jsonl');
writeFileSync(out, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
const injected = records.filter((r) => r.injected).length;
console.log(
  `wrote ${records.length} records (${injected} injected, ${records.length - injected} benign) to ${out}`,
);
