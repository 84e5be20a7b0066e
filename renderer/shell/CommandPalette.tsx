// The command palette (cmdk): every action with its shortcut; views, terminals to focus, actions.
import { Command } from 'cmdk';
import { useMemo } from 'react';
import { useServices, useTown } from '../app-context.tsx';
import { VIEWS } from '../state/town-store.ts';
import { ESTOP_SHORTCUT, IMPORT_SHORTCUT, MAXIMIZE_SHORTCUT, NEW_BEAD_SHORTCUT, PALETTE_SHORTCUT, SEARCH_SHORTCUT, shortcutLabel, VIEW_LABELS, VIEW_SHORTCUTS } from './commands.ts';
import { IMPORT_FILE_EVENT } from '../views/board/FileDrop.tsx';
import { isWorkBead } from '../board/board-columns.ts';

/** The palette lists this many work beads to open (cmdk filters them as you type). */
const PALETTE_BEADS = 300;
import { isMac } from './platform.ts';

export function CommandPalette() {
  const { actions, terminals } = useServices();
  const open = useTown((s) => s.ui.paletteOpen);
  const focused = useTown((s) => s.ui.focusedTerminal);
  const estopped = useTown((s) => !!s.controls?.estop);
  const agentMap = useTown((s) => s.agents);
  const agents = useMemo(() => Object.values(agentMap).filter((a) => a.session), [agentMap]);
  const detailOpen = useTown((s) => !!s.detailBeadId);
  const beadMap = useTown((s) => s.beads.beads);
  const beads = useMemo(() => (open ? Object.values(beadMap).filter(isWorkBead).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).slice(0, PALETTE_BEADS) : []), [open, beadMap]);
  const close = (): void => actions.setPaletteOpen(false);
  const run = (f: () => void) => () => {
    close();
    f();
  };
  const focusTerminal = (id: string): void => {
    actions.focusTerminal(id);
    requestAnimationFrame(() => requestAnimationFrame(() => terminals.focus(id)));
  };
  return (
    <Command.Dialog open={open} onOpenChange={actions.setPaletteOpen} label="Command palette" className="palette" data-testid="palette">
      <Command.Input placeholder="Type a command or an agent…" data-testid="palette-input" />
      <Command.List>
        <Command.Empty>No match.</Command.Empty>
        <Command.Group heading="Go to">
          {VIEWS.map((v) => (
            <Command.Item key={v} value={`Go to ${VIEW_LABELS[v]}`} onSelect={run(() => actions.setView(v))}>
              Go to {VIEW_LABELS[v]} <kbd>{shortcutLabel(VIEW_SHORTCUTS[v], isMac)}</kbd>
            </Command.Item>
          ))}
        </Command.Group>
        <Command.Group heading="Terminals">
          {agents.map((a) => (
            <Command.Item key={a.id} value={`Focus terminal ${a.id}`} onSelect={run(() => focusTerminal(a.session!.terminal))}>
              Focus terminal: {a.id}
            </Command.Item>
          ))}
          {focused && (
            <Command.Item value="Maximize or restore the focused terminal" onSelect={run(() => actions.toggleMaximize(focused))}>
              Maximize / restore terminal <kbd>{shortcutLabel(MAXIMIZE_SHORTCUT, isMac)}</kbd>
            </Command.Item>
          )}
          <Command.Item value="Search in the focused terminal" onSelect={run(() => window.dispatchEvent(new CustomEvent('gastown:search')))}>
            Search in terminal <kbd>{shortcutLabel(SEARCH_SHORTCUT, isMac)}</kbd>
          </Command.Item>
        </Command.Group>
        <Command.Group heading="Work">
          <Command.Item value="New bead create" onSelect={run(() => { actions.setView('board'); actions.setCreateOpen(true); })}>
            New bead… <kbd>{shortcutLabel(NEW_BEAD_SHORTCUT, isMac)}</kbd>
          </Command.Item>
          <Command.Item value="Import a file Markdown CSV JSONL" onSelect={run(() => window.dispatchEvent(new CustomEvent(IMPORT_FILE_EVENT)))}>
            Import a file (Markdown, CSV, JSONL)… <kbd>{shortcutLabel(IMPORT_SHORTCUT, isMac)}</kbd>
          </Command.Item>
          {detailOpen && <Command.Item value="Close the bead detail" onSelect={run(() => actions.closeBeadDetail())}>Close the bead detail <kbd>Esc</kbd></Command.Item>}
          {beads.map((b) => (
            <Command.Item key={b.id} value={`Open bead ${b.id} ${b.title}`} onSelect={run(() => actions.openBeadDetail(b.id))}>
              Open bead: <span className="mono">{b.id}</span> {b.title}
            </Command.Item>
          ))}
        </Command.Group>
        <Command.Group heading="Town">
          {estopped ? (
            <Command.Item value="Release the e-stop resume agents" onSelect={run(() => void actions.estopRelease())}>Release e-stop (agents continue)</Command.Item>
          ) : (
            <Command.Item value="E-stop freeze every agent emergency stop" onSelect={run(() => void actions.estop())}>
              E-stop: freeze every agent <kbd>{shortcutLabel(ESTOP_SHORTCUT, isMac)}</kbd>
            </Command.Item>
          )}
          <Command.Item value="Reload the town state" onSelect={run(() => void actions.reload())}>Reload state</Command.Item>
          <Command.Item value="Command palette" onSelect={close}>Close palette <kbd>{shortcutLabel(PALETTE_SHORTCUT, isMac)}</kbd></Command.Item>
        </Command.Group>
      </Command.List>
    </Command.Dialog>
  );
}
