// The Electron shell's security rules, which are plain data and pure functions so they can be pinned
// here without launching Electron: the renderer's sandbox flags, which URLs are "ours", which files
// the renderer protocol may serve, and which IPC senders may call the TownApi.
import assert from 'node:assert/strict';
import { join, sep } from 'node:path';
import { test } from 'node:test';
import { isExternalWebUrl, isRendererUrl, RENDERER_INDEX_URL, resolveRendererFile } from '../../main/electron/renderer-url.ts';
import { consumerFor, judgeSender, webContentsIdOf } from '../../main/electron/sender-trust.ts';
import { ALLOWED_PERMISSIONS, mainWindowOptions, secureWebPreferences } from '../../main/electron/window-options.ts';

test('the renderer runs sandboxed, isolated, with no Node and only our preload', () => {
  const prefs = secureWebPreferences('/app/dist/electron/preload.cjs');
  assert.equal(prefs.preload, '/app/dist/electron/preload.cjs');
  assert.equal(prefs.contextIsolation, true);
  assert.equal(prefs.sandbox, true);
  assert.equal(prefs.nodeIntegration, false);
  assert.equal(prefs.nodeIntegrationInWorker, false);
  assert.equal(prefs.nodeIntegrationInSubFrames, false);
  assert.equal(prefs.webSecurity, true);
  assert.equal(prefs.allowRunningInsecureContent, false);
  assert.equal(prefs.webviewTag, false);
  assert.equal(prefs.navigateOnDragDrop, false);
  // Nothing that loosens the sandbox may be set at all.
  for (const key of ['enableBlinkFeatures', 'additionalArguments', 'enableRemoteModule', 'backgroundThrottling'] as const) {
    assert.ok(!(key in prefs), `${key} is not set`);
  }
  const win = mainWindowOptions({ preload: '/p.cjs', icon: '/i.png' });
  assert.deepEqual(win.webPreferences, secureWebPreferences('/p.cjs'));
  assert.equal(win.show, false, 'shown on ready-to-show, never as a blank frame');
  assert.deepEqual([...ALLOWED_PERMISSIONS], ['clipboard-sanitized-write', 'notifications']);
});

test('only the bundled renderer counts as ours', () => {
  assert.ok(isRendererUrl(RENDERER_INDEX_URL));
  assert.ok(isRendererUrl('gastown://app/index.html#/beads'));
  assert.ok(isRendererUrl('gastown://app/'));
  for (const url of [
    'file:///app/dist/renderer/index.html',
    'http://127.0.0.1:8080/index.html',
    'https://example.com/',
    'gastown://evil/index.html',
    'gastown://user:pw@app/index.html',
    'gastownx://app/index.html',
    'javascript:alert(1)',
    'not a url',
    '',
  ]) {
    assert.equal(isRendererUrl(url), false, url);
  }
  assert.ok(isExternalWebUrl('https://github.com/gastownhall'));
  assert.ok(isExternalWebUrl('http://localhost:3000/'));
  for (const url of ['file:///etc/passwd', 'gastown://app/index.html', 'javascript:alert(1)', 'smb://host/share']) assert.equal(isExternalWebUrl(url), false, url);
});

test('the renderer protocol serves files of the bundle and nothing outside it', () => {
  const root = join(sep, 'app', 'dist', 'renderer');
  assert.equal(resolveRendererFile(root, 'gastown://app/index.html'), join(root, 'index.html'));
  assert.equal(resolveRendererFile(root, 'gastown://app/'), join(root, 'index.html'));
  assert.equal(resolveRendererFile(root, 'gastown://app/app.js?v=1#x'), join(root, 'app.js'));
  assert.equal(resolveRendererFile(root, 'gastown://app/fonts/a%20b.woff2'), join(root, 'fonts', 'a b.woff2'));
  // Dot segments the URL parser resolves itself stay inside the bundle (a 404 there, not /etc).
  assert.equal(resolveRendererFile(root, 'gastown://app/../../etc/passwd'), join(root, 'etc', 'passwd'));
  assert.equal(resolveRendererFile(root, 'gastown://app/%2e%2e/%2e%2e/etc/passwd'), join(root, 'etc', 'passwd'));
  for (const url of [
    'gastown://app/..%2f..%2fetc%2fpasswd',
    'gastown://app/x/..%2f..%2f..%2fetc%2fpasswd',
    'gastown://app/a%5c..%5c..%5csecrets.json',
    'gastown://app/index.html%00.js',
    'gastown://app/%E0%A4%A',
    'gastown://other/index.html',
    'file:///app/dist/renderer/index.html',
  ]) {
    assert.equal(resolveRendererFile(root, url), null, url);
  }
});

test('IPC callers: only the main frame of our own window, showing our renderer', () => {
  const trusted = new Set([7]);
  const ok = judgeSender({ webContentsId: 7, frameUrl: RENDERER_INDEX_URL, isMainFrame: true }, trusted);
  assert.deepEqual(ok, { ok: true, consumer: 'window:7' });

  const refused = [
    { webContentsId: 8, frameUrl: RENDERER_INDEX_URL, isMainFrame: true }, // not one of our windows
    { webContentsId: 7, frameUrl: RENDERER_INDEX_URL, isMainFrame: false }, // a subframe
    { webContentsId: 7, frameUrl: null, isMainFrame: true }, // frame already gone
    { webContentsId: 7, frameUrl: 'https://evil.example/', isMainFrame: true }, // navigated away
    { webContentsId: 7, frameUrl: 'file:///tmp/x.html', isMainFrame: true },
  ];
  for (const facts of refused) {
    const verdict = judgeSender(facts, trusted);
    assert.equal(verdict.ok, false, JSON.stringify(facts));
    assert.ok(!verdict.ok && verdict.reason.length > 0);
  }
});

test('consumer names round-trip to webContents ids, and nothing else parses as one', () => {
  assert.equal(consumerFor(42), 'window:42');
  assert.equal(webContentsIdOf(consumerFor(42)), 42);
  for (const consumer of ['ws:3', 'window:', 'window:abc', 'window:-1', 'window:0', 'window:1.5', 'socket:window:4']) {
    assert.equal(webContentsIdOf(consumer), null, consumer);
  }
});
