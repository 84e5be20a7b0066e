// The status bar: connection, Dolt, PTY host, agents working / waiting / stuck, inbox count, the cost
// meter, the e-stop button and the controls that are on (parked rigs, do-not-disturb).
import { useMemo } from 'react';
import { useServices, useTown } from '../app-context.tsx';
import { countAgents } from '../../preload/requests/ui-counts.ts';
import { CostMeter } from './CostMeter.tsx';
import { ControlsNote, EstopButton } from './Controls.tsx';
import { selectRemotesFailing, selectRemotesSummary } from '../state/federation-slice.ts';

export function StatusBar({ inboxCount }: { inboxCount: number }) {
  const { actions } = useServices();
  const connection = useTown((s) => s.connection.state);
  const town = useTown((s) => s.town);
  const commit = useTown((s) => s.load.commit);
  const agents = useTown((s) => s.agents);
  const counts = useMemo(() => countAgents(Object.values(agents)), [agents]);
  const remotes = useTown(selectRemotesSummary);
  const remotesFailing = useTown(selectRemotesFailing);
  const bad = (ok: boolean): string => (ok ? 'ok' : 'bad');
  return (
    <footer className="statusbar" data-testid="status-bar">
      <span className={bad(connection === 'connected')} data-testid="status-connection">{connection}</span>
      <span className={bad(town?.dolt.state === 'ready')}>Dolt {town?.dolt.state ?? '?'}</span>
      <span className={bad(town?.ptyHost.state === 'ready')} data-testid="status-pty">PTY host {town?.ptyHost.state ?? '?'}</span>
      <span data-testid="status-agents">{counts.working} working · {counts.waiting} waiting · {counts.stuck} stuck</span>
      <button className="link" onClick={() => actions.setView('inbox')}>Inbox {inboxCount}</button>
      {remotes && <button className={`link ${remotesFailing ? 'bad' : ''}`} onClick={() => actions.setView('wanted')} data-testid="status-remotes">{remotes}</button>}
      <CostMeter />
      <ControlsNote />
      <EstopButton />
      <span className="muted" title="The Dolt commit the view was loaded at">{commit ? commit.slice(0, 8) : ''}</span>
    </footer>
  );
}
