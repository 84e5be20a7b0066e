// Where a town keeps its files. One place, so the CLI, the Town and the tests agree.
import { createHash } from 'node:crypto';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface TownPaths {
  root: string;
  /** town.json: settings a user may edit. */
  config: string;
  /** secrets.json (mode 0600): the Dolt password and the API token. */
  secrets: string;
  doltData: string;
  runtime: string;
  /** The TownApi socket for the CLI (mode 0600). */
  socket: string;
  /** state.json: what a running town publishes about itself (ports, pids, web URL without token). */
  state: string;
  logs: string;
  doltLog: string;
  transcripts: string;
}

/** The town folder: --town DIR, else GT_TOWN, else ~/gt. */
export function resolveTownDir(flag?: string): string {
  return resolve(flag || process.env.GT_TOWN || join(homedir(), 'gt'));
}

// A unix socket path is limited to ~104 bytes; a deep town folder gets a socket in the temp folder
// named after a hash of the town's path, so it is still unique per town.
const MAX_SOCKET_PATH = 100;

export function townPaths(root: string): TownPaths {
  const runtime = join(root, '.runtime');
  const logs = join(root, 'logs');
  let socket = join(runtime, 'gt.sock');
  if (process.platform === 'win32') {
    socket = `\\\\.\\pipe\\gastown-${createHash('sha256').update(root).digest('hex').slice(0, 16)}`;
  } else if (socket.length > MAX_SOCKET_PATH) {
    socket = join(tmpdir(), `gt-${createHash('sha256').update(root).digest('hex').slice(0, 16)}.sock`);
  }
  return {
    root,
    config: join(root, 'town.json'),
    secrets: join(root, 'secrets.json'),
    doltData: join(root, '.dolt-data'),
    runtime,
    socket,
    state: join(runtime, 'state.json'),
    logs,
    doltLog: join(logs, 'dolt.log'),
    transcripts: join(root, 'transcripts'),
  };
}
