/**
 * Synthetic values for the corpus placeholders. Real-looking PII and secrets
 * carry valid checksums (Luhn, mod-97, DNI letters) so that a detector which
 * validates them can find them; decoys (`{order_id}`, `{sha}`, the AWS
 * documentation key) look like them but are not. Every value is generated:
 * nothing here belongs to a real person or account.
 */

export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeFiller(rand) {
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const digits = (n) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('');
  const chars = (n, alphabet) =>
    Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
  const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const first = [
    'ana',
    'ben',
    'chen',
    'dana',
    'emil',
    'farah',
    'gus',
    'hana',
    'ivan',
    'jo',
    'kemal',
    'lina',
    'marc',
    'nora',
  ];
  const last = ['moreno', 'schulz', 'dupont', 'garcia', 'tanaka', 'wang', 'okafor', 'berg', 'rossi', 'novak'];
  const domains = [
    'example.com',
    'example.org',
    'mail.example.net',
    'acme-corp.example',
    'globex.example',
    'initech.example',
  ];
  const evil = [
    'collect-data.example',
    'sync-backup.example',
    'cdn-metrics.example',
    'mail-relay.example',
    'verify-account.example',
  ];

  const luhnComplete = (partial) => {
    for (let d = 0; d <= 9; d++) {
      const s = partial + d;
      let sum = 0;
      let dbl = false;
      for (let i = s.length - 1; i >= 0; i--) {
        let x = Number(s[i]);
        if (dbl) {
          x *= 2;
          if (x > 9) x -= 9;
        }
        sum += x;
        dbl = !dbl;
      }
      if (sum % 10 === 0) return s;
    }
    return `${partial}0`;
  };
  const mod97 = (numeric) => {
    let r = 0;
    for (const c of numeric) r = (r * 10 + Number(c)) % 97;
    return r;
  };
  const ibanOf = (country, bban) => {
    const numeric = [...`${bban}${country}00`]
      .map((c) => (/[A-Z]/.test(c) ? String(c.charCodeAt(0) - 55) : c))
      .join('');
    const check = String(98 - mod97(numeric)).padStart(2, '0');
    return `${country}${check}${bban}`;
  };

  const values = {
    email: () => `${pick(first)}.${pick(last)}@${pick(domains)}`,
    attacker_email: () => `${pick(['backup', 'admin', 'sync', 'support', 'it-desk'])}@${pick(evil)}`,
    attacker_host: () => pick(evil),
    attacker_url: () => `https://${pick(evil)}/${pick(['login', 'upload', 'verify', 'collect', 'sync'])}`,
    phone: () =>
      pick([
        () => `+49 30 ${digits(7)}`,
        () =>
          `+1 ${pick(['415', '212', '646', '312'])}-${2 + Math.floor(rand() * 7)}${digits(2)}-${digits(4)}`,
        () => `(${pick(['415', '212', '503'])}) ${2 + Math.floor(rand() * 7)}${digits(2)}-${digits(4)}`,
        () => `+33 1 ${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`,
        () => `+34 91 ${digits(3)} ${digits(2)} ${digits(2)}`,
        () => `+81 3-${digits(4)}-${digits(4)}`,
        () => `+86 138 ${digits(4)} ${digits(4)}`,
      ])(),
    card: () => {
      const n = pick([
        () => luhnComplete(`4${digits(14)}`),
        () => luhnComplete(`5${1 + Math.floor(rand() * 5)}${digits(13)}`),
      ])();
      const sep = pick([' ', '-', '']);
      return n.match(/.{4}/g).join(sep);
    },
    iban: () => {
      const iban = pick([
        () => ibanOf('DE', digits(18)),
        () => ibanOf('ES', digits(20)),
        () => ibanOf('NL', `${chars(4, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')}${digits(10)}`),
        () => ibanOf('GB', `${chars(4, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')}${digits(14)}`),
      ])();
      return rand() < 0.5 ? iban.match(/.{1,4}/g).join(' ') : iban;
    },
    ssn: () =>
      `${String(1 + Math.floor(rand() * 664)).padStart(3, '0')}-${String(1 + Math.floor(rand() * 98)).padStart(2, '0')}-${String(1 + Math.floor(rand() * 9998)).padStart(4, '0')}`,
    dni: () => {
      const n = digits(8);
      return `${n}${'TRWAGMYFPDXBNJZSQVHLCKE'[Number(n) % 23]}`;
    },
    ip: () =>
      `${pick([23, 51, 84, 91, 145, 185, 203, 10, 172])}.${Math.floor(rand() * 250) + 1}.${Math.floor(rand() * 250)}.${Math.floor(rand() * 250) + 1}`,
    address: () =>
      `${1 + Math.floor(rand() * 9000)} ${pick(['Maple', 'Oak', 'Cedar', 'Hill', 'Lake'])} ${pick(['Street', 'Avenue', 'Road', 'Drive', 'Lane'])}`,
    aws_key: () => `AKIA${chars(16, UPPER)}`,
    github_token: () => `ghp_${chars(36, ALNUM)}`,
    stripe_key: () => `sk_live_${chars(24, ALNUM)}`,
    slack_token: () => `xoxb-${digits(12)}-${digits(12)}-${chars(24, ALNUM)}`,
    jwt: () => {
      const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
      return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: digits(6), iat: 1717000000 + Math.floor(rand() * 1e6) })}.${chars(43, ALNUM)}`;
    },
    db_url: () => `postgres://app:${chars(18, ALNUM)}@db-${digits(2)}.internal:5432/orders`,
    generic_secret: () =>
      `${pick(['api_key', 'client_secret', 'SECRET_KEY', 'auth_token'])} = "${chars(32, ALNUM)}"`,
    private_key: () =>
      `-----BEGIN RSA PRIVATE KEY-----\n${Array.from({ length: 5 }, () => chars(64, `${ALNUM}+/`)).join('\n')}\n-----END RSA PRIVATE KEY-----`,
    // Decoys: look like identifiers, are not PII or secrets.
    order_id: () => `ORD-${2023 + Math.floor(rand() * 3)}-${digits(5)}`,
    uuid: () =>
      `${chars(8, '0123456789abcdef')}-${chars(4, '0123456789abcdef')}-4${chars(3, '0123456789abcdef')}-a${chars(3, '0123456789abcdef')}-${chars(12, '0123456789abcdef')}`,
    sha: () => chars(40, '0123456789abcdef'),
    version: () => `${1 + Math.floor(rand() * 3)}.${Math.floor(rand() * 30)}.${Math.floor(rand() * 10)}`,
    date: () =>
      `2024-${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rand() * 28)).padStart(2, '0')}`,
    ts: () =>
      `2024-06-${String(1 + Math.floor(rand() * 28)).padStart(2, '0')}T${String(Math.floor(rand() * 24)).padStart(2, '0')}:${digits(1)}${digits(1)}:${String(Math.floor(rand() * 60)).padStart(2, '0')}Z`,
    tracking: () => `1Z${chars(6, UPPER)}${digits(10)}`,
    amount: () =>
      pick([
        `$${4 + Math.floor(rand() * 45)},${digits(3)}`,
        `${digits(4)} EUR`,
        `€${digits(4)}`,
        `USD ${digits(5)}`,
      ]),
    amount_number: () => String(1000 + Math.floor(rand() * 90000)),
    name: () => `${pick(first)} ${pick(last)}`,
  };
  const PII = {
    email: 'email',
    attacker_email: 'email',
    phone: 'phone',
    card: 'card',
    iban: 'iban',
    ssn: 'ssn',
    dni: 'national_id',
    ip: 'ip',
    address: 'address',
  };
  const SECRET = new Set([
    'aws_key',
    'github_token',
    'stripe_key',
    'slack_token',
    'jwt',
    'db_url',
    'generic_secret',
    'private_key',
  ]);

  /** Fills `{name}` placeholders; `found` collects the PII and secret kinds inserted. */
  const fill = (template, found) =>
    template.replace(/\{([a-z_]+)\}/g, (whole, name) => {
      const make = values[name];
      if (!make) return whole;
      if (found && PII[name]) found.pii.add(PII[name]);
      if (found && SECRET.has(name)) found.secret.add(name);
      return make();
    });
  return { fill, pick, rand, values };
}
