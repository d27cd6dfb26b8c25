import type { ParsedSentence, Take } from './parsed.js';

/**
 * The date passes of the grammar: spans of calendar days with their years ("from Dec 20, 2026
 * through Jan 4, 2027"), one-sided spans ("until …", "starting …"), single days, and days of
 * every year when no year is given ("Dec 20 – Jan 4", "on July 4").
 */

/** Season words → the months they mean, to check a named freeze against the declared one. */
export const SEASON_MONTHS: Readonly<Record<string, readonly number[]>> = {
  holiday: [12, 1],
  holidays: [12, 1],
  christmas: [12],
  'year-end': [12, 1],
  'end-of-year': [12, 1],
  'new year': [12, 1],
  winter: [12, 1, 2],
  spring: [3, 4, 5],
  summer: [6, 7, 8],
  autumn: [9, 10, 11],
  fall: [9, 10, 11],
  easter: [3, 4],
};

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1,
  january: 1,
  feb: 2,
  february: 2,
  mar: 3,
  march: 3,
  apr: 4,
  april: 4,
  may: 5,
  jun: 6,
  june: 6,
  jul: 7,
  july: 7,
  aug: 8,
  august: 8,
  sep: 9,
  sept: 9,
  september: 9,
  oct: 10,
  october: 10,
  nov: 11,
  november: 11,
  dec: 12,
  december: 12,
};
const MONTH = `(?:${Object.keys(MONTHS)
  .sort((a, b) => b.length - a.length)
  .join('|')})`;
const DATE = `(\\d{4}-\\d{2}-\\d{2}|${MONTH}\\.?\\s\\d{1,2}(?:st|nd|rd|th)?\\s(?:,\\s)?\\d{4}|\\d{1,2}(?:st|nd|rd|th)?\\s${MONTH}\\s(?:,\\s)?\\d{4})`;
/** A day of a month without its year ("Dec 24"): the year comes from the date it runs to. */
const DAY_OF_MONTH = `(${MONTH}\\.?\\s\\d{1,2}(?:st|nd|rd|th)?|\\d{1,2}(?:st|nd|rd|th)?\\s${MONTH})`;
/** The earliest and latest instants a one-sided span of dates reaches ("until …", "from … on"). */
const EARLIEST = '1970-01-01T00:00:00Z';
const LATEST = '9999-01-01T00:00:00Z';

/** Midnight UTC of a date as the sentence wrote it, or NaN. */
function dayOf(text: string): number {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (iso) return Date.UTC(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3]));
  const words = text
    .replace(/[.,]/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '');
  const month = words.map((w) => MONTHS[w]).find((m) => m !== undefined);
  const year = words.find((w) => /^\d{4}$/.test(w));
  const day = words.find((w) => /^\d{1,2}(?:st|nd|rd|th)?$/.test(w));
  if (month === undefined || !year || !day) return Number.NaN;
  const d = Number.parseInt(day, 10);
  const at = Date.UTC(Number(year), month - 1, d);
  return new Date(at).getUTCDate() === d ? at : Number.NaN;
}

