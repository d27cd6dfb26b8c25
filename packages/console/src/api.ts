/** A refusal from the API, with its stable code and the server's words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Who is signed in, as `GET /v1/session` says. */
export interface SessionInfo {
  readonly email: string;
  readonly roles: readonly string[];
  readonly method: string;
  readonly csrf_token: string;
  readonly idle_timeout_s: number;
  readonly expires_at: string;
}

let csrfToken: string | undefined;
let onSignedOut: () => void = () => undefined;

/** The CSRF token every change carries, and what to do when the session has ended. */
export function configureApi(options: { csrfToken?: string; onSignedOut?: () => void }): void {
  csrfToken = options.csrfToken;
  if (options.onSignedOut) onSignedOut = options.onSignedOut;
}

/**
 * Calls the public HTTP API with the session cookie. The console has no
 * other way in: whatever it shows or changes, the API allowed for this person.
 */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers,
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, 'network', 'the server cannot be reached; check your connection and try again');
  }
  if (response.status === 204) return undefined as T;
  const data = (await response.json().catch(() => ({}))) as { error?: string; message?: string };
  if (!response.ok) {
    if (response.status === 401 && path !== '/v1/session') onSignedOut();
    throw new ApiError(
      response.status,
      data.error ?? 'error',
      data.message ?? `the server answered ${response.status}`,
    );
  }
  return data as T;
}

/** The query string of the defined values. */
export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
