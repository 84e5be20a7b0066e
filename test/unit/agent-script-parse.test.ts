import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScript, ScriptSyntaxError } from '../../main/agents/script-runtime/script-parse.ts';
import { progressLine } from '../../main/agents/script-runtime/script-runner.ts';

test('parses every step of a gt-script block (line numbers count within the block)', () => {
  const steps = parseScript(
    ['Intro', '```gt-script', '# comment', 'write src/a.txt hello\\nworld  ', 'append a.txt  x', 'run npm test -- --grep "x y"', 'sleep 0.5', 'output 20', 'ask Ship it?', 'fail gate red', 'hang', '```', 'outro'].join('\n'),
  );
  assert.deepEqual(steps, [
    { op: 'write', path: 'src/a.txt', text: 'hello\nworld', line: 2 },
    { op: 'append', path: 'a.txt', text: ' x', line: 3 },
    { op: 'run', command: 'npm test -- --grep "x y"', line: 4 },
    { op: 'sleep', seconds: 0.5, line: 5 },
    { op: 'output', lines: 20, line: 6 },
    { op: 'ask', question: 'Ship it?', line: 7 },
    { op: 'fail', message: 'gate red', line: 8 },
    { op: 'hang', line: 9 },
  ]);
});

test('no block → null (the default change applies); bad blocks → a clear error with the line', () => {
  assert.equal(parseScript('just a description\n```js\nx\n```'), null);
  assert.throws(() => parseScript('```gt-script\nwrite a b\n'), /not closed/);
  assert.throws(() => parseScript('```gt-script\nexplode now\n```'), (e: Error) => e instanceof ScriptSyntaxError && /line 1: unknown step "explode"/.test(e.message));
  assert.throws(() => parseScript('```gt-script\nsleep soon\n```'), /line 1: sleep needs SECONDS/);
  assert.throws(() => parseScript('```gt-script\noutput -3\n```'), /whole number/);
});

test('progress output looks like a build, never like an LLM', () => {
  const lines = Array.from({ length: 10 }, (_, i) => progressLine(i));
  assert.equal(new Set(lines).size, 10);
  for (const l of lines) assert.match(l, /compiling|test suite|resolving|analyzing|linting/);
});
