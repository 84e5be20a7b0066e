// Where the renderer lives inside the app, and which URLs count as "ours". Pure: no electron import,
// so the unit tests can check the rules that the window, the protocol handler and the IPC sender
// check all share.
import { isAbsolute, join, normalize, relative, sep } from 'node:path';

/**
 * The renderer is served from a custom scheme rather than file:// (Electron's security checklist):
 * a standard, secure scheme gives the page a real origin, so its CSP 'self' means exactly the
 * bundle and nothing else on disk.
 */
export const RENDERER_SCHEME = 'gastown';
export const RENDERER_HOST = 'app';
export const RENDERER_ORIGIN = `${RENDERER_SCHEME}://${RENDERER_HOST}`;
export const RENDERER_INDEX_URL = `${RENDERER_ORIGIN}/index.html`;

export { RENDERER_CSP } from '../web/renderer-csp.ts';

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True for a page of our bundled renderer, and for nothing else (no file://, no http, no other host). */
export function isRendererUrl(url: string): boolean {
  const u = parse(url);
  return !!u && u.protocol === `${RENDERER_SCHEME}:` && u.host === RENDERER_HOST && !u.username && !u.password;
}

/**
 * Maps a renderer URL to a file under `rootDir`, or null when it is not ours or escapes the folder
 * (`..`, encoded slashes, absolute paths): the protocol handler answers 404 rather than read it.
 */
export function resolveRendererFile(rootDir: string, url: string): string | null {
  if (!isRendererUrl(url)) return null;
  const u = parse(url)!;
  let path: string;
  try {
    path = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.includes('\\')) return null;
  const relativePath = path === '/' || path === '' ? 'index.html' : path.replace(/^\/+/, '');
  const root = normalize(rootDir);
  const file = normalize(join(root, relativePath));
  const rel = relative(root, file);
  if (!rel || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) return null;
  return file;
}

/** Links the page may hand to the user's browser: plain web pages only. */
export function isExternalWebUrl(url: string): boolean {
  const u = parse(url);
  return !!u && (u.protocol === 'https:' || u.protocol === 'http:');
}
