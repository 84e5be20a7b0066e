// The command palette (cmdk): every action with its shortcut; views, terminals to focus, actions.
import { Command } from 'cmdk';
import { useMemo } from 'react';
import { useServices, useTown } from '../app-context.tsx';
import { VIEWS } from '../state/town-store.ts';
import { ESTOP_SHORTCUT, GRAPH_CLEAR_FILTER_SHORTCUT, GRAPH_FIT_SHORTCUT, IMPORT_SHORTCUT, MAXIMIZE_SHORTCUT, MQ_RELOAD_SHORTCUT, NEW_BEAD_SHORTCUT, PALETTE_SHORTCUT, SEARCH_SHORTCUT, shortcutLabel, VIEW_LABELS, VIEW_SHORTCUTS } from './commands.ts';
import { IMPORT_FILE_EVENT } from '../views/board/FileDrop.tsx';
import { isWorkBead } from '../board/board-columns.ts';
import { isMac } from './platform.ts';
import { requestGraphFit } from '../views/convoys/graph-commands.ts';
import { rigPrefixes } from '../views/convoys/graph-model.ts';

/** The palette lists this many work beads to open (cmdk filters them as you type). */
const PALETTE_BEADS = 300;

export function CommandPalette() {
  const { actions, terminals } = useServices();
  const open = useTown((s) => s.ui.paletteOpen);
  const focused = useTown((s) => s.ui.focusedTerminal);
  const estopped = useTown((s) => !!s.controls?.estop);
  const agentMap = useTown((s) => s.agents);
  const agents = useMemo(() => Object.values(agentMap).filter((a) => a.session), [agentMap]);
  const beads = useTown((s) => s.beads.beads);
  const convoys = useMemo(() => Object.values(beads).filter((b) => b.type === 'convoy' && b.status !== 'closed'), [beads]);
  const rigs = useMemo(() => [...new Set(rigPrefixes(beads).values())].sort(), [beads]);
  const detail = useTown((s) => s.detailBeadId);
  const workBeads = useMemo(() => (open ? Object.values(beads).filter(isWorkBead).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).slice(0, PALETTE_BEADS) : []), [open, beads]);
  const close = (): void => actions.setPaletteOpen(false);
  const showGraph = (filter: Parameters<typeof actions.setGraphFilter>[0]) => (): void => {
    actions.setGraphFilter(filter);
    actions.setView('convoys');
    requestGraphFit();
  };
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
        <Command.Group heading="Convoys and merge queue">
          <Command.Item value="Convoy graph fit view" onSelect={run(() => { actions.setView('convoys'); requestGraphFit(); })}>
            Convoy graph: fit to view <kbd>{shortcutLabel(GRAPH_FIT_SHORTCUT, isMac)}</kbd>
          </Command.Item>
          <Command.Item value="Convoy graph clear filter" onSelect={run(showGraph({ convoy: null, rig: null, statuses: null }))}>
            Convoy graph: clear filter <kbd>{shortcutLabel(GRAPH_CLEAR_FILTER_SHORTCUT, isMac)}</kbd>
          </Command.Item>
          <Command.Item value="Convoy graph show open work only" onSelect={run(showGraph({ statuses: ['open', 'in_progress', 'hooked', 'blocked'] }))}>
            Convoy graph: open work only
          </Command.Item>
          {convoys.map((c) => (
            <Command.Item key={c.id} value={`Convoy graph show convoy ${c.title} ${c.id}`} onSelect={run(showGraph({ convoy: c.id }))}>
              Convoy graph: show convoy {c.title} <span className="muted mono">{c.id}</span>
            </Command.Item>
          ))}
          {rigs.map((r) => (
            <Command.Item key={r} value={`Convoy graph show rig ${r}`} onSelect={run(showGraph({ rig: r }))}>Convoy graph: show rig {r}</Command.Item>
          ))}
          <Command.Item value="Merge queue reload" onSelect={run(() => { actions.setView('merge-queue'); void actions.reloadMergeQueue(); })}>
            Merge queue: reload <kbd>{shortcutLabel(MQ_RELOAD_SHORTCUT, isMac)}</kbd>
          </Command.Item>
        </Command.Group>
        <Command.Group heading="Work">
          <Command.Item value="New bead create" onSelect={run(() => { actions.setView('board'); actions.setCreateOpen(true); })}>
            New bead… <kbd>{shortcutLabel(NEW_BEAD_SHORTCUT, isMac)}</kbd>
          </Command.Item>
          <Command.Item value="Import a file Markdown CSV JSONL" onSelect={run(() => window.dispatchEvent(new CustomEvent(IMPORT_FILE_EVENT)))}>
            Import a file (Markdown, CSV, JSONL)… <kbd>{shortcutLabel(IMPORT_SHORTCUT, isMac)}</kbd>
          </Command.Item>
          {detail && <Command.Item value="Close the bead detail" onSelect={run(() => actions.closeBeadDetail())}>Close the bead detail ({detail}) <kbd>Esc</kbd></Command.Item>}
          {workBeads.map((b) => (
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
