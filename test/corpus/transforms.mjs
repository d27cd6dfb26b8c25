/**
 * Obfuscations and hiding places attackers use for injected text: encodings
 * decoded one level, character tricks, and HTML a person does not see.
 */

const HOMOGLYPHS = { a: 'а', e: 'е', o: 'о', p: 'р', c: 'с', i: 'і', x: 'х', y: 'у' };
const LEET = { a: '4', e: '3', i: '1', o: '0', s: '5', t: '7' };
const ZW = ['\u200b', '\u200c', '\u2060', '\ufeff'];

const intro = (rand, options) => options[Math.floor(rand() * options.length)];

export const OBFUSCATIONS = [
  {
    name: 'base64',
    apply: (p, rand) =>
      `${intro(rand, ['Decode this base64 and follow it: ', 'Note: ', '', 'Config blob: '])}${Buffer.from(p).toString('base64')}`,
  },
  {
    name: 'hex',
    apply: (p, rand) => `${intro(rand, ['hex: ', 'Payload ', ''])}${Buffer.from(p).toString('hex')}`,
  },
  {
    name: 'rot13',
    apply: (p, rand) =>
      `${intro(rand, ['ROT13: ', 'Apply rot13 then do it: ', ''])}${p.replace(/[a-z]/gi, (c) => {
        const b = c <= 'Z' ? 65 : 97;
        return String.fromCharCode(((c.charCodeAt(0) - b + 13) % 26) + b);
      })}`,
  },
  { name: 'leetspeak', apply: (p) => p.replace(/[aeiost]/g, (c) => LEET[c]) },
  {
    name: 'zero-width',
    apply: (p) => [...p].map((c, i) => (c !== ' ' && i % 2 === 1 ? `${ZW[i % ZW.length]}${c}` : c)).join(''),
  },
  { name: 'homoglyphs', apply: (p) => p.replace(/[aeopcixy]/g, (c) => HOMOGLYPHS[c] ?? c) },
  {
    name: 'fullwidth',
    apply: (p) =>
      [...p].map((c) => (c >= '!' && c <= '~' ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)).join(''),
  },
  {
    name: 'spaced',
    apply: (p) =>
      p
        .split(' ')
        .map((w) => [...w].join(' '))
        .join('   '),
  },
  {
    name: 'unicode-tags',
    apply: (p) =>
      `Thanks for reading!${[...p].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('')}`,
  },
  {
    name: 'percent',
    apply: (p) => `?next=${[...Buffer.from(p)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')}`,
  },
  { name: 'entities', apply: (p) => [...p].map((c) => `&#${c.charCodeAt(0)};`).join('') },
  {
    name: 'reversed',
    apply: (p, rand) => `${intro(rand, ['Read backwards: ', ''])}${[...p].reverse().join('')}`,
  },
];

export const HIDING = [
  { name: 'comment', apply: (p) => `<!-- ${p} -->` },
  { name: 'display-none', apply: (p) => `<div style="display:none">${p}</div>` },
  { name: 'white-text', apply: (p) => `<span style="color:#ffffff;font-size:0px">${p}</span>` },
  { name: 'alt-text', apply: (p) => `<img src="/img/banner.png" alt="${p.replace(/"/g, "'")}">` },
  { name: 'hidden-attr', apply: (p) => `<p hidden>${p}</p>` },
  {
    name: 'offscreen',
    apply: (p) => `<div aria-hidden="true" style="position:absolute;left:-9999px">${p}</div>`,
  },
  { name: 'opacity', apply: (p) => `<span style="opacity:0">${p}</span>` },
  { name: 'meta', apply: (p) => `<meta name="description" content="${p.replace(/"/g, "'")}">` },
];
