/**
 * Carriers: the shapes tool outputs come in (an email, a web page, a
 * document, a calendar entry, a JSON API result, source code, a log, a chat
 * message, a ticket). Each takes body paragraphs (with an optional injected
 * paragraph already placed among them) and returns the tool output's text.
 */
import { CODE, EVENTS, LOG_LINES, NAMES, PRODUCTS, SUBJECTS } from './fragments/benign.mjs';

const GREETING = {
  en: 'Hi',
  de: 'Hallo',
  fr: 'Bonjour',
  es: 'Hola',
  zh: '你好',
  ja: 'お世話になっております。',
};
const CLOSING = {
  en: 'Best regards',
  de: 'Viele Grüße',
  fr: 'Cordialement',
  es: 'Saludos',
  zh: '此致',
  ja: 'よろしくお願いいたします。',
};

export const CARRIERS = {
  email: ({ lang, paragraphs, f }) => {
    const from = f.pick(NAMES[lang]);
    const to = f.pick(NAMES[lang]);
    const signature = f.rand() < 0.5 ? `\n${from}\n{phone}` : `\n${from}`;
    return f.fill(
      `From: ${from} <{email}>\nTo: ${to} <{email}>\nSubject: ${f.pick(SUBJECTS[lang])}\nDate: {date}\n\n${GREETING[lang]} ${to.split(' ')[0]},\n\n${paragraphs.join('\n\n')}\n\n${CLOSING[lang]},${signature}`,
    );
  },
  web: ({ lang, paragraphs, f }) =>
    `<!DOCTYPE html>\n<html lang="${lang}"><head><title>${f.pick(SUBJECTS[lang])}</title></head>\n<body>\n<header><a href="/">Home</a> | <a href="/blog">Blog</a></header>\n<main>\n<h1>${f.pick(SUBJECTS[lang])}</h1>\n${paragraphs.map((p) => (p.startsWith('<') ? p : `<p>${p}</p>`)).join('\n')}\n</main>\n<footer>© 2024</footer>\n</body></html>`,
  document: ({ lang, paragraphs, f }) => `# ${f.pick(SUBJECTS[lang])}\n\n${paragraphs.join('\n\n')}\n`,
  calendar: ({ lang, paragraphs, f }) =>
    f.fill(
      `BEGIN:VEVENT\nSUMMARY:${f.pick(EVENTS[lang])}\nDTSTART:{date}T09:00:00Z\nORGANIZER:mailto:{email}\nLOCATION:${f.rand() < 0.5 ? '{address}' : 'Room 4.12'}\nDESCRIPTION:${paragraphs.join('\\n')}\nEND:VEVENT`,
    ),
  json: ({ lang, paragraphs, f }) => {
    const items = Array.from({ length: 1 + Math.floor(f.rand() * 3) }, () => ({
      id: f.fill('{order_id}'),
      product: f.pick(PRODUCTS),
      quantity: 1 + Math.floor(f.rand() * 4),
    }));
    const record = {
      status: 'ok',
      customer: { name: f.pick(NAMES[lang]), email: f.fill('{email}') },
      items,
      notes: paragraphs,
      updated_at: f.fill('{ts}'),
    };
    return JSON.stringify(record, null, f.rand() < 0.5 ? 2 : 0);
  },
  code: ({ paragraphs, f }) => {
    const src = f.pick(CODE);
    const comment =
      src.startsWith('def') || src.startsWith('class') || src.startsWith('#!') || src.startsWith('api')
        ? '#'
        : '//';
    return `${paragraphs
      .map((p) =>
        p
          .split('\n')
          .map((l) => `${comment} ${l}`)
          .join('\n'),
      )
      .join('\n')}\n${src}`;
  },
  log: ({ paragraphs, f }) => {
    const lines = Array.from({ length: 4 + Math.floor(f.rand() * 5) }, () => f.fill(f.pick(LOG_LINES)));
    for (const p of paragraphs)
      lines.splice(
        Math.floor(f.rand() * lines.length),
        0,
        f.fill(`{ts} INFO  message="${p.replace(/\n/g, ' ')}"`),
      );
    return lines.join('\n');
  },
  chat: ({ lang, paragraphs, f }) =>
    paragraphs.map((p) => `[${f.fill('{ts}')}] ${f.pick(NAMES[lang])}: ${p}`).join('\n'),
  ticket: ({ lang, paragraphs, f }) =>
    f.fill(
      `Ticket #${Math.floor(f.rand() * 90000) + 10000} — ${f.pick(SUBJECTS[lang])}\nReporter: {email}\nPriority: ${f.pick(['low', 'normal', 'high'])}\n\n${paragraphs.join('\n\n')}`,
    ),
};

/** The carriers a language's corpus uses (code and logs are written in English). */
export const KINDS = {
  en: ['email', 'web', 'document', 'calendar', 'json', 'code', 'log', 'chat', 'ticket'],
  de: ['email', 'web', 'document', 'calendar', 'json', 'chat', 'ticket'],
  fr: ['email', 'web', 'document', 'calendar', 'json', 'chat', 'ticket'],
  es: ['email', 'web', 'document', 'calendar', 'json', 'chat', 'ticket'],
  zh: ['email', 'web', 'document', 'calendar', 'json', 'chat'],
  ja: ['email', 'web', 'document', 'calendar', 'json', 'chat'],
};
