// How long a runtime hook blocks its CLI: `gt agent-hook claude-code` run exactly as Claude Code runs
// it (the settings' shell command, the payload on stdin) as the Mayor of a real town, per event kind:
// Stop (a status change), UserPromptSubmit (status + reading new mail), SessionStart (status + the
// whole prime). The baseline is `gt hook` (one plain request from the same CLI) in the same run;
// the ratios are what to compare.
//   npx tsx bench/agent-hook-latency.ts            (ROUNDS=10 by default)
import { execFile } from 'node:child_process';
import path from 'node:path';
import { hookCommand } from '../main/agents/hooks/hook-settings.ts';
import { agentToken } from '../main/town/sessions/agent-token.ts';
import { readSecrets } from '../main/town/config.ts';
import { benchTown, percentile } from './town-bench-util.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 10);
const b = await benchTown({ maxPolecats: 1 });
await b.call('mayorStart', { runtime: 'shell' });
const env = {
  ...process.env, GT_AGENT: 'mayor', GT_TOWN: b.town.paths.root, PATH: `${path.resolve('bin')}:${process.env.PATH}`,
  GT_SOCKET_TOKEN: agentToken(readSecrets(b.town.paths).apiToken, 'mayor'),
};
// Asynchronous: the town answers from this same process.
const run = (cmd: string, input: string): Promise<number> => new Promise((resolve, reject) => {
  const t0 = performance.now();
  const child = execFile('/bin/sh', ['-c', cmd], { env, encoding: 'utf8' }, (err, _out, stderr) => {
    if (err || stderr) reject(new Error(`${cmd}: ${err?.message ?? ''} ${stderr}`));
    else resolve(performance.now() - t0);
  });
  child.stdin!.end(input);
});
const payload = (p: Record<string, unknown>) => JSON.stringify({ session_id: '0b7c6d2e-52a8-4b4f-9d43-4f1f1b9b2c11', transcript_path: '/x', cwd: '/x', ...p });
const cases: Array<[string, () => Promise<number>]> = [
  ['gt hook (baseline)', () => run('gt hook', '')],
  ['Stop', () => run(hookCommand('claude-code'), payload({ hook_event_name: 'Stop' }))],
  ['UserPromptSubmit', () => run(hookCommand('claude-code'), payload({ hook_event_name: 'UserPromptSubmit', prompt: 'x' }))],
  ['SessionStart', () => run(hookCommand('claude-code'), payload({ hook_event_name: 'SessionStart', source: 'compact' }))],
];
const results = new Map<string, number[]>(cases.map(([n]) => [n, []]));
for (let i = 0; i < ROUNDS; i++) for (const [name, fn] of cases) results.get(name)!.push(await fn()); // interleaved: same load for all
const base = percentile(results.get('gt hook (baseline)')!, 50);
for (const [name, xs] of results) {
  const p50 = percentile(xs, 50);
  console.log(`${name.padEnd(20)} p50 ${p50.toFixed(0).padStart(5)} ms  p95 ${percentile(xs, 95).toFixed(0).padStart(5)} ms  ratio to baseline ${(p50 / base).toFixed(2)}`);
}
await b.close();
