// The built Electron main bundle (dist/electron/main.cjs), run under plain Node with a stand-in for
// the `electron` module, against a real Dolt server, the real PTY host bundle and a real shell.
// It checks what the Electron binary is not needed for (this machine cannot download it): that the
// bundle loads, starts the Town, serves the renderer, wires every contract request with its sender
// check, streams events and terminal bytes to the window, and that quitting stops the town.
// The stand-in records calls; it decides nothing. The real-binary test is electron-smoke.test.ts.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { REQUEST_NAMES } from '../../preload/contract.ts';
import type { TownStatus } from '../../preload/types.ts';
import { IPC_EVENT_CHANNEL, IPC_TERMINAL_DATA_CHANNEL, ipcRequestChannel } from '../../preload/wire.ts';
import { buildAll } from '../../scripts/build.ts';
import { findDolt } from '../../main/ledger/dolt-locate.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const noDolt = findDolt() ? false : 'no dolt found (GT_DOLT, PATH or the install cache; npm install provides one)';

type Handler = (event: unknown, args: unknown) => Promise<{ ok: boolean; result?: unknown; error?: { code: string; message: string } }>;

/** Just enough of Electron's main-process API for main/electron/*, recording what the app does. */
function makeElectron(appRoot: string) {
  const handlers = new Map<string, Handler>();
  const sent: Array<[string, ...unknown[]]> = [];
  const windows: Array<{ opts: Record<string, unknown>; webContents: FakeWebContents }> = [];
  let protocolHandler: ((req: Request) => Promise<Response>) | null = null;
  let quitCount = 0;
  const quitted = new EventEmitter();
  const children: Array<{ pid?: number }> = [];

  class FakeWebContents extends EventEmitter {
    static nextId = 1;
    readonly id = FakeWebContents.nextId++;
    url = '';
    openHandler: ((d: { url: string }) => { action: string }) | null = null;
    readonly mainFrame = { url: '', parent: null, isDestroyed: () => false };
    setWindowOpenHandler(fn: (d: { url: string }) => { action: string }): void {
      this.openHandler = fn;
    }
    getURL(): string {
      return this.url;
    }
    isDestroyed(): boolean {
      return false;
    }
    send(channel: string, ...args: unknown[]): void {
      sent.push([channel, ...args]);
    }
  }
  class BrowserWindow extends EventEmitter {
    readonly webContents = new FakeWebContents();
    constructor(readonly opts: Record<string, unknown>) {
      super();
      windows.push(this);
    }
    async loadURL(url: string): Promise<void> {
      this.webContents.url = url;
      this.webContents.mainFrame.url = url;
      setImmediate(() => this.emit('ready-to-show'));
    }
    show(): void {}
    focus(): void {}
    restore(): void {}
    maximize(): void {}
    isMaximized(): boolean {
      return false;
    }
    isFullScreen(): boolean {
      return false;
    }
    getBounds() {
      return { x: Number(this.opts.x ?? 0), y: Number(this.opts.y ?? 0), width: Number(this.opts.width), height: Number(this.opts.height) };
    }
    getNormalBounds() {
      return this.getBounds();
    }
    isMinimized(): boolean {
      return false;
    }
    isDestroyed(): boolean {
      return false;
    }
  }
  const app = Object.assign(new EventEmitter(), {
    getAppPath: () => appRoot,
    getPath: (name: string) => join(tmpdir(), `gt-electron-${name}-${process.pid}`),
    requestSingleInstanceLock: () => true,
    whenReady: () => Promise.resolve(),
    quit() {
      quitCount++;
      let prevented = false;
      app.emit('before-quit', { preventDefault: () => (prevented = true) });
      if (!prevented) quitted.emit('quit');
    },
    exit(code: number) {
      quitted.emit('quit', code);
    },
  });
  const electron = {
    app,
    BrowserWindow,
    protocol: {
      registerSchemesAsPrivileged: () => {},
      handle: (_scheme: string, fn: (req: Request) => Promise<Response>) => (protocolHandler = fn),
    },
    session: { defaultSession: { setPermissionRequestHandler: () => {}, setPermissionCheckHandler: () => {} } },
    shell: { openExternal: async () => {} },
    dialog: { showErrorBox: (title: string, message: string) => console.log(`# error box: ${title}: ${message}`) },
    ipcMain: { handle: (channel: string, fn: Handler) => handlers.set(channel, fn), removeHandler: (channel: string) => handlers.delete(channel) },
    Tray: class extends EventEmitter {
      setToolTip(): void {}
      setContextMenu(): void {}
      destroy(): void {}
    },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: () => {} },
    screen: {
      getPrimaryDisplay: () => ({ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1080 } }),
      getAllDisplays: () => [{ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
    },
    nativeImage: { createFromPath: (p: string) => ({ size: readFileSync(p).length }) },
    Notification: { isSupported: () => false },
    // The real host bundle, forked by Node instead of Electron: it speaks process.send there.
    utilityProcess: {
      fork(modulePath: string, args: string[], opts: { env: Record<string, string> }) {
        const child = fork(modulePath, args, { env: opts.env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'advanced' });
        children.push(child);
        const proc = new EventEmitter();
        child.on('message', (m) => proc.emit('message', m));
        child.on('exit', (code) => proc.emit('exit', code ?? 0));
        return Object.assign(proc, {
          get pid() {
            return child.pid;
          },
          // As a dying process's channel closes before its 'exit': nothing is sent once it is closed,
          // and a send the close overtakes reports to its callback, not as an uncaught 'error'.
          postMessage: (m: unknown) => {
            if (child.connected) child.send(m as object, () => {});
          },
          kill: () => child.kill(),
          stdout: child.stdout,
          stderr: child.stderr,
        });
      },
    },
  };
  return { electron, handlers, sent, windows, children, quitted, protocol: () => protocolHandler, quits: () => quitCount };
}

