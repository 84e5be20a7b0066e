// The wanted board shared between towns: this town's identity and remotes (with their last push and
// pull), the board as this town's clone has it (trusted or not, who claimed what), and the three
// actions: sync, post one of this town's beads, claim an item. Reads the store; acts through it.
import { useEffect, useState } from 'react';
import { useServices, useTown } from '../../app-context.tsx';
import { selectBoard, selectFederationInfo } from '../../state/federation-slice.ts';
import type { RemoteStatus, WantedItem } from '../../../preload/requests/federation-types.ts';
import { since } from '../format.ts';

function syncState(label: string, s: RemoteStatus['push']): string {
  if (!s) return `${label} never`;
  return `${label} ${s.ok ? 'ok' : 'failed'} ${since(s.at)}${s.ok ? '' : `: ${s.message}`}`;
}

function WantedRow({ item, me, busy }: { item: WantedItem; me: string; busy: boolean }) {
  const { actions } = useServices();
  const claimable = item.status === 'open' && item.trusted;
  return (
    <tr data-testid="wanted-row" data-wanted={item.id} data-status={item.status} data-trusted={item.trusted ? 'true' : 'false'}>
      <td><code>{item.id}</code></td>
      <td>{item.title}</td>
      <td>P{item.priority}</td>
      <td>{item.postedBy}{item.postedBy === me ? ' (this town)' : ''}{item.trusted ? '' : <span className="bad" title="posted by a town this commons does not accept"> untrusted</span>}</td>
      <td data-testid="wanted-status">{item.status}{item.claimedBy ? ` by ${item.claimedBy}` : ''}{item.localBead ? ` → ${item.localBead}` : ''}</td>
      <td>{claimable && <button disabled={busy} onClick={() => void actions.wlClaim(item.id)} data-testid="wanted-claim">Claim</button>}</td>
    </tr>
  );
}

export function WantedView() {
  const { actions } = useServices();
  const info = useTown(selectFederationInfo);
  const board = useTown(selectBoard);
  const busy = useTown((s) => s.federation.busy);
  const lastClaim = useTown((s) => s.federation.lastClaim);
  const [bead, setBead] = useState('');
  useEffect(() => { void actions.loadFederation(); }, [actions]);
  const me = info?.identity ?? '';
  return (
    <section className="wanted-view" data-testid="wanted-view">
      <h2>Wanted</h2>
      <p className="muted">Town <strong data-testid="town-identity">{me || '…'}</strong>
        {info?.commons ? <> · commons {info.commons.upstream ?? 'hosted here'} · {info.commons.towns.length} towns</> : ' · no commons (gt wl join URL, or gt wl create)'}
        {info?.serving ? <> · serving remotesapi on port {info.serving.port}</> : null}</p>
      {info && info.remotes.length > 0 && (
        <ul className="remotes" data-testid="remotes">
          {info.remotes.map((r) => <li key={r.name}><strong>{r.name}</strong> {r.url} · {syncState('push', r.push)} · {syncState('pull', r.pull)}</li>)}
        </ul>
      )}
      {info?.commons && (
        <div className="actions">
          <button disabled={busy} onClick={() => void actions.wlSync()} data-testid="wanted-sync">Sync</button>
          <form onSubmit={(e) => { e.preventDefault(); if (bead.trim()) void actions.wlPost(bead.trim()).then(() => setBead('')); }}>
            <input value={bead} onChange={(e) => setBead(e.target.value)} placeholder="bead id to post" aria-label="bead to post" data-testid="wanted-post-bead" />
            <button type="submit" disabled={busy || !bead.trim()} data-testid="wanted-post">Post</button>
          </form>
        </div>
      )}
      {lastClaim && <p data-testid="wanted-last-claim" className={lastClaim.outcome === 'won' ? 'ok' : 'bad'}>{lastClaim.message}</p>}
      {info?.commons && (board.length === 0 ? <p className="muted">Nothing wanted.</p> : (
        <table className="wanted-table">
          <thead><tr><th>Id</th><th>Title</th><th>Priority</th><th>Posted by</th><th>Status</th><th /></tr></thead>
          <tbody>{board.map((w) => <WantedRow key={w.id} item={w} me={me} busy={busy} />)}</tbody>
        </table>
      ))}
    </section>
  );
}
