// Formula parsing/validation and the cooking plan (pure cores of main/town/molecules/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FormulaError, parseFormula, parseDuration } from '../../main/town/molecules/formula.ts';
import { planMolecule } from '../../main/town/molecules/cook-plan.ts';
import { BUILTIN_FORMULAS } from '../../main/town/molecules/builtin-formulas.ts';

const throwsAt = (text: string, line: number, re: RegExp) => {
  assert.throws(() => parseFormula(text, 'f.toml'), (e: unknown) => {
    assert.ok(e instanceof FormulaError, String(e));
    assert.equal(e.line, line, `line of: ${e.message}`);
    assert.match(e.message, re);
    assert.match(e.message, new RegExp(`^f\\.toml:${line}: `));
    return true;
  });
};

test('every built-in formula parses', () => {
  for (const [name, text] of Object.entries(BUILTIN_FORMULAS)) {
    const f = parseFormula(text, `builtin:${name}`);
    assert.equal(f.name, name);
  }
  const work = parseFormula(BUILTIN_FORMULAS['mol-polecat-work'], 'b');
  assert.deepEqual(work.steps.map((s) => s.id), ['understand', 'implement', 'test', 'self-review', 'done']);
  // Sequential: each step without needs follows the previous one.
  assert.deepEqual(work.steps.map((s) => s.needs), [[], ['understand'], ['implement'], ['test'], ['self-review']]);
  const review = parseFormula(BUILTIN_FORMULAS['code-review'], 'b');
  assert.equal(review.mode, 'parallel');
  assert.deepEqual(review.steps.at(-1)!.needs, ['correctness', 'security', 'tests']);
  assert.ok(review.steps.slice(0, 3).every((s) => s.needs.length === 0));
  const release = parseFormula(BUILTIN_FORMULAS.release, 'b');
  assert.deepEqual(release.steps.find((s) => s.id === 'approve')!.gate, { type: 'human', timeoutMs: 86_400_000 });
});

test('an unknown step in needs names the line of needs', () => {
  const text = ['formula = "x"', 'mode = "parallel"', '', '[[steps]]', 'id = "a"', '', '[[steps]]', 'id = "b"', 'needs = ["a", "zzz"]'].join('\n');
  throwsAt(text, 9, /step b needs "zzz", which is no step/);
});

test('a cycle is named, at the line of its first step', () => {
  const text = ['formula = "x"', 'mode = "parallel"', '[[steps]]', 'id = "a"', 'needs = ["c"]', '[[steps]]', 'id = "b"', 'needs = ["a"]', '[[steps]]', 'id = "c"', 'needs = ["b"]', '[[steps]]', 'id = "d"'].join('\n');
  throwsAt(text, 3, /cycle: a → c → b → a|cycle: a → b → c → a|cycle: .*→/);
});

test('a TOML syntax error carries its line; duplicates and bad gates are named', () => {
  throwsAt('formula = "x"\n[[steps]]\nid = \n', 3, /TOML/);
  throwsAt('formula = "x"\n[[steps]]\nid = "a"\n[[steps]]\nid = "a"\n', 4, /used twice \(first at line 2\)/);
  throwsAt('formula = "x"\n[[steps]]\nid = "a"\n[steps.gate]\ntype = "timer"\n', 4, /timer gate needs wait/);
  throwsAt('formula = "x"\n[[steps]]\nid = "a"\ntitle = "do {{nope}}"\n', 4, /\{\{nope\}\}, which is no variable/);
  throwsAt('formula = "x"\n', 1, /at least one step/);
});

test('cooking: defaults, given values, missing required variables, unknown variables', () => {
  const text = ['formula = "x"', '[vars.issue]', 'required = true', 'description = "the bead"', '[vars.base]', 'default = "main"', '[[steps]]', 'id = "a"', 'title = "A {{issue}} on {{base}}"', '[[steps]]', 'id = "b"', 'description = "B {{issue}}"'].join('\n');
  const f = parseFormula(text, 'f.toml');
  const plan = planMolecule(f, { issue: 'gt-1' }, { id: 'gt-1', title: 'thing' });
  assert.equal(plan.steps[0].title, 'A gt-1 on main');
  assert.equal(plan.steps[1].description, 'B gt-1');
  assert.deepEqual(plan.steps[1].needs, [0]);
  assert.equal(plan.note.for, 'gt-1');
  assert.deepEqual(plan.note.vars, { issue: 'gt-1', base: 'main' });
  assert.throws(() => planMolecule(f, {}), /missing required variable issue \(line 2: the bead\)/);
  assert.throws(() => planMolecule(f, { issue: 'x', colour: 'red' }), /no variable "colour"/);
});

test('plan order is topological even when the file is not', () => {
  const f = parseFormula(['formula = "x"', 'mode = "parallel"', '[[steps]]', 'id = "late"', 'needs = ["early"]', '[[steps]]', 'id = "early"', '[steps.gate]', 'type = "human"'].join('\n'), 'f');
  const plan = planMolecule(f, {});
  assert.deepEqual(plan.steps.map((s) => s.id), ['early', 'late']);
  assert.deepEqual(plan.steps.map((s) => s.type), ['gate', 'task']);
  assert.deepEqual(plan.steps[1].needs, [0]);
});

test('durations', () => {
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('5m'), 300_000);
  assert.equal(parseDuration(2), 2000);
  assert.equal(parseDuration('soon'), null);
});
