// A path inside the packaged app's asar, as the file unpacked beside it (electron-builder's
// asarUnpack): what must run by path (`bin/gt`, gt's native client, the git runner) lives there.

/** The path with `app.asar` replaced by `app.asar.unpacked`; any other path as is. */
export function unpackedPath(p: string): string {
  return p.replace(/([\\/])app\.asar(?=[\\/]|$)/, '$1app.asar.unpacked');
}
