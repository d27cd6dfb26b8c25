import { GatehouseError } from '@gatehouse/core';

/** What a secret name looks like: lower case, digits, `.`, `_`, `-`; at most 128 characters. */
export const SECRET_NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/;

/** The largest value the vault keeps, in UTF-8 bytes: room for a certificate chain, not a database dump. */
export const MAX_SECRET_BYTES = 64 * 1024;

/** The codes a `SecretError` carries. */
export type SecretErrorCode = 'GH_SECRET_NOT_FOUND' | 'GH_SECRET_UNREADABLE' | 'GH_SECRET_INVALID';

/**
 * A vault failure about one secret. It names the secret when the name is
 * valid and never quotes a value (nor anything that could be one, such as
 * the text of an invalid name, which may be a value pasted in the wrong place).
 */
export class SecretError extends GatehouseError {
  declare readonly code: SecretErrorCode;

  constructor(
    code: SecretErrorCode,
    message: string,
    /** The secret concerned, when its name is valid. */
    readonly secret?: string,
    options?: { status?: number; cause?: unknown },
  ) {
    super(code, message, { status: code === 'GH_SECRET_INVALID' ? 400 : 500, ...options });
  }
}

/** Throws `GH_SECRET_INVALID` unless `name` is a valid secret name. */
export function assertSecretName(name: string): void {
  if (!SECRET_NAME.test(name))
    throw new SecretError(
      'GH_SECRET_INVALID',
      `a secret name is 1 to 128 of a-z 0-9 . _ - and starts with a letter or digit (${name.length} characters given)`,
    );
}

/**
 * Throws `GH_SECRET_INVALID` unless `value` can be kept and injected: not
 * empty, at most `MAX_SECRET_BYTES`, well-formed Unicode (it is stored as
 * UTF-8 and must come back as the same string), and without NUL, which no
 * environment variable or header can carry.
 */
export function assertSecretValue(name: string, value: string): void {
  const problem =
    value.length === 0
      ? 'is empty'
      : Buffer.byteLength(value, 'utf8') > MAX_SECRET_BYTES
        ? `is larger than ${MAX_SECRET_BYTES} bytes`
        : !value.isWellFormed()
          ? 'is not well-formed Unicode'
          : value.includes('\0')
            ? 'contains a NUL character'
            : undefined;
  if (problem) throw new SecretError('GH_SECRET_INVALID', `the value of secret '${name}' ${problem}`, name);
}
