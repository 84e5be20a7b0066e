// Starts the PTY host as an Electron utilityProcess: node-pty's native code runs outside main, so a
// crash in pty.node costs the terminals (which the Town restarts), never the app. The process shows
// up in app.getAppMetrics() under its service name.
import { utilityProcess, type UtilityProcess } from 'electron';
import type { HostProcess, PtyHostLauncher } from '../agents/pty-host-client.ts';
import { ptyHostEnv } from './app-paths.ts';
import { PTY_HOST_NODE_FLAGS } from '../pty-host/host-bundle.ts';

export function utilityProcessLauncher(hostEntry: string, log: (line: string) => void = () => {}): PtyHostLauncher {
  return {
    launch(): HostProcess {
      const child = utilityProcess.fork(hostEntry, [], {
        serviceName: 'Gas Town PTY host',
        execArgv: [...PTY_HOST_NODE_FLAGS],
        env: ptyHostEnv(process.env),
        stdio: 'pipe',
      });
      pipeLines(child, log);
      return wrap(child);
    },
  };
}

function wrap(child: UtilityProcess): HostProcess {
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  return {
    get pid() {
      return child.pid;
    },
    postMessage(msg: unknown) {
      // Posting to a dead utility process throws (also in the moment before its 'exit' arrives);
      // the client learns of the death from 'exit'.
      if (exited) return;
      try {
        child.postMessage(msg);
      } catch {
        // Dying: 'exit' follows.
      }
    },
    on(ev: 'message' | 'exit', cb: ((msg: unknown) => void) | ((code: number | null) => void)) {
      if (ev === 'message') child.on('message', cb as (msg: unknown) => void);
      else child.on('exit', (code: number) => (cb as (code: number | null) => void)(code));
    },
    kill() {
      if (!exited) child.kill();
    },
  } as HostProcess;
}

function pipeLines(child: UtilityProcess, log: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) log(`pty-host: ${line}`);
    });
  }
}
