// Serves the bundled renderer (dist/renderer) on gastown://app/…, read-only, nothing outside it,
// with the renderer's CSP as a header and explicit content types (no sniffing).
import { protocol } from 'electron';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { RENDERER_CSP, RENDERER_SCHEME, resolveRendererFile } from './renderer-url.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
};

/** Must run before app 'ready': privileges can only be granted then. */
export function registerRendererScheme(): void {
  protocol.registerSchemesAsPrivileged([
    // standard: a real origin and relative URLs; secure: treated like https (no mixed-content rules).
    { scheme: RENDERER_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

export function serveRenderer(rendererDir: string): void {
  protocol.handle(RENDERER_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('method not allowed', { status: 405 });
    const file = resolveRendererFile(rendererDir, request.url);
    if (!file) return new Response('not found', { status: 404 });
    let body: Buffer;
    try {
      // Electron's fs reads inside app.asar too, so this works packaged and in development alike.
      body = await readFile(file);
    } catch {
      return new Response('not found', { status: 404 });
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: {
        'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Security-Policy': RENDERER_CSP,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-cache',
      },
    });
  });
}
