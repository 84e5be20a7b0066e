import { useEffect, useRef, useState } from 'react';
import type { TownClient } from '../../preload/contract.ts';
import { TerminalRegistry } from '../terminals/terminal-registry.ts';

export function TerminalPane({ client }: { client: TownClient }) {
  const [registry] = useState(() => new TerminalRegistry(client));
  const [terminalId, setTerminalId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const hostRef = useRef<HTMLDivElement>(null);

  useEffect(() => () => registry.disposeAll(), [registry]);

  useEffect(() => {
    if (!terminalId || !hostRef.current) return;
    void registry.mount(terminalId, hostRef.current).catch((err: Error) => setError(err.message));
    const onResize = (): void => registry.fit(terminalId);
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, [registry, terminalId]);

  useEffect(() => client.on('terminalExit', (exit) => {
    if (exit.id === terminalId) setError(`terminal ended: ${exit.reason}`);
  }), [client, terminalId]);

  const open = (): void => {
    setError(null);
    client.terminalOpen({ cols: 100, rows: 30, title: 'shell' }).then((t) => setTerminalId(t.id), (err: Error) => setError(err.message));
  };

  return (
    <section>
      <h2>Terminal</h2>
      {!terminalId && <button onClick={open} data-testid="open-terminal">Open shell</button>}
      {error && <p className="error">{error}</p>}
      <div className="terminal-host" ref={hostRef} data-testid="terminal" />
    </section>
  );
}
