// One live terminal per agent session, in a grid that adapts to the window; maximize, focus, search.
// The grid stays mounted for the app's lifetime (hidden when another view shows), and each cell only
// lends its body to the registry: the xterm element moves in, it is never recreated.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useServices, useTown } from '../app-context.tsx';
import type { UiAgent } from '../../preload/requests/ui.ts';
import { agentState, since } from './format.ts';
import { matches, SEARCH_SHORTCUT } from '../shell/commands.ts';
import { isMac } from '../shell/platform.ts';
import { gridColumns } from './grid-layout.ts';

const ROLE_ORDER: Record<string, number> = { mayor: 0, crew: 1, polecat: 2 };

function TerminalCell({ agent, focused, maximized }: { agent: UiAgent; focused: boolean; maximized: boolean }) {
  const { terminals, actions } = useServices();
  const terminal = agent.session!.terminal;
  const body = useRef<HTMLDivElement>(null);
  const [searching, setSearching] = useState(false);
  const [query, setQuery] = useState('');
  const exited = useTown((s) => s.terminals[terminal]?.exited ?? null);

  useLayoutEffect(() => {
    if (body.current) terminals.mount(terminal, body.current);
  }, [terminals, terminal]);

  useEffect(() => {
    if (!focused) return;
    const onSearch = (): void => setSearching(true);
    window.addEventListener('gastown:search', onSearch);
    return () => window.removeEventListener('gastown:search', onSearch);
  }, [focused]);

  const state = agentState(agent);
  return (
    <div className={`cell${focused ? ' focused' : ''}${maximized ? ' maximized' : ''}`} data-testid="terminal-cell" data-agent={agent.id} data-terminal={terminal}
      onFocusCapture={() => { if (!focused) actions.focusTerminal(terminal); }}
      onKeyDownCapture={(e) => { if (matches(e, SEARCH_SHORTCUT, isMac)) { e.preventDefault(); setSearching(true); } }}>
      <header className="cell-header">
        <strong className="mono">{agent.name}</strong>
        <span className="muted">{agent.rig ?? agent.role}</span>
        {agent.hook && <span className="mono hook">{agent.hook}</span>}
        <span className={`state state-${state}`}>{state}</span>
        <span className="muted why" title={agent.live?.reason}>{agent.live?.reason ?? ''}</span>
        <span className="muted">{since(agent.live?.since ?? 0)}</span>
        {exited && <span className="bad">ended: {exited}</span>}
        <span className="spacer" />
        <button title="Search the scrollback" onClick={() => setSearching((v) => !v)}>Find</button>
        <button title="Maximize / restore" onClick={() => actions.toggleMaximize(terminal)} data-testid="maximize">{maximized ? 'Restore' : 'Maximize'}</button>
      </header>
      {searching && (
        <form className="cell-search" onSubmit={(e) => { e.preventDefault(); terminals.find(terminal, query); }}>
          <input autoFocus value={query} placeholder="Search scrollback" aria-label="Search scrollback" onChange={(e) => { setQuery(e.target.value); terminals.find(terminal, e.target.value); }}
            onKeyDown={(e) => { if (e.key === 'Escape') { setSearching(false); terminals.clearSearch(terminal); terminals.focus(terminal); } if (e.key === 'Enter' && e.shiftKey) { e.preventDefault(); terminals.find(terminal, query, true); } }} />
        </form>
      )}
      <div className="cell-body" ref={body} data-testid="terminal" />
    </div>
  );
}

export function TerminalGrid({ active }: { active: boolean }) {
  const { terminals } = useServices();
  const agentMap = useTown((s) => s.agents);
  const focused = useTown((s) => s.ui.focusedTerminal);
  const maximized = useTown((s) => s.ui.maximizedTerminal);
  const box = useRef<HTMLElement>(null);
  const [width, setWidth] = useState(1200);
  const agents = useMemo(
    () => Object.values(agentMap).filter((a) => a.session).sort((a, b) => (ROLE_ORDER[a.role] ?? 9) - (ROLE_ORDER[b.role] ?? 9) || a.id.localeCompare(b.id)),
    [agentMap],
  );

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth || 1200));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Terminals whose session is gone (replaced after a restart) are let go.
  useEffect(() => {
    terminals.retain(new Set(agents.map((a) => a.session!.terminal)));
  }, [terminals, agents]);

  const shown = maximized && agents.some((a) => a.session!.terminal === maximized) ? maximized : null;
  const cols = shown ? 1 : gridColumns(agents.length, width);
  return (
    <section className="grid-view" hidden={!active} data-testid="terminal-grid" ref={box}>
      {agents.length === 0 && <p className="muted">No agent sessions are running. Sling work to a rig, or start the Mayor (gt mayor start).</p>}
      <div className="grid" style={{ gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))` }}>
        {agents.map((a) => {
          const id = a.session!.terminal;
          const hidden = shown !== null && shown !== id;
          return (
            <div key={a.id} className="grid-slot" hidden={hidden}>
              <TerminalCell agent={a} focused={focused === id} maximized={shown === id} />
            </div>
          );
        })}
      </div>
    </section>
  );
}
