import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAuditEvent } from '@gatehouse/core';
import { AgentAdmin, loadConfig, type RunningServer, startServer } from '@gatehouse/server';
import Provider from 'oidc-provider';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort, launchChromium, screenshot } from '../support/browser.js';

/**
 * Single sign-on to the console with OpenID Connect (authorization code +
 * PKCE) against a real OpenID provider, `oidc-provider`, started here on
 * loopback, driven in Debian's Chromium through the provider's own login and
 * consent pages.
 */

const QUICKSTART = new URL('../../examples/quickstart/policy.yaml', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'gh-console-sso-'));
const WAIT = { timeout: 10_000 };
const CLIENT_SECRET = 'a-client-secret-for-tests-only-0123456789';

/** The provider's accounts: the login typed on its page is the account id. */
const ACCOUNTS: Record<string, { email: string; email_verified: boolean; groups?: string[] }> = {
  erin: { email: 'Erin@Example.com', email_verified: true },
  mallory: { email: 'carol@example.com', email_verified: false },
  nobody: { email: 'nobody@example.com', email_verified: true },
  gina: { email: 'gina@example.com', email_verified: true, groups: ['gh-auditors'] },
};

let idp: Server;
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  const [idpPort, port] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const issuer = `http://127.0.0.1:${idpPort}`;
  const console = `http://localhost:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'gatehouse-console',
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${console}/v1/session/oidc/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['groups'] },
    findAccount: async (_ctx, id) =>
      ACCOUNTS[id] ? { accountId: id, claims: async () => ({ sub: id, ...ACCOUNTS[id] }) } : undefined,
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['cookie-key-for-tests-only'] },
  });
  idp = createServer(provider.callback());
  await new Promise<void>((resolve) => idp.listen(idpPort, '127.0.0.1', resolve));

  copyFileSync(QUICKSTART, join(dir, 'policy.yaml'));
  writeFileSync(
    join(dir, 'gatehouse.yaml'),
    [
      'policy: ./policy.yaml',
      `server: { port: ${port}, publicUrl: "${console}" }`,
      'console:',
      '  oidc:',
      `    issuer: "${issuer}"`,
      '    clientId: gatehouse-console',
      '    clientSecret: ${env:OIDC_CLIENT_SECRET}',
      '    groupsClaim: groups',
      '    groupRoles: { gh-auditors: [auditor] }',
      '',
    ].join('\n'),
  );
  server = await startServer(
    await loadConfig(join(dir, 'gatehouse.yaml'), { OIDC_CLIENT_SECRET: CLIENT_SECRET }),
    { env: {}, watch: false },
  );
  const admin = new AgentAdmin(server.store);
  await admin.createUser('erin@example.com', ['approver']);
  await admin.createUser('carol@example.com', ['approver', 'admin']);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await new Promise((resolve) => idp?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** Signs in at the provider's own pages as `login`, starting from the console's sign-in page. */
async function signInAt(page: Page, login: string): Promise<void> {
  await page.goto(`${server.url}/console/`);
  await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

describe('single sign-on with OpenID Connect', () => {
  it('signs in a registry user matched by verified email, with the registry’s roles', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await signInAt(page, 'erin');
    await page.getByRole('heading', { name: 'Approvals', level: 1 }).waitFor(WAIT);
    await page.getByText('erin@example.com').waitFor(WAIT);
    const session = await page.evaluate(async () => (await fetch('/v1/session')).json());
    expect(session).toMatchObject({ email: 'erin@example.com', roles: ['approver'], method: 'oidc' });
    // The session cookie is HttpOnly and SameSite=Strict; the PKCE flow cookie is gone.
    const cookies = await context.cookies(server.url);
    expect(cookies.find((c) => c.name === 'gh_console')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
    expect(cookies.find((c) => c.name === 'gh_console_oidc')).toBeUndefined();
    await context.close();
  }, 60_000);

  it('refuses an unverified email, even one the registry knows, and says why', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInAt(page, 'mallory');
    await page.getByRole('alert').getByText('has no verified email address').waitFor(WAIT);
    await screenshot(page, 'sign-in-refused');
    expect(await page.evaluate(async () => (await fetch('/v1/session')).status)).toBe(401);
    await context.close();
  }, 60_000);

  it('refuses a person the registry does not know, and enrols one a mapped group names', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInAt(page, 'nobody');
    await page.getByRole('alert').getByText('nobody@example.com is not a Gatehouse user').waitFor(WAIT);
    await context.clearCookies();
    await signInAt(page, 'gina');
    await page.getByText('gina@example.com').waitFor(WAIT);
    expect(await page.evaluate(async () => (await fetch('/v1/session')).json())).toMatchObject({
      email: 'gina@example.com',
      roles: ['auditor'],
    });
    await context.close();
  }, 60_000);

  it('refuses a callback no sign-in started (a forged or replayed answer)', async () => {
    const response = await fetch(`${server.listenUrl}/v1/session/oidc/callback?code=stolen&state=guess`, {
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toContain('sso_error=');
    expect(response.headers.get('set-cookie') ?? '').not.toMatch(/gh_console=[^;]/);
    const events = (await server.store.queryAudit({ order: 'desc', limit: 50 })).map(openAuditEvent);
    expect(events.some((e) => e.what.action === 'console.sign-in' && e.outcome.status === 'denied')).toBe(
      true,
    );
  });
});
