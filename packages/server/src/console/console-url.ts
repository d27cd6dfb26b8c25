/**
 * The origin people open the console at: `console.url` when set, else the
 * server's public URL — with a loopback IP address replaced by `localhost`,
 * because WebAuthn accepts a host name, never an IP address, as the relying
 * party of a passkey.
 */
export function consoleOrigin(publicUrl: string, configured?: string): string {
  const url = new URL(configured ?? publicUrl);
  if (configured === undefined && (/^127(\.\d{1,3}){3}$/.test(url.hostname) || url.hostname === '[::1]'))
    url.hostname = 'localhost';
  return url.origin;
}
