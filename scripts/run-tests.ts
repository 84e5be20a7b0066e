// Runs the test suites with node's built-in runner: unit, then integration, then end-to-end.
// `tsx scripts/run-tests.ts [unit|integration|e2e ...]` runs only the named suites.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const SUITES = ['unit', 'integration', 'e2e'] as const;
const wanted = process.argv.slice(2);
const suites = wanted.length ? SUITES.filter((s) => wanted.includes(s)) : [...SUITES];

const files = suites.flatMap((suite) => {
  const dir = join('test', suite);
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith('.test.ts')).sort().map((n) => join(dir, n));
});

if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

// One file at a time: the integration tests start real Dolt servers and PTYs, and this machine
// class has two cores. Node's runner prints the totals (tests, pass, fail, skipped) at the end.
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env: { ...process.env, FORCE_COLOR: '0' },
});
process.exit(result.status ?? 1);
