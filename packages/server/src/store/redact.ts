/**
 * A connection string fit for logs and errors: the password, if any, is
 * replaced by `***`. Anything unparseable is reduced to its scheme.
 *
 * @example redactConnectionString('postgres://app:s3cret@db/prod') // 'postgres://app:***@db/prod'
 */
export function redactConnectionString(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass|secret|token|key/i.test(key)) parsed.searchParams.set(key, '***');
    }
    return parsed.toString().replace('%2A%2A%2A', '***');
  } catch {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
    return scheme ? `${scheme}://(unparseable, redacted)` : '(unparseable, redacted)';
  }
}