/** A day of a month as month × 100 + day ("dec 20" → 1220), checked against a leap year. */
function monthDayKey(text: string): number | undefined {
  const at = dayOf(`${text} 2000`);
  if (Number.isNaN(at)) return undefined;
  const d = new Date(at);
  return (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}

/** The month-day key of the day before (Jan 1 → Dec 31). */
function dayBefore(key: number): number {
  const d = new Date(Date.UTC(2000, Math.floor(key / 100) - 1, key % 100) - 864e5);
  return (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}

/**
 * Spans of dates: "between Dec 20, 2026 and Jan 4, 2027", "from 2026-12-20 through
 * 2027-01-04". The last day is included ("through", "to", "and"), except after "until".
 */
export function parseDates(take: Take, parsed: ParsedSentence): void {
  const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');
  const span = (from: number, until: number, note: string) => {
    parsed.conditions.push({ kind: 'dates', from: iso(from), until: iso(until), inside: true });
    parsed.notes.push(note);
  };
  take(
    `(?:between|from)\\s(?:${DATE}|${DAY_OF_MONTH})\\s(and|to|through|thru|until|till|-)\\s${DATE}(?:\\s(?:inclusive|included))?`,
    (m) => {
      const last = dayOf(m[4] as string);
      let from = m[1] === undefined ? Number.NaN : dayOf(m[1]);
      // "Dec 24 through Dec 26, 2026": the first date is in the last one's year, or the year
      // before when its month comes later ("Dec 20 through Jan 4, 2027").
      if (m[1] === undefined && !Number.isNaN(last)) {
        const year = new Date(last).getUTCFullYear();
        from = dayOf(`${m[2]} ${year}`);
        if (from > last) from = dayOf(`${m[2]} ${year - 1}`);
      }
      if (Number.isNaN(from) || Number.isNaN(last) || last < from) return false;
      const exclusive = m[3] === 'until' || m[3] === 'till';
      const until = exclusive ? last : last + 864e5;
      if (until <= from) return false;
      span(
        from,
        until,
        `dates are UTC days, from ${iso(from).slice(0, 10)} ${exclusive ? 'until' : 'through'} ${(m[4] as string).trim()}${exclusive ? ' (not included)' : ' (included)'}`,
      );
      return true;
    },
  );
  // Days of a month without a year ("from Dec 20 through Jan 4", "on Dec 25"): every year.
  const NO_YEAR = '(?!\\s(?:,\\s)?\\d)';
  take(
    `(?:between|from)\\s${DAY_OF_MONTH}\\s(and|to|through|thru|until|till|-)\\s${DAY_OF_MONTH}(?:\\s(?:inclusive|included))?${NO_YEAR}`,
    (m) => {
      const from = monthDayKey(m[1] as string);
      let to = monthDayKey(m[3] as string);
      if (from === undefined || to === undefined) return false;
      const exclusive = m[2] === 'until' || m[2] === 'till';
      if (exclusive) to = dayBefore(to);
      if (from === to && exclusive) return false;
      parsed.conditions.push({ kind: 'yearly', from, to, inside: true });
      parsed.notes.push(
        `no year is given: every year, ${(m[1] as string).trim()} through ${exclusive ? `the day before ${(m[3] as string).trim()}` : (m[3] as string).trim()} (UTC days, both included)`,
      );
      return true;
    },
  );
  take(`(?:on|for)\\s${DAY_OF_MONTH}${NO_YEAR}`, (m) => {
    const day = monthDayKey(m[1] as string);
    if (day === undefined) return false;
    parsed.conditions.push({ kind: 'yearly', from: day, to: day, inside: true });
    parsed.notes.push(`no year is given: ${(m[1] as string).trim()} of every year (a UTC day)`);
    return true;
  });
  // One-sided spans: "through December 31, 2026", "starting January 1, 2027", "on 2026-12-08".
  take(`(?:up\\s)?(until|till|through|thru|up to and including|before)\\s${DATE}`, (m) => {
    const day = dayOf(m[2] as string);
    if (Number.isNaN(day)) return false;
    const included = m[1] !== 'until' && m[1] !== 'till' && m[1] !== 'before';
    span(
      Date.parse(EARLIEST),
      included ? day + 864e5 : day,
      `dates are UTC days, until ${iso(day).slice(0, 10)}${included ? ' (included)' : ' (not included)'}`,
    );
    return true;
  });
  take(
    `(starting|from|beginning|as of|effective|after)\\s(?:on\\s)?${DATE}(?:\\s(?:on|onwards|onward))?`,
    (m) => {
      const day = dayOf(m[2] as string);
      if (Number.isNaN(day)) return false;
      const from = m[1] === 'after' ? day + 864e5 : day;
      span(from, Date.parse(LATEST), `dates are UTC days, from ${iso(from).slice(0, 10)} on`);
      return true;
    },
  );
  take(`(?:on|for)\\s${DATE}`, (m) => {
    const day = dayOf(m[1] as string);
    if (Number.isNaN(day)) return false;
    span(day, day + 864e5, `the UTC day ${iso(day).slice(0, 10)}`);
    return true;
  });
}