const alive = (pid: number | null | undefined): boolean => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('Electron main bundle under Node (stand-in electron module, real Town)', { skip: noDolt }, () => {
  let base = '';
  let shellPid = 0;
  let fake: ReturnType<typeof makeElectron>;
  const ourFrame = () => {
    const wc = fake.windows[0].webContents;
    return { sender: wc, senderFrame: { url: wc.getURL(), parent: null, isDestroyed: () => false } };
  };
  const call = (name: string, args: unknown, event: unknown = ourFrame()) => fake.handlers.get(ipcRequestChannel(name as 'townStatus'))!(event, args);
  const until = async (what: string, check: () => boolean, ms = 15_000): Promise<void> => {
    for (const end = Date.now() + ms; Date.now() < end; ) {
      if (check()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`timed out waiting for ${what}`);
  };

  before(async () => {
    await buildAll();
    base = mkdtempSync(join(tmpdir(), 'gt-electron-bundle-'));
    fake = makeElectron(root);
    const originalResolve = (Module as unknown as { _resolveFilename: (...a: unknown[]) => string })._resolveFilename;
    const require = createRequire(import.meta.url);
    require.cache['gt-fake-electron'] = { id: 'gt-fake-electron', filename: 'gt-fake-electron', loaded: true, exports: fake.electron } as unknown as NodeJS.Module;
    const hooks = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
    hooks._resolveFilename = function (request: string, ...rest: unknown[]) {
      return request === 'electron' ? 'gt-fake-electron' : originalResolve.call(this, request, ...rest);
    };
    const argv = process.argv;
    try {
      process.argv = [process.execPath, root, '--town', join(base, 'town')];
      require(join(root, 'dist/electron/main.cjs'));
    } finally {
      process.argv = argv;
      hooks._resolveFilename = originalResolve;
    }
    await until('the window', () => fake.windows.length === 1, 5_000);
  });

  after(async () => {
    for (const child of fake?.children ?? []) if (alive(child.pid)) process.kill(child.pid!, 'SIGKILL');
    if (base) rmSync(base, { recursive: true, force: true });
  });

  test('opens one sandboxed window on the bundled renderer, served by the app protocol', async () => {
    const [win] = fake.windows;
    const prefs = win.opts.webPreferences as Record<string, unknown>;
    assert.equal(prefs.preload, join(root, 'dist/electron/preload.cjs'));
    assert.deepEqual([prefs.contextIsolation, prefs.sandbox, prefs.nodeIntegration], [true, true, false]);
    assert.equal(win.webContents.getURL(), 'gastown://app/index.html');
    assert.deepEqual(win.webContents.openHandler!({ url: 'https://example.com/' }), { action: 'deny' });
    let prevented = false;
    win.webContents.emit('will-navigate', { url: 'https://evil.example/', preventDefault: () => (prevented = true) });
    assert.equal(prevented, true, 'navigation away from the bundle is blocked');

    const serve = fake.protocol()!;
    const index = await serve(new Request('gastown://app/index.html'));
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-security-policy') ?? '', /script-src 'self';/);
    assert.match(await index.text(), /Content-Security-Policy/);
    const script = await serve(new Request('gastown://app/app.js'));
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal((await serve(new Request('gastown://app/missing.js'))).status, 404);
    assert.equal((await serve(new Request('gastown://app/..%2f..%2fpackage.json'))).status, 404);
    assert.equal((await serve(new Request('gastown://app/index.html', { method: 'POST', body: 'x' }))).status, 405);
  });

  test('one IPC handler per contract request; strangers are refused before the Town is asked', async () => {
    assert.deepEqual([...fake.handlers.keys()].sort(), REQUEST_NAMES.map(ipcRequestChannel).sort());
    const wc = fake.windows[0].webContents;
    const strangers = [
      { sender: { id: 999 }, senderFrame: { url: wc.getURL(), parent: null, isDestroyed: () => false } },
      { sender: wc, senderFrame: { url: 'https://evil.example/', parent: null, isDestroyed: () => false } },
      { sender: wc, senderFrame: { url: wc.getURL(), parent: {}, isDestroyed: () => false } },
      { sender: wc, senderFrame: null },
    ];
    for (const event of strangers) {
      const reply = await call('beadCreate', { title: 'should never be written' }, event);
      assert.equal(reply.ok, false);
      assert.equal(reply.error?.code, 'unauthorized');
    }
  });

  test('calls reach the real Town; bad input is a TownError code; new beads arrive as events', async () => {
    const status = await call('townStatus', {});
    assert.equal(status.ok, true, JSON.stringify(status.error));
    assert.equal((status.result as TownStatus).dolt.state, 'ready');
    const bad = await call('beadCreate', { title: '' });
    assert.deepEqual([bad.ok, bad.error?.code], [false, 'invalid']);
    const created = await call('beadCreate', { title: 'from the window' });
    assert.equal(created.ok, true, JSON.stringify(created.error));
    const id = (created.result as { id: string }).id;
    await until('a beadFeed event for the new bead', () => fake.sent.some(([ch, name, payload]) => ch === IPC_EVENT_CHANNEL && name === 'beadFeed' && JSON.stringify(payload).includes(id)));
    const listed = await call('beadList', {});
    assert.ok((listed.result as Array<{ id: string }>).some((b) => b.id === id));
  });

  test('a real shell: terminal bytes reach the window as raw Uint8Array', async () => {
    const opened = await call('terminalOpen', { cols: 80, rows: 24 });
    assert.equal(opened.ok, true, JSON.stringify(opened.error));
    const { id, pid } = opened.result as { id: string; pid: number };
    shellPid = pid;
    assert.equal((await call('terminalAttach', { id })).ok, true);
    assert.equal((await call('terminalWrite', { id, data: 'echo bundle-$((40 + 2))\r' })).ok, true);
    const output = (): string =>
      fake.sent
        .filter(([ch, termId]) => ch === IPC_TERMINAL_DATA_CHANNEL && termId === id)
        .map(([, , data]) => Buffer.from(data as Uint8Array).toString('utf8'))
        .join('');
    await until('the shell to answer', () => output().includes('bundle-42'));
    assert.ok(fake.sent.filter(([ch]) => ch === IPC_TERMINAL_DATA_CHANNEL).every(([, , data]) => data instanceof Uint8Array));
  });

  test('quitting stops the town first: no Dolt server, PTY host or shell left behind', async () => {
    const status = (await call('townStatus', {})).result as TownStatus;
    assert.ok(alive(status.dolt.pid) && alive(status.ptyHost.pid));
    const quit = new Promise((r) => fake.quitted.once('quit', r));
    fake.electron.app.quit();
    await quit;
    assert.equal(fake.quits(), 2, 'the first quit was held back until the town stopped, then quit again');
    await until('dolt, the PTY host and the shell to exit', () => !alive(status.dolt.pid) && !alive(status.ptyHost.pid) && !alive(shellPid), 10_000);
    assert.equal(fake.handlers.size, 0, 'IPC handlers removed');
  });
});
