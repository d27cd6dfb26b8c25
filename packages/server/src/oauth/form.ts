import { OAuthError } from './oauth-error.js';

/**
 * Parses an `application/x-www-form-urlencoded` body. RFC 6749 §3.2: a
 * parameter must not appear more than once, and parameters without a value
 * are treated as omitted.
 */
export function parseForm(body: string): Record<string, string> {
  const form: Record<string, string> = Object.create(null);
  for (const [key, value] of new URLSearchParams(body)) {
    if (key in form) throw new OAuthError('invalid_request', `parameter '${key}' appears more than once`);
    if (value !== '') form[key] = value;
  }
  return form;
}
