import { useEffect, useState } from 'react';
import type { TownClient } from '../../preload/contract.ts';
import type { TownStatus } from '../../preload/types.ts';
import { BeadList } from './BeadList.tsx';
import { TerminalPane } from './TerminalPane.tsx';

export function App({ client }: { client: TownClient }) {
  const [status, setStatus] = useState<TownStatus | null>(null);

  useEffect(() => {
    void client.townStatus({}).then(setStatus, () => setStatus(null));
    return client.on('townStatus', setStatus);
  }, [client]);

  return (
    <>
      <header>
        <h1>Gas Town</h1>
        <span className={status?.up ? 'status' : 'status down'} data-testid="town-status">
          {status ? `up · dolt ${status.dolt.state} · ${status.beads} beads` : 'connecting…'}
        </span>
      </header>
      <main>
        <BeadList client={client} />
        <TerminalPane client={client} />
      </main>
    </>
  );
}
