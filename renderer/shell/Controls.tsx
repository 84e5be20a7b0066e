// The e-stop: a button in the status bar, a banner across the app while it is on (with Release),
// and the status bar's note of parked rigs, do-not-disturb and budget pauses.
import { useServices, useTown } from '../app-context.tsx';
import { selectControls, selectEstop } from '../state/cost-slice.ts';
import { clock, controlsText } from '../views/cost-format.ts';
import { ESTOP_SHORTCUT, shortcutLabel } from './commands.ts';
import { isMac } from './platform.ts';

export function EstopButton() {
  const { actions } = useServices();
  const known = useTown((s) => s.controls !== null);
  const estop = useTown(selectEstop);
  if (estop) return <button className="estop released" data-testid="estop-release" onClick={() => void actions.estopRelease()}>Release e-stop</button>;
  return (
    <button className="estop" data-testid="estop" disabled={!known} onClick={() => void actions.estop()} title={`Freeze every agent and stop dispatch (${shortcutLabel(ESTOP_SHORTCUT, isMac)})`}>
      E-STOP
    </button>
  );
}

export function EstopBanner() {
  const { actions } = useServices();
  const estop = useTown(selectEstop);
  if (!estop) return null;
  return (
    <div className="banner banner-error" role="alert" data-testid="estop-banner">
      E-stopped since {clock(estop.since)} by {estop.by}: every agent is frozen and nothing is dispatched.{' '}
      <button onClick={() => void actions.estopRelease()} data-testid="estop-banner-release">Release</button>
    </div>
  );
}

export function ControlsNote() {
  const controls = useTown(selectControls);
  const text = controlsText({ ...controls, estop: null }, Date.now());
  if (!text) return null;
  return <span className="controls-note" data-testid="status-controls">{text}</span>;
}
