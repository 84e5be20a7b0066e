// Shared steps of the UI's end-to-end tests: a `gt serve` town on a fixed web port (so a restarted
// web host comes back at the same URL), a Chromium page on it, and read-only looks into the page's store.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.ts';
import { gt, startTown, tempTownDir, waitFor, type RunningTown } from '../helpers/gt.ts';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface UiTown {
  dir: string;
  base: string;
  running: RunningTown;
  url: string;
  gt(args: string[]): ReturnType<typeof gt>;
  json<T>(args: string[]): Promise<T>;
  restart(): Promise<void>;
  cleanup(): Promise<void>;
}

export async function startUiTown(workSettings?: Record<string, unknown>): Promise<UiTown> {
  const town = tempTownDir();
  const init = await gt(['init'], { town: town.dir });
  if (init.code !== 0) throw new Error(`gt init: ${init.stderr}`);
  const configFile = join(town.dir, 'town.json');
  const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  config.web = { port: await freePort() };
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  if (workSettings) {
    mkdirSync(join(town.dir, 'settings'), { recursive: true });
    writeFileSync(join(town.dir, 'settings', 'work.json'), JSON.stringify(workSettings));
  }
  const t: UiTown = {
    dir: town.dir,
    base: join(town.dir, '..'),
    running: await startTown(town.dir, 'serve'),
    url: '',
    gt: (args) => gt(args, { town: town.dir }),
    async json<T>(args: string[]): Promise<T> {
      const r = await gt([...args, '--json'], { town: town.dir });
      if (r.code !== 0) throw new Error(`gt ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
      return JSON.parse(r.stdout) as T;
    },
    async restart() {
      await t.running.stop();
      t.running = await startTown(town.dir, 'serve');
    },
    async cleanup() {
      await t.running.stop().catch(() => undefined);
      town.cleanup();
    },
  };
  t.url = t.running.webUrl!;
  return t;
}

/** A page on the town's UI, its store loaded; notifications granted and recorded in window.__notes. */
export async function openUi(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  await context.grantPermissions(['notifications'], { origin: new URL(url).origin });
  // A string, not a function: the test's transpiler would add helpers the page does not have.
  await context.addInitScript(`
    window.__notes = [];
    const Original = window.Notification;
    class Recorded extends Original {
      constructor(title, options) {
        super(title, options);
        window.__notes.push({ title, body: (options && options.body) || '', at: Date.now() });
      }
    }
    Object.defineProperty(window, 'Notification', { value: Recorded, configurable: true, writable: true });
  `);
  const page = await context.newPage();
  page.on('pageerror', (err) => console.log(`# page error: ${err.message}`));
  await page.goto(url);
  await waitForReady(page);
  return page;
}

export async function waitForReady(page: Page, timeout = 30_000): Promise<void> {
  await page.waitForFunction(() => document.querySelector('.app')?.getAttribute('data-ready') === 'true', undefined, { timeout });
}

/** Reads the page's store with `pick` (run in the page: it must use nothing but its argument). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the page's state, read by a function that runs in the page
export function fromStore<T>(page: Page, pick: (state: any) => T): Promise<T> {
  return page.evaluate(`(${pick.toString()})(window.gastownDebug.store.getState())`) as Promise<T>;
}

export { launchChromium, waitFor };
