// Runs the test suites with node's built-in runner: unit, then integration, then end-to-end.
// `tsx scripts/run-tests.ts [unit|integration|e2e ...]` runs only the named suites.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findDolt } from '../main/ledger/dolt-locate.ts';
import { findChromium, NO_CHROMIUM } from '../test/helpers/chromium.ts';

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

// In CI the real parts are not optional: a suite that would only skip for want of dolt or a browser
// fails here instead, naming what is missing.
if (process.env.CI === 'true') {
  const absent = [
    suites.some((s) => s !== 'unit') && !findDolt() ? 'dolt (GT_DOLT, PATH or the install cache: run `npm run postinstall`)' : null,
    suites.includes('e2e') && !findChromium() ? NO_CHROMIUM : null,
  ].filter(Boolean);
  if (absent.length) {
    console.error(`CI=true but the tests' real parts are missing:\n${absent.map((a) => `  - ${a}`).join('\n')}`);
    process.exit(1);
  }
}

// One file at a time: the integration tests start real Dolt servers and PTYs, and this machine
// class has two cores. Node's runner prints the totals (tests, pass, fail, skipped) at the end.
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env: { ...process.env, FORCE_COLOR: '0' },
});
process.exit(result.status ?? 1);
