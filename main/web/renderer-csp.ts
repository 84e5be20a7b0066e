// The renderer's Content Security Policy, in one place: sent as a header by `gt serve` and by the
// Electron protocol handler, and written into index.html's meta tag by the renderer build.
// 'unsafe-inline' styles only: xterm injects <style> elements; scripts stay 'self'. Workers too:
// the convoy graph's layout worker is a file of the bundle (layout-worker.js), never a blob.
export const RENDERER_CSP =
  "default-src 'self'; script-src 'self'; worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** frame-ancestors is ignored (with a console warning) in a meta tag, so the tag omits it. */
export const RENDERER_CSP_META = RENDERER_CSP.replace(/; frame-ancestors [^;]*/, '');
