// Keeping a session's last output when its command exits.
//
// Why: a PTY's session leader is its controlling process. When it exits, Linux hangs the terminal
// up, and hanging up a pty slave flushes the master's input buffer (pty_flush_buffer): whatever
// the command wrote last and we had not read yet is discarded by the kernel (measured: 6–10 KB of
// a fast writer's tail, every time; node-pty read directly loses it the same way). An agent's
// last lines (its summary, its error) are exactly what a user needs, so every command runs under a
// tiny /bin/sh leader instead:
//
//   1. the leader runs the command as its child and waits for it (it catches INT/QUIT/TERM/USR1/
//      USR2 with a no-op trap so a ^C or a kill aimed at the command never ends the leader first;
//      caught traps reset to default in the child, so the command sees ordinary signals);
//   2. when the command has exited, the leader writes an exit marker carrying the exit status to
//      the terminal (an OSC sequence with a per-session nonce; the host strips it, so nothing
//      extra is ever visible — and a terminal would ignore an unknown OSC anyway);
//   3. the leader then sleeps, holding the session open; the output is FIFO, so once the host
//      has read the marker it has read everything before it, and only then kills the leader.
//
// While the host is paused by flow control the leader simply keeps waiting: nothing is lost and
// nothing is read early. If the host dies, the terminal's hang-up (SIGHUP, not caught) ends it.
// The exit status is the shell's: a command killed by signal N reads as 128+N and is reported as
// that signal (the usual shell convention; a command that exits 129–192 on purpose reads the same).

import { randomBytes } from 'node:crypto';

/** The leader's program. $1 is the nonce, the rest is the command line, run as is. */
const LEADER_SCRIPT = [
  'n=$1; shift',
  // The leader's own stderr goes nowhere: a shell reports a foreground command killed by a signal
  // ("Terminated") on its stderr, and that would be extra output on the agent's screen. The
  // command gets the terminal back as its stderr from an inner sh that then execs it (a
  // redirection on the command line itself would still be in effect while the leader waits).
  'exec 3>&2 2>/dev/null',
  'trap : INT QUIT TERM USR1 USR2',
  `/bin/sh -c 'exec 2>&3 3>&-; exec "$@"' sh "$@"`,
  'rc=$?',
  // From here on the leader only waits to be released: a stray ^C or kill must not end it early.
  "trap '' INT QUIT TERM USR1 USR2",
  "printf '\\033]6973;gt-exit;%s;%03d\\007' \"$n\" \"$rc\"",
  // exec: the sleeper keeps the leader's pid (still the session leader); /bin first so a session
  // whose PATH lacks coreutils still finds sleep.
  'PATH=/bin:/usr/bin:$PATH exec sleep 2147483647',
  // Only reached if exec failed: exit with the command's status (the tail may then be lost).
  'exit $rc',
].join('\n');

const LEADER_SHELL = '/bin/sh';
const MARKER_PREFIX = '\x1b]6973;gt-exit;';
/** The status: three digits (printf %03d of 0..255), then BEL. */
const STATUS_LEN = 4;

export interface LeaderLaunch {
  file: string;
  args: string[];
  /** Recognises and strips this session's exit marker in its output. */
  marker: ExitMarkerScanner;
}

/** Wraps `command args` in the draining leader. Not on Windows (ConPTY has no such hang-up). */
export function wrapInLeader(command: string, args: string[]): LeaderLaunch | null {
  if (process.platform === 'win32') return null;
  const nonce = randomBytes(8).toString('hex');
  return { file: LEADER_SHELL, args: ['-c', LEADER_SCRIPT, 'gt-pty', nonce, command, ...args], marker: new ExitMarkerScanner(nonce) };
}

export interface CommandExit {
  exitCode: number | null;
  signal: number | null;
}

/**
 * Finds the exit marker in a session's output stream, however the stream is chunked. Passes
 * every other byte through untouched and in order; a chunk that ends with what could be the start
 * of the marker is held back until the next chunk shows whether it was (an incomplete escape
 * sequence is invisible to a terminal anyway, so holding it back changes nothing on screen).
 */
export class ExitMarkerScanner {
  private readonly needle: Buffer;
  private readonly fullLen: number;
  private held: Buffer | null = null;
  /** The command's exit, once the marker has been seen. */
  exit: CommandExit | null = null;

  constructor(nonce: string) {
    this.needle = Buffer.from(`${MARKER_PREFIX}${nonce};`, 'latin1');
    this.fullLen = this.needle.length + STATUS_LEN;
  }

  /** Returns the bytes to pass on (possibly none); sets `exit` when the marker went by. */
  scan(chunk: Buffer): Buffer[] {
    const buf = this.held ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = null;
    const out: Buffer[] = [];
    let from = 0; // first byte not yet passed on
    let searchFrom = 0;
    while (!this.exit) {
      const at = buf.indexOf(this.needle, searchFrom);
      if (at < 0) break;
      if (buf.length - at < this.fullLen) {
        // The marker's fixed part is here, its status comes with the next chunk.
        if (at > from) out.push(buf.subarray(from, at));
        this.held = Buffer.from(buf.subarray(at));
        return out;
      }
      const status = this.parseStatus(buf, at + this.needle.length);
      if (!status) {
        searchFrom = at + 1; // not well formed: ordinary bytes
        continue;
      }
      if (at > from) out.push(buf.subarray(from, at));
      this.exit = status;
      from = at + this.fullLen;
    }
    const keep = this.exit ? 0 : this.partialTail(buf, from);
    const end = buf.length - keep;
    if (end > from) out.push(from === 0 && end === buf.length ? buf : buf.subarray(from, end));
    if (keep) this.held = Buffer.from(buf.subarray(end));
    return out;
  }

  /** The command ended without a marker (the leader was killed): release anything held back. */
  drain(): Buffer | null {
    const h = this.held;
    this.held = null;
    return h;
  }

  /** Length of the longest suffix of `buf` that is a proper prefix of the needle. */
  private partialTail(buf: Buffer, from: number): number {
    const max = Math.min(this.needle.length - 1, buf.length - from);
    // Every candidate starts with ESC: look only from the last few ESCs.
    for (let i = buf.lastIndexOf(0x1b); i >= 0 && buf.length - i <= max; i = i > 0 ? buf.lastIndexOf(0x1b, i - 1) : -1) {
      const tail = buf.subarray(i);
      if (this.needle.subarray(0, tail.length).equals(tail)) return tail.length;
    }
    return 0;
  }

  private parseStatus(buf: Buffer, from: number): CommandExit | null {
    let rc = 0;
    for (let i = 0; i < 3; i++) {
      const d = buf[from + i] - 0x30;
      if (d < 0 || d > 9) return null;
      rc = rc * 10 + d;
    }
    if (buf[from + 3] !== 0x07) return null;
    // The shell reports a death by signal N as 128+N.
    if (rc > 128 && rc <= 128 + 64) return { exitCode: null, signal: rc - 128 };
    return { exitCode: rc, signal: null };
  }
}
