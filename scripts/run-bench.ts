// `npm run bench -- NAME…` runs the named benchmarks (bench/NAME.ts) one after another; with no name
// it lists them with the first line of each header. Benchmarks take minutes and print their own
// figures and ratios; nothing here asserts a time.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const all = readdirSync('bench')
  .filter((n) => n.endsWith('.ts') && !n.endsWith('-util.ts'))
  .map((n) => n.slice(0, -3))
  .sort();
const wanted = process.argv.slice(2);

if (wanted.length === 0) {
  console.log('benchmarks (npm run bench -- NAME…):');
  for (const name of all) {
    const header = readFileSync(join('bench', `${name}.ts`), 'utf8').split('\n')[0].replace(/^\/\/\s*(Benchmark:\s*)?/, '');
    console.log(`  ${name.padEnd(22)} ${header}`);
  }
  process.exit(0);
}

const unknown = wanted.filter((n) => !all.includes(n));
if (unknown.length) {
  console.error(`no such benchmark: ${unknown.join(', ')} (see npm run bench)`);
  process.exit(2);
}
for (const name of wanted) {
  console.log(`\n=== bench/${name}.ts`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', join('bench', `${name}.ts`)], { stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
