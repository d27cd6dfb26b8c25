import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, type CDPSession, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); `.ci/run` installs it when it is missing. */
export const CHROMIUM = process.env.GATEHOUSE_CHROMIUM ?? '/usr/bin/chromium';

/** Where tests write the console's screenshots; the README shows them. */
export const SCREENSHOTS = fileURLToPath(new URL('../../docs/console/', import.meta.url));

/** Headless Debian Chromium, no sandbox (containers), no background traffic to anywhere. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is not at ${CHROMIUM}: install it with 'apt-get install -y chromium'`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-default-apps',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}

/** A free loopback port, so the public URL (and so the WebAuthn origin) is known before start. */
export async function freeLoopbackPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A person at a browser: their own context (cookies), page, and a platform authenticator. */
export interface BrowserPerson {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly cdp: CDPSession;
  /** The virtual authenticator holding this person's passkeys. */
  readonly authenticatorId: string;
  /** Console errors and uncaught exceptions the page produced (CSP violations among them). */
  readonly errors: string[];
}

/**
 * Opens a context with a virtual WebAuthn authenticator (DevTools protocol
 * `WebAuthn.addVirtualAuthenticator`): a platform passkey store with user
 * verification, which answers every ceremony as a person touching it would.
 */
export async function openPerson(
  browser: Browser,
  viewport = { width: 1280, height: 800 },
): Promise<BrowserPerson> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { context, page, cdp, authenticatorId, errors };
}

/** Writes a screenshot of the page to the README's folder. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: false });
}
