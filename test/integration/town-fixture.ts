// A town for the work-loop tests: a temp folder, `gt init`, `gt up` as a real process (real Dolt,
// real PTY host), fixture git repositories, and helpers to run `gt` as the overseer or as an agent.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gt, startTown, tempTownDir, waitFor, type GtResult, type RunningTown } from '../helpers/gt.ts';
import { Town } from '../../main/town/town.ts';
import { connectToTown, type SocketClient } from '../../main/cli/socket-client.ts';

export interface TestTown {
  base: string;
  dir: string;
  town: RunningTown;
  gt(args: string[], env?: Record<string, string>, cwd?: string): Promise<GtResult>;
  /** Runs gt and parses its --json output; throws with stderr when it fails. */
  json<T>(args: string[], env?: Record<string, string>): Promise<T>;
  restart(): Promise<void>;
  cleanup(): Promise<void>;
}

const GIT_ENV = { GIT_AUTHOR_NAME: 'fixture', GIT_AUTHOR_EMAIL: 'fixture@test', GIT_COMMITTER_NAME: 'fixture', GIT_COMMITTER_EMAIL: 'fixture@test' };

export function git(cwd: string, args: string[]): string {
  return execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8', env: { ...process.env, ...GIT_ENV } });
}

/** A repository with one commit on main. */
export function fixtureRepo(base: string, name = 'project'): string {
  const dir = join(base, name);
  mkdirSync(dir, { recursive: true });
  git(dir, ['init', '-q', '-b', 'main']);
  writeFileSync(join(dir, 'README.md'), '# fixture\n');
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', 'initial']);
  return dir;
}

export async function startTestTown(settings?: Record<string, unknown>, supervision?: Record<string, unknown>): Promise<TestTown> {
  const base = mkdtempSync(join(tmpdir(), 'gt-town-'));
  const dir = join(base, 'town');
  const init = await gt(['init'], { town: dir });
  if (init.code !== 0) throw new Error(`gt init failed: ${init.stderr}`);
  if (settings) {
    mkdirSync(join(dir, 'settings'), { recursive: true });
    writeFileSync(join(dir, 'settings', 'work.json'), JSON.stringify(settings));
  }
  if (supervision) {
    mkdirSync(join(dir, 'settings'), { recursive: true });
    writeFileSync(join(dir, 'settings', 'supervision.json'), JSON.stringify(supervision));
  }
  const t: TestTown = {
    base,
    dir,
    town: await startTown(dir),
    gt: (args, env, cwd) => gt(args, { town: dir, env, cwd }),
    async json<T>(args: string[], env?: Record<string, string>): Promise<T> {
      const r = await gt([...args, '--json'], { town: dir, env });
      if (r.code !== 0) throw new Error(`gt ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
      return JSON.parse(r.stdout) as T;
    },
    async restart() {
      await t.town.stop();
      t.town = await startTown(dir);
    },
    async cleanup() {
      await t.town.stop().catch(() => undefined);
      rmSync(base, { recursive: true, force: true });
    },
  };
  return t;
}

/** A socket connection to the running town as the overseer (its API token from secrets.json). */
export function overseerConnection(t: TestTown): Promise<SocketClient> {
  const token = (JSON.parse(readFileSync(join(t.dir, 'secrets.json'), 'utf8')) as { apiToken: string }).apiToken;
  return connectToTown(join(t.dir, '.runtime', 'gt.sock'), token, 'overseer', t.dir);
}

/** A Town in this process on a new temp folder (`gt init`, then `settings/work.json` as given), for
 *  tests that reach into the town's services; `stop` stops it and removes the folder. */
export async function startInProcessTown(work: Record<string, unknown>): Promise<{ town: Town; dir: string; stop(): Promise<void> }> {
  const t = tempTownDir();
  const init = await gt(['init'], { town: t.dir });
  if (init.code !== 0) throw new Error(`gt init failed: ${init.stderr}`);
  mkdirSync(join(t.dir, 'settings'), { recursive: true });
  writeFileSync(join(t.dir, 'settings', 'work.json'), JSON.stringify(work));
  const town = await Town.start({ dir: t.dir });
  return { town, dir: t.dir, async stop() { await town.stop(); t.cleanup(); } };
}

export { waitFor };
