// `gt prime`: an agent's full context as one text — who it is, the role's prompt template (from the
// town's settings, else built in), what is on its hook, a handoff note, mail waiting, and the `gt`
// commands it should use. Pure text assembly; the caller gathers the facts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bead } from '../../../preload/types.ts';
import type { AgentRole, MailMessage } from '../../../preload/requests/work-types.ts';
import { settingsDir } from '../sessions/work-settings.ts';

export const BUILTIN_ROLE_TEMPLATES: Record<AgentRole, string> = {
  polecat: [
    'You are {{agent}}, a polecat: a worker of the rig {{rig}} in Gas Town.',
    'You work alone in your own git worktree ({{workdir}}) on the branch {{branch}}.',
    'GUPP: if there is work on your hook, you run it. Do the bead below, commit as you go,',
    'then run `gt done` from your worktree: it commits leftovers, puts your branch in the merge queue and frees you.',
    'The bead closes when your code lands; if the gate rejects it or it conflicts, it comes back to your hook.',
    'Nothing to change? `gt done --no-changes "why"` closes it instead.',
    'If you are blocked, `gt escalate --severity high "why"`; if your context is full, `gt handoff -m "where I am"`.',
  ].join('\n'),
  crew: [
    'You are {{agent}}, a crew member of the rig {{rig}}: a long-lived agent directed by the human.',
    'You work in your own full clone ({{workdir}}). Wait for instructions; check `gt mail inbox`.',
  ].join('\n'),
  mayor: [
    'You are the Mayor of this Gas Town: a coordinator, not a coder.',
    'Turn the user\'s requests into beads (`gt bead create --rig RIG -t TITLE -d DESCRIPTION`), group them',
    '(`gt convoy create NAME BEAD...`) and hand them to polecats (`gt sling BEAD RIG`). Watch progress with',
    '`gt convoy status ID` and `gt agent list`; read escalations in `gt mail inbox`.',
    '',
    'MEOW — decompose a goal into molecules of work:',
    '1. Split the goal into beads small enough for one polecat each, one `gt bead create` per bead.',
    '2. Say what must come first: `gt bead dep add LATER EARLIER` (LATER waits until EARLIER has landed).',
    '3. `gt convoy stage BEAD...` prints the waves (beads of a wave run in parallel) and stores a staged convoy; a cycle is refused, named.',
    '4. `gt convoy launch ID` starts the staged convoy (or `gt convoy launch BEAD...` at once): wave 1 now, each later wave as the one before lands.',
    'Formulas are reusable workflows (`gt formula list`, `gt formula show NAME`): `gt formula cook NAME --var k=v`',
    'makes a molecule (a bead per step, chained by dependencies). `--on BEAD` makes one polecat walk the steps',
    'of that bead (mol-polecat-work: understand, implement, test, self-review, done); a parallel formula',
    '(code-review) sends its legs to several polecats, then its synthesis. `gt sling MOLECULE RIG` starts it.',
    'Gates are steps that wait: a timer, a command, a human approval (`gt gate list`, `gt gate approve ID`), a bead.',
  ].join('\n'),
};

const COMMANDS: Record<AgentRole, string[]> = {
  polecat: [
    'gt hook                 what is on your hook',
    'gt done                 finish: commit, merge request, back to idle (run it in your worktree);',
    '                        on a molecule step: record the step and go on to the next one',
    'gt mol next             the current step of your molecule (if your bead walks one)',
    'gt done --no-changes R  the bead needs no change: close it with reason R',
    'gt mail inbox | read ID | send TO -s SUBJECT -m BODY',
    'gt escalate --severity low|medium|high|critical MSG',
    'gt handoff -m NOTE      a fresh session continues your hook with this note',
  ],
  crew: ['gt mail inbox | read ID | send TO -s SUBJECT -m BODY', 'gt bead create --rig RIG -t TITLE', 'gt sling BEAD RIG', 'gt escalate MSG'],
  mayor: [
    'gt rig list | show NAME', 'gt bead create --rig RIG -t TITLE -d DESCRIPTION', 'gt bead ready | list | show ID',
    'gt convoy create NAME BEAD... | list | status ID', 'gt sling BEAD [RIG|POLECAT]', 'gt agent list', 'gt mail inbox | read ID | send TO',
    'gt bead dep add LATER EARLIER', 'gt convoy stage BEAD... | --epic ID [--dry-run]', 'gt convoy launch ID | BEAD... | --epic ID [--rig RIG]',
    'gt formula list | show NAME | cook NAME [--var k=v]... [--on BEAD] [--rig RIG]', 'gt mol status ID | list', 'gt gate list | approve ID',
  ],
};

export function roleTemplate(townRoot: string, role: AgentRole): string {
  const file = join(settingsDir(townRoot), 'roles', `${role}.md`);
  if (existsSync(file)) return readFileSync(file, 'utf8').trimEnd();
  return BUILTIN_ROLE_TEMPLATES[role];
}

export interface PrimeFacts {
  townRoot: string;
  agent: string;
  role: AgentRole;
  rig: string | null;
  workdir: string | null;
  branch: string | null;
  hook: Bead | null;
  /** Why the hooked bead came back from the merge queue (gate output, conflicting files). */
  rework?: { kind: string; mergeRequest: string; title: string; detail: string } | null;
  handoff: string | null;
  mail: MailMessage[];
  /** Extra sections (the Mayor's view of the town). */
  extra?: string[];
  now?: Date;
}

export function renderPrime(f: PrimeFacts): string {
  const vars: Record<string, string> = { agent: f.agent, rig: f.rig ?? '-', workdir: f.workdir ?? '-', branch: f.branch ?? '-', role: f.role };
  const fill = (t: string) => t.replace(/\{\{(\w+)\}\}/g, (m, k: string) => vars[k] ?? m);
  const topic = f.hook ? `assigned:${f.hook.id}` : 'start';
  const out: string[] = [
    `[GAS TOWN] ${f.agent} <- town • ${(f.now ?? new Date()).toISOString().slice(0, 16)} • ${topic}`,
    '',
    `# Role: ${f.role}${f.rig ? ` (rig ${f.rig})` : ''}`,
    fill(roleTemplate(f.townRoot, f.role)),
    '',
    '## Your hook',
  ];
  if (f.hook) {
    out.push(`${f.hook.id}: ${f.hook.title} [${f.hook.status}, P${f.hook.priority}]`);
    if (f.hook.description) out.push('', f.hook.description);
    if (f.rework) {
      out.push('', `## Back from the merge queue (${f.rework.kind}, merge request ${f.rework.mergeRequest})`, f.rework.title, '', f.rework.detail);
      out.push('', 'Fix it on the same branch, then run `gt done` again.');
    }
    out.push('', 'AUTONOMOUS WORK MODE: begin work on your hook now.');
  } else {
    out.push('(empty) — check `gt mail inbox`, else wait for work.');
  }
  if (f.handoff) out.push('', '## Handoff note from your previous session', f.handoff);
  out.push('', `## Mail waiting (${f.mail.length})`);
  for (const m of f.mail.slice(0, 20)) out.push(`- ${m.id} from ${m.from}: ${m.subject}${m.kind === 'escalation' ? ` [${m.severity}]` : ''}`);
  for (const section of f.extra ?? []) out.push('', section);
  out.push('', '## Commands', ...COMMANDS[f.role].map((c) => `  ${c}`));
  return out.join('\n') + '\n';
}
