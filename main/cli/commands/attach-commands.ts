// gt attach: the caller's terminal joined to an agent's (or any town terminal's) session.
import { requireArg, type Command } from '../command.ts';
import { runAttach } from '../attach-terminal.ts';

export const ATTACH_DETAILS = [
  'Your terminal shows the session (its recent output first, then live) and every key goes to it.',
  'Detach with Ctrl-] (the session keeps running). Only the town\'s owner may attach, not an agent.',
  'When stdin is not a terminal, output still streams (until the session ends or gt is stopped).',
].join('\n');

export const attachCommand: Command = {
  name: 'attach',
  summary: 'attach your terminal to an agent\'s session (or a terminal id); Ctrl-] detaches',
  args: 'AGENT|TERMINAL-ID',
  details: ATTACH_DETAILS,
  place: 'caller',
  async run(ctx, _v, positionals) {
    return runAttach(ctx, requireArg(positionals, 0, 'agent address or terminal id'));
  },
};

export const ATTACH_COMMANDS: Command[] = [attachCommand];
