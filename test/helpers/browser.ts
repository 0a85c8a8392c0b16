// Headless Chromium for the browser tests: Debian's /usr/bin/chromium (or $CHROMIUM_PATH),
// driven by playwright-core, with a fresh profile and every background service that could
// phone home switched off. `findChromium()` returns null when none is installed (the tests then
// skip, unless KEYLAG_REQUIRE_BROWSER=1, as in CI, where that is a failure).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function findChromium(): string | null {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  return CHROMIUM_CANDIDATES.find((p) => existsSync(p)) ?? null;
}

export function browserRequired(): boolean {
  return process.env.KEYLAG_REQUIRE_BROWSER === '1';
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A persistent context on a fresh, temporary user-data dir (removed on close). */
export async function launch(executablePath: string, viewport = { width: 1280, height: 900 }): Promise<Browser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'keylag-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    deviceScaleFactor: 1,
    timeout: 60_000,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
