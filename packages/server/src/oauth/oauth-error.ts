/** RFC 6749 §5.2, RFC 8693 §2.2.2 and RFC 7009 §2.2.1 error codes. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'unsupported_token_type'
  | 'server_error';

/**
 * An error answered the way RFC 6749 §5.2 says: JSON `{ error,
 * error_description }` with status 400, or 401 for `invalid_client`. The
 * description is for people and never contains a credential.
 */
export class OAuthError extends Error {
  readonly status: number;
  /** Seconds before a throttled client may retry (the `Retry-After` header). */
  readonly retryAfterS: number | undefined;

  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    options: { status?: number; retryAfterS?: number } = {},
  ) {
    super(`${error}: ${description}`);
    this.name = 'OAuthError';
    this.retryAfterS = options.retryAfterS;
    this.status = options.status ?? (error === 'invalid_client' ? 401 : error === 'server_error' ? 500 : 400);
  }

  /** The response body. */
  toJSON(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}
