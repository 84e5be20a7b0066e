// The real Electron app, end to end, with Playwright's _electron: build dist/, launch it on a town in
// a temp folder, and check the window, the sandbox, the typed bridge, a live bead, a real terminal,
// and that quitting stops the town with nothing left behind. Where the Electron binary cannot be
// launched (not downloaded, no display), the suite says so plainly instead of passing.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { findDolt } from '../../main/ledger/dolt-locate.ts';
import { REQUEST_NAMES } from '../../preload/contract.ts';
import type { TownStatus } from '../../preload/types.ts';
import { buildAll } from '../../scripts/build.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Finds the Electron executable the way the electron package does, without its side effect:
 * require('electron') starts a download when the binary is missing, and this machine is offline.
 */
function findElectron(): { path: string } | { why: string } {
  const explicit = process.env.GT_ELECTRON;
  if (explicit) return existsSync(explicit) ? { path: explicit } : { why: `GT_ELECTRON=${explicit} does not exist` };
  const pkg = join(root, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) return { path: join(override, relative || 'electron') };
  if (!relative) return { why: 'the Electron binary is not installed (node_modules/electron/path.txt is missing: its download failed or was blocked); set GT_ELECTRON=/path/to/electron to use another' };
  const full = join(pkg, 'dist', relative);
  return existsSync(full) ? { path: full } : { why: `the Electron binary is missing at ${full}` };
}

function whyNotRunnable(): string | null {
  const found = findElectron();
  if ('why' in found) return found.why;
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'no display (DISPLAY is unset): run the tests under xvfb-run';
  if (!findDolt()) return 'no dolt found (GT_DOLT, PATH or the install cache; npm install provides one)';
  return null;
}

const why = whyNotRunnable();
if (why) console.log(`Electron smoke test not run: ${why}`);

const alive = (pid: number | null): boolean => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('Electron app smoke test', () => {
  let base = '';
  let app: ElectronApplication;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    if (why) return;
    await buildAll();
    base = mkdtempSync(join(tmpdir(), 'gt-electron-'));
    const town = join(base, 'town');
    const executablePath = (findElectron() as { path: string }).path;
    app = await _electron.launch({
      executablePath,
      // Chromium refuses to run as root with its OS sandbox; the renderer's own sandbox stays on.
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), root, '--town', town],
      env: { ...process.env, GT_TOWN: town } as Record<string, string>,
      cwd: root,
      timeout: 60_000,
    });
    page = await app.firstWindow({ timeout: 60_000 });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.getByTestId('bead-list').waitFor({ timeout: 120_000 });
  });

  after(async () => {
    if (app) await app.close().catch(() => {});
    if (base) rmSync(base, { recursive: true, force: true });
  });

  // The flags themselves are pinned in test/unit/electron-security.test.ts; here, their effect.
  test('runs the renderer from the bundle, isolated, with only window.gastown', async (t) => {
    if (why) return t.skip(`Electron smoke test not run: ${why}`);
    assert.equal(page.url(), 'gastown://app/index.html');
    // The PTY host runs as a utilityProcess of its own, visible in the app's metrics.
    const utilities = await app.evaluate(({ app }) => app.getAppMetrics().filter((m) => m.type === 'Utility').map((m) => m.name ?? m.serviceName ?? ''));
    assert.ok(utilities.includes('Gas Town PTY host'), `utility processes: ${utilities.join(', ')}`);
    const surface = await page.evaluate(() => ({
      keys: Object.keys((window as unknown as { gastown: object }).gastown).sort(),
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
      opened: window.open('https://example.com/') === null,
    }));
    assert.deepEqual(surface.keys, [...REQUEST_NAMES, 'on', 'onTerminalData'].sort());
    assert.equal(surface.require, 'undefined');
    assert.equal(surface.process, 'undefined');
    assert.equal(surface.opened, true, 'window.open is denied');
  });

  test('calls reach the Town; bad input comes back as a TownError code', async (t) => {
    if (why) return t.skip(`Electron smoke test not run: ${why}`);
    const status = (await page.evaluate(() => (window as unknown as { gastown: { townStatus(a: object): Promise<unknown> } }).gastown.townStatus({}))) as TownStatus;
    assert.equal(status.up, true);
    assert.equal(status.dolt.state, 'ready');
    const error = await page.evaluate(() =>
      (window as unknown as { gastown: { beadCreate(a: object): Promise<unknown> } }).gastown.beadCreate({ title: '' }).then(
        () => null,
        (e: { code?: string; message?: string }) => ({ code: e.code, message: e.message }),
      ),
    );
    assert.equal(error?.code, 'invalid');
    assert.match(String(error?.message), /title/);
  });

  test('a bead created through the bridge appears in the list from the ledger feed', async (t) => {
    if (why) return t.skip(`Electron smoke test not run: ${why}`);
    const title = `electron-${Date.now()}`;
    const bead = (await page.evaluate(
      (title) => (window as unknown as { gastown: { beadCreate(a: object): Promise<unknown> } }).gastown.beadCreate({ title }),
      title,
    )) as { id: string };
    const row = page.locator(`[data-bead-id="${bead.id}"]`);
    await row.waitFor({ timeout: 15_000 });
    assert.match(await row.innerText(), new RegExp(title));
  });

  test('a real shell terminal in the window: type into it and read its output', async (t) => {
    if (why) return t.skip(`Electron smoke test not run: ${why}`);
    await page.getByTestId('open-terminal').click();
    const terminal = page.getByTestId('terminal');
    await terminal.locator('.xterm-rows').waitFor();
    await terminal.click();
    const marker = Math.floor(Math.random() * 1e9);
    await page.keyboard.type(`echo electron-$((${marker} + 1))\n`);
    await page.waitForFunction((text) => document.querySelector('.xterm-rows')?.textContent?.includes(text), `electron-${marker + 1}`, { timeout: 15_000 });
  });

  test('quitting stops the town: no Dolt server or PTY host left behind', async (t) => {
    if (why) return t.skip(`Electron smoke test not run: ${why}`);
    const status = (await page.evaluate(() => (window as unknown as { gastown: { townStatus(a: object): Promise<unknown> } }).gastown.townStatus({}))) as TownStatus;
    assert.ok(alive(status.dolt.pid), 'dolt is running before quit');
    await app.evaluate(({ app }) => app.quit());
    await new Promise<void>((resolveExit) => app.process().once('exit', () => resolveExit()));
    for (let i = 0; i < 50 && (alive(status.dolt.pid) || alive(status.ptyHost.pid)); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(alive(status.dolt.pid), false, `dolt (pid ${status.dolt.pid}) was stopped`);
    assert.equal(alive(status.ptyHost.pid), false, `the PTY host (pid ${status.ptyHost.pid}) was stopped`);
    assert.deepEqual(pageErrors, []);
  });
});
