// The CLI never swallows a subcommand's word as an argument: every "<group> <sub>" resolves to the
// subcommand (also after options with values), and a parent refuses its subcommand's word.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS, findCommand, main } from '../../main/cli/gt.ts';
import type { TownError } from '../../preload/contract.ts';

test('every command is found by its own words, wherever options stand', () => {
  for (const c of COMMANDS) {
    const words = c.name.split(' ');
    assert.equal(findCommand(words)?.command.name, c.name, c.name);
    assert.equal(findCommand(['--town', '/tmp/x', ...words, 'ARG'])?.command.name, c.name, `${c.name} after --town`);
  }
  assert.equal(findCommand(['escalate', 'list'])?.command.name, 'escalate list');
  assert.equal(findCommand(['escalate', 'the', 'build', 'is', 'red'])?.command.name, 'escalate');
  // An option's value is not a command word.
  assert.equal(findCommand(['mail', 'inbox', '--all'])?.command.name, 'mail inbox');
  assert.equal(findCommand(['escalate', '--severity', 'high', 'list'])?.command.name, 'escalate');
});

test('a parent command refuses its subcommand\'s word as an argument', async () => {
  for (const c of COMMANDS) {
    const words = c.name.split(' ');
    if (words.length < 2) continue;
    const parent = COMMANDS.find((p) => p.name === words.slice(0, -1).join(' '));
    if (!parent) continue;
    const stringOption = Object.entries(parent.options ?? {}).find(([name, o]) => o.type === 'string' && !(c.options ?? {})[name]);
    if (!stringOption) continue;
    // Options of the parent only, then the subcommand's word: resolved to the parent, and refused.
    await assert.rejects(main([...words.slice(0, -1), `--${stringOption[0]}`, 'x', words[words.length - 1]]),
      (e: TownError) => e.code === 'invalid' && e.message.includes(`gt ${c.name}`), c.name);
  }
});
