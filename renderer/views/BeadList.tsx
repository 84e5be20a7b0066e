import { useEffect, useState } from 'react';
import type { TownClient } from '../../preload/contract.ts';
import type { Bead } from '../../preload/types.ts';
import { applyFeedEvent } from '../state/apply-feed-event.ts';

export function BeadList({ client }: { client: TownClient }) {
  const [beads, setBeads] = useState<Bead[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    // Subscribe first, then load, so nothing committed in between is missed.
    const off = client.on('beadFeed', (event) => setBeads((list) => applyFeedEvent(list, event)));
    client.beadList({}).then(
      (list) => setBeads((live) => [...live.filter((b) => !list.some((l) => l.id === b.id)), ...list]),
      (err: Error) => setError(err.message),
    );
    return off;
  }, [client]);

  return (
    <section>
      <h2>Beads ({beads.length})</h2>
      {error && <p className="error">{error}</p>}
      <ul className="beads" data-testid="bead-list">
        {beads.map((b) => (
          <li key={b.id} data-bead-id={b.id}>
            <span className="bead-id">{b.id}</span>
            <span className="bead-status">{b.status}</span>
            <span>{b.title}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
