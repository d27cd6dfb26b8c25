/**
 * Check digits of the identifiers the PII detector reports: a number that
 * fails its checksum is an order id or a timestamp, not a card or an IBAN.
 * Each function takes the identifier without separators.
 */

/** Luhn (ISO/IEC 7812-1), for payment card numbers. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Card numbers: a known issuer prefix with one of its lengths, and Luhn. */
export function cardNumberValid(digits: string): boolean {
  const n = digits.length;
  if (n < 13 || n > 19 || /^(\d)\1+$/.test(digits)) return false;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  const issuer =
    (digits[0] === '4' && (n === 13 || n === 16 || n === 19)) ||
    (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && n === 16) ||
    ((p2 === 34 || p2 === 37) && n === 15) ||
    ((p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649)) && n >= 16) ||
    (p4 >= 3528 && p4 <= 3589 && n >= 16) ||
    ((p2 === 36 || p2 === 38 || (p3 >= 300 && p3 <= 305)) && n === 14) ||
    (p2 === 62 && n >= 16);
  return issuer && luhnValid(digits);
}

/** IBAN lengths by country (ISO 13616 registry, the countries most often seen). */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AE: 23,
  AT: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BR: 29,
  CH: 21,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  EE: 20,
  ES: 24,
  FI: 18,
  FR: 27,
  GB: 22,
  GI: 23,
  GR: 27,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IS: 26,
  IT: 27,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MT: 31,
  NL: 18,
  NO: 15,
  PL: 28,
  PT: 25,
  RO: 24,
  RS: 22,
  SA: 24,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  TR: 26,
  UA: 29,
};

/** IBAN: the country's length and ISO 7064 mod 97-10 equal to 1. */
export function ibanValid(iban: string): boolean {
  const length = IBAN_LENGTHS[iban.slice(0, 2)];
  if (length === undefined || iban.length !== length) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const c of rearranged) {
    const code = c.charCodeAt(0);
    const value = code >= 65 && code <= 90 ? code - 55 : code - 48;
    if (value < 0 || value > 35) return false;
    remainder = (remainder * (value > 9 ? 100 : 10) + value) % 97;
  }
  return remainder === 1;
}

/** US SSN: no checksum exists; the area, group and serial must not be ones never issued. */
export function ssnPlausible(area: string, group: string, serial: string): boolean {
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** Spanish DNI (8 digits and a letter) and NIE (X/Y/Z, 7 digits, a letter): the letter is the number mod 23. */
export function spanishIdValid(id: string): boolean {
  const nie = /^([XYZ])(\d{7})([A-Z])$/.exec(id);
  const dni = /^(\d{8})([A-Z])$/.exec(id);
  if (nie) return DNI_LETTERS[Number(`${'XYZ'.indexOf(nie[1]!)}${nie[2]}`) % 23] === nie[3];
  if (dni) return DNI_LETTERS[Number(dni[1]) % 23] === dni[2];
  return false;
}

/** French NIR (numéro de sécurité sociale): 13 characters and a key, 97 − (number mod 97). */
export function frenchNirValid(nir: string): boolean {
  if (!/^[12]\d{4}(?:\d{2}|2[AB])\d{6}\d{2}$/.test(nir)) return false;
  const body = nir.slice(0, 13);
  // Corsica: 2A and 2B count as 19 and 18 (INSEE).
  const numeric = BigInt(body.replace('2A', '19').replace('2B', '18'));
  return 97n - (numeric % 97n) === BigInt(nir.slice(13));
}

const CN_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/** Chinese resident identity card (GB 11643-1999): ISO 7064 mod 11-2 and a plausible birth date. */
export function chineseIdValid(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  if (year < 1900 || year > 2100 || month < 1 || month > 12 || day < 1 || day > 31) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (id.charCodeAt(i) - 48) * CN_WEIGHTS[i]!;
  return '10X98765432'[sum % 11] === id[17];
}

/** Shannon entropy in bits per character: random keys score high, words and placeholders low. */
export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
