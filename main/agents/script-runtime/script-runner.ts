// Carries out gt-script steps in a worktree. I/O goes through a small interface so the runner is
// the same in a PTY (script-main.ts) and in a unit test.

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { ScriptStep } from './script-parse.ts';
import { scriptCallUsage, type ScriptCall } from './script-usage.ts';

export interface ScriptIO {
  print(text: string): void;
  /** Next line typed by the human (without the newline). */
  readLine(): Promise<string>;
  /** Records one "model call" (script-usage.ts); absent outside a town. */
  usage?(call: ScriptCall): void;
}

export class ScriptFailure extends Error {}

const PROGRESS = [
  (i: number) => `  compiling src/module-${i % 17}.ts`,
  (i: number) => `  ✓ test suite ${i % 9} passed (${(i % 23) + 3} tests)`,
  (i: number) => `  resolving dependencies… ${Math.min(100, (i * 7) % 101)}%`,
  (i: number) => `  analyzing src/handlers/route-${i % 11}.ts (${120 + ((i * 37) % 400)} lines)`,
  (i: number) => `  linting ${(i * 3) % 50} files, 0 problems`,
];

export function progressLine(i: number): string {
  return PROGRESS[i % PROGRESS.length](i);
}

/** Resolves PATH inside the worktree; a path that escapes it is a failure, not a write elsewhere. */
function inside(worktree: string, p: string): string {
  const full = path.resolve(worktree, p);
  const rel = path.relative(worktree, full);
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new ScriptFailure(`path leaves the worktree: ${p}`);
  return full;
}

export async function runSteps(steps: ScriptStep[], worktree: string, io: ScriptIO): Promise<void> {
  for (const [index, step] of steps.entries()) {
    // Each step is one deterministic "model call"; a usage step records exactly its own numbers.
    if (step.op === 'usage') {
      io.usage?.({ input: step.input, output: step.output, cacheWrite: step.cacheWrite, cacheRead: step.cacheRead, model: step.model, text: `usage step ${step.line}` });
      io.print(`gt-script: recorded usage (in ${step.input}, out ${step.output})\n`);
      continue;
    }
    const text = JSON.stringify(step);
    io.usage?.({ ...scriptCallUsage(text, index), text });
    switch (step.op) {
      case 'write':
      case 'append': {
        const file = inside(worktree, step.path);
        await fsp.mkdir(path.dirname(file), { recursive: true });
        if (step.op === 'write') await fsp.writeFile(file, step.text);
        else await fsp.appendFile(file, step.text);
        io.print(`gt-script: ${step.op === 'write' ? 'wrote' : 'appended to'} ${step.path}\n`);
        break;
      }
      case 'run': {
        io.print(`gt-script: $ ${step.command}\n`);
        const code = await new Promise<number | null>((resolve) => {
          const child = spawn('sh', ['-c', step.command], { cwd: worktree, stdio: 'inherit' });
          child.on('exit', (c, sig) => resolve(sig ? null : c));
          child.on('error', () => resolve(127));
        });
        if (code !== 0) throw new ScriptFailure(`command failed (exit ${code ?? 'signal'}): ${step.command}`);
        break;
      }
      case 'sleep':
        await new Promise((r) => setTimeout(r, step.seconds * 1000));
        break;
      case 'output': {
        // Printed in slices so a huge N does not build one giant string.
        for (let i = 0; i < step.lines; i += 1000) {
          const end = Math.min(step.lines, i + 1000);
          const lines: string[] = [];
          for (let j = i; j < end; j++) lines.push(progressLine(j));
          io.print(lines.join('\n') + '\n');
        }
        break;
      }
      case 'ask': {
        for (;;) {
          io.print(`? ${step.question} [y/n] `);
          const answer = (await io.readLine()).trim().toLowerCase();
          if (answer === 'y' || answer === 'yes') {
            io.print('gt-script: answered yes, continuing\n');
            break;
          }
          if (answer === 'n' || answer === 'no') throw new ScriptFailure(`declined: ${step.question}`);
          io.print('gt-script: please answer y or n\n');
        }
        break;
      }
      case 'fail':
        throw new ScriptFailure(step.message);
      case 'idle': {
        // Sits at its prompt as an agent that stopped working would, until something is typed.
        io.print('gt-script: finished this turn; waiting at the prompt\n> ');
        const typed = await io.readLine();
        io.print(`gt-script: got "${typed.trim().slice(0, 200)}", continuing\n`);
        break;
      }
      case 'trust': {
        // A startup folder-trust dialog, as agent CLIs show for a folder they have not seen.
        for (;;) {
          io.print(`gt-script: Do you trust the files in this folder? ${worktree} [y/n] `);
          const answer = (await io.readLine()).trim().toLowerCase();
          if (answer === 'y' || answer === 'yes') break;
          if (answer === 'n' || answer === 'no') throw new ScriptFailure('folder not trusted');
        }
        io.print('gt-script: folder trusted, continuing\n');
        break;
      }
      case 'hang':
        io.print('gt-script: hanging (this step never finishes)\n');
        await new Promise<never>(() => {
          // A timer keeps the process alive; nothing is ever printed again.
          setInterval(() => {}, 1 << 30);
        });
    }
  }
}

/** The change made for a bead with no gt-script block. */
export async function defaultChange(worktree: string, bead: { id: string; title: string }, io: ScriptIO): Promise<void> {
  const file = 'SCRIPTED_CHANGES.md';
  const text = `default change for ${bead.id}`;
  io.usage?.({ ...scriptCallUsage(text, 0), text });
  await fsp.appendFile(path.join(worktree, file), `- ${bead.id}: ${bead.title} (made by the scripted runtime)\n`);
  io.print(`gt-script: no gt-script block; appended a line to ${file}\n`);
}
