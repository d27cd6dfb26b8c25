/** An access token from the server's own token endpoint, as an agent gets one (client_secret_basic). */
export async function clientCredentialsToken(
  baseUrl: string,
  clientId: string,
  secret: string,
  /** RFC 8707: bind the token to this resource. */
  resource?: string,
): Promise<string> {
  const response = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
    },
    body: `grant_type=client_credentials${resource ? `&resource=${encodeURIComponent(resource)}` : ''}`,
  });
  if (!response.ok) throw new Error(`token endpoint answered ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** POSTs a form body to the token endpoint, as any client would, and returns the raw response. */
export function postTokenForm(baseUrl: string, body: string, authorization?: string): Promise<Response> {
  return fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(authorization !== undefined && { authorization }),
    },
    body,
  });
}
