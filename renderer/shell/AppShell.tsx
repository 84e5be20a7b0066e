// The app shell: navigation, the current view, the status bar, the command palette, and a banner
// whenever the town is not reachable or the state is not loaded (never an empty page that looks healthy).
import { useEffect } from 'react';
import { useServices, useTown } from '../app-context.tsx';
import { VIEWS, type View } from '../state/town-store.ts';
import { useInbox } from './use-inbox.ts';
import { ESTOP_SHORTCUT, GRAPH_CLEAR_FILTER_SHORTCUT, GRAPH_FIT_SHORTCUT, IMPORT_SHORTCUT, MAXIMIZE_SHORTCUT, MQ_RELOAD_SHORTCUT, matches, NEW_BEAD_SHORTCUT, PALETTE_SHORTCUT, VIEW_LABELS, VIEW_SHORTCUTS, shortcutLabel } from './commands.ts';
import { CommandPalette } from './CommandPalette.tsx';
import { StatusBar } from './StatusBar.tsx';
import { EstopBanner } from './Controls.tsx';
import { AgentsView } from '../views/AgentsView.tsx';
import { TerminalGrid } from '../views/TerminalGrid.tsx';
import { InboxView } from '../views/InboxView.tsx';
import { FeedView } from '../views/FeedView.tsx';
import { WantedView } from '../views/wanted/WantedView.tsx';
import { ConvoyGraphView } from '../views/convoys/ConvoyGraphView.tsx';
import { MergeQueueView } from '../views/merge-queue/MergeQueueView.tsx';
import { requestGraphFit } from '../views/convoys/graph-commands.ts';
import { BoardView } from '../views/board/BoardView.tsx';
import { FileDrop, IMPORT_FILE_EVENT } from '../views/board/FileDrop.tsx';
import { BeadDetail } from '../views/bead-detail/BeadDetail.tsx';

import { isMac } from './platform.ts';

function ConnectionBanner() {
  const connection = useTown((s) => s.connection);
  const load = useTown((s) => s.load);
  let text: string | null = null;
  let kind = 'info';
  if (connection.state === 'reconnecting') { text = 'Reconnecting to the town…'; kind = 'warn'; }
  else if (connection.state === 'unavailable') { text = `The town is unavailable (${connection.error ?? 'no answer'}); still trying…`; kind = 'error'; }
  else if (connection.state === 'connecting') text = 'Connecting to the town…';
  else if (load.state === 'loading') text = 'Loading the town…';
  else if (load.state === 'error') { text = `Could not load the town: ${load.error}`; kind = 'error'; }
  if (!text) return null;
  return <div className={`banner banner-${kind}`} role="status" data-testid="connection-banner" data-state={connection.state}>{text}</div>;
}

function ErrorToast() {
  const error = useTown((s) => s.lastError);
  const { actions } = useServices();
  if (!error) return null;
  return <div className="toast" role="alert">{error} <button onClick={actions.clearError}>Dismiss</button></div>;
}

function Placeholder({ view }: { view: View }) {
  return <section className="placeholder"><h2>{VIEW_LABELS[view]}</h2><p>This view comes with the UI's second part.</p></section>;
}

function CurrentView({ view }: { view: View }) {
  switch (view) {
    case 'agents': return <AgentsView />;
    case 'terminals': return null; // the grid stays mounted (below) so its terminals are never recreated
    case 'inbox': return <InboxView />;
    case 'feed': return <FeedView />;
    case 'wanted': return <WantedView />;
    case 'convoys': return <ConvoyGraphView />;
    case 'merge-queue': return <MergeQueueView />;
    case 'board': return <BoardView />;
    default: return <Placeholder view={view} />;
  }
}

export function AppShell() {
  const { actions, store } = useServices();
  const view = useTown((s) => s.ui.view);
  const ready = useTown((s) => s.load.state === 'ready');
  const inbox = useInbox();

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (matches(e, PALETTE_SHORTCUT, isMac)) {
        e.preventDefault();
        actions.setPaletteOpen(!store.getState().ui.paletteOpen);
        return;
      }
      for (const v of VIEWS) {
        if (matches(e, VIEW_SHORTCUTS[v], isMac)) {
          e.preventDefault();
          actions.setView(v);
          return;
        }
      }
      if (matches(e, NEW_BEAD_SHORTCUT, isMac)) {
        e.preventDefault();
        actions.setView('board');
        actions.setCreateOpen(true);
        return;
      }
      if (matches(e, IMPORT_SHORTCUT, isMac)) {
        e.preventDefault();
        window.dispatchEvent(new CustomEvent(IMPORT_FILE_EVENT));
        return;
      }
      if (matches(e, ESTOP_SHORTCUT, isMac)) {
        e.preventDefault();
        if (!store.getState().controls?.estop) void actions.estop();
        return;
      }
      if (matches(e, GRAPH_FIT_SHORTCUT, isMac)) {
        e.preventDefault();
        actions.setView('convoys');
        requestGraphFit();
        return;
      }
      if (matches(e, GRAPH_CLEAR_FILTER_SHORTCUT, isMac)) {
        e.preventDefault();
        actions.setGraphFilter({ convoy: null, rig: null, statuses: null });
        return;
      }
      if (matches(e, MQ_RELOAD_SHORTCUT, isMac)) {
        e.preventDefault();
        actions.setView('merge-queue');
        void actions.reloadMergeQueue();
        return;
      }
      const focused = store.getState().ui.focusedTerminal;
      if (focused && matches(e, MAXIMIZE_SHORTCUT, isMac)) {
        e.preventDefault();
        actions.toggleMaximize(focused);
      }
    };
    // Capture: the shortcuts work even while a terminal has the keyboard.
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [actions, store]);

  return (
    <div className="app" data-ready={ready ? 'true' : 'false'}>
      <nav className="nav" aria-label="Views">
        <div className="brand">Gas Town</div>
        {VIEWS.map((v) => (
          <button key={v} className={v === view ? 'nav-item active' : 'nav-item'} onClick={() => actions.setView(v)} data-testid={`nav-${v}`}
            title={shortcutLabel(VIEW_SHORTCUTS[v], isMac)} aria-current={v === view ? 'page' : undefined}>
            {VIEW_LABELS[v]}
            {v === 'inbox' && inbox.length > 0 && <span className="count" data-testid="inbox-count">{inbox.length}</span>}
          </button>
        ))}
        <button className="nav-item palette-hint" onClick={() => actions.setPaletteOpen(true)}>Commands <kbd>{shortcutLabel(PALETTE_SHORTCUT, isMac)}</kbd></button>
      </nav>
      <main className="content">
        <ConnectionBanner />
        <EstopBanner />
        <ErrorToast />
        <div className="view" data-view={view}>
          <CurrentView view={view} />
          <TerminalGrid active={view === 'terminals'} />
        </div>
      </main>
      <BeadDetail />
      <FileDrop />
      <StatusBar inboxCount={inbox.length} />
      <CommandPalette />
    </div>
  );
}
