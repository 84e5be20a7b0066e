// The merge queue, per rig: requests in landing order with their score, their phase changing live,
// the batch being tested and its gate, the gate output of a rejected or flaky request, retry and
// reject, and from a conflict the link to its resolution bead (opens the bead detail).
import { useMemo, useState } from 'react';
import { useServices, useTown } from '../../app-context.tsx';
import { mqActions, queuesByRig, type MqRow, type RigQueue } from './mq-rows.ts';
import type { MqBatch } from '../../state/work-views-slice.ts';

function BeadLink({ id, label }: { id: string; label?: string }) {
  const { actions } = useServices();
  return <button className="link mono" onClick={() => actions.openBeadDetail(id)} data-testid="mq-bead-link" data-bead={id}>{label ?? id}</button>;
}

function Row({ row }: { row: MqRow }) {
  const { actions } = useServices();
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const can = mqActions(row.phase);
  return (
    <>
      <tr data-testid="mq-row" data-mr={row.id} data-phase={row.phase} data-rig={row.rig}>
        <td className="mono">{row.position ?? '—'}</td>
        <td><BeadLink id={row.id} /></td>
        <td>
          <div>{row.title}</div>
          <div className="muted mono">{row.branch}{row.polecat ? ` · ${row.polecat}` : ''}{row.bead ? <> · for <BeadLink id={row.bead} /></> : null}</div>
        </td>
        <td><span className={`phase phase-${row.phase}`} data-testid="mq-phase">{row.phase}</span>{row.waiting && <div className="muted">{row.waiting}</div>}</td>
        <td className="mono" title="score: higher lands first">{row.score === null ? '—' : row.score.toFixed(1)}</td>
        <td className="mono">P{row.priority}{row.attempts ? ` · ${row.attempts} failed` : ''}</td>
        <td className="mq-actions">
          {row.phase === 'conflict' && row.resolutionBead && <span>resolution <BeadLink id={row.resolutionBead} /></span>}
          {row.phase === 'rejected' && row.rejectionBead && <span>fix <BeadLink id={row.rejectionBead} /></span>}
          {row.mergedAs && <span className="muted mono">as {row.mergedAs.slice(0, 10)}</span>}
          {can.retry && <button onClick={() => void actions.mqRetry(row.id)} data-testid="mq-retry">Retry</button>}
          {can.reject && !rejecting && <button className="danger" onClick={() => setRejecting(true)} data-testid="mq-reject">Reject…</button>}
          {rejecting && (
            <form onSubmit={(e) => { e.preventDefault(); setRejecting(false); void actions.mqReject(row.id, reason.trim() || 'rejected by hand'); }}>
              <input autoFocus placeholder="Why?" value={reason} onChange={(e) => setReason(e.target.value)} aria-label="Reason" data-testid="mq-reject-reason" />
              <button type="submit" className="danger" data-testid="mq-reject-confirm">Reject</button>
              <button type="button" onClick={() => setRejecting(false)}>Cancel</button>
            </form>
          )}
        </td>
      </tr>
      {(row.gateOutput || row.conflictFiles.length > 0 || (row.reason && !row.open)) && (
        <tr className="mq-detail">
          <td />
          <td colSpan={6}>
            {row.reason && !row.open && <div className="muted">{row.reason}</div>}
            {row.conflictFiles.length > 0 && <div className="muted">conflicts in {row.conflictFiles.join(', ')}</div>}
            {row.gateOutput && (
              <details data-testid="mq-gate-output"><summary>gate output</summary><pre className="gate-output">{row.gateOutput}</pre></details>
            )}
          </td>
        </tr>
      )}
    </>
  );
}

function Batch({ batch }: { batch: MqBatch }) {
  const gate = batch.gate;
  return (
    <div className="mq-batch" data-testid="mq-batch" data-batch={batch.batch}>
      Batch on <span className="mono">{batch.target}</span> @ <span className="mono">{batch.batch.slice(0, 10)}</span>: {batch.ids.length} request{batch.ids.length === 1 ? '' : 's'}
      {' '}({batch.ids.map((id, i) => <span key={id}>{i ? ', ' : ''}<BeadLink id={id} /></span>)}) —{' '}
      {gate ? <span className={gate.outcome === 'pass' ? 'ok' : 'bad'}>gate {gate.outcome} in {(gate.durationMs / 1000).toFixed(1)} s (run {gate.run})</span> : <span>testing…</span>}
    </div>
  );
}

function RigSection({ queue, batch, problem }: { queue: RigQueue; batch: MqBatch | undefined; problem: string | undefined }) {
  return (
    <section className="mq-rig" data-testid="mq-rig" data-rig={queue.rig}>
      <h3>{queue.rig} <span className="muted">{queue.open.length} open</span></h3>
      {problem && <p className="error">{problem}</p>}
      {batch && <Batch batch={batch} />}
      {queue.open.length + queue.finished.length === 0 ? <p className="muted">No merge requests.</p> : (
        <table className="table mq-table">
          <thead><tr><th>#</th><th>Request</th><th>Title</th><th>Phase</th><th>Score</th><th>Priority</th><th /></tr></thead>
          <tbody>
            {queue.open.map((r) => <Row key={r.id} row={r} />)}
            {queue.finished.length > 0 && <tr><td colSpan={7} className="muted">Finished</td></tr>}
            {queue.finished.map((r) => <Row key={r.id} row={r} />)}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function MergeQueueView() {
  const { actions } = useServices();
  const mq = useTown((s) => s.mergeQueue);
  const beads = useTown((s) => s.beads.beads);
  const queues = useMemo(() => queuesByRig(mq.entries, beads), [mq.entries, beads]);
  return (
    <section className="panel mq-view" data-testid="merge-queue-view">
      <h2>Merge queue <button onClick={() => void actions.reloadMergeQueue()}>Reload</button></h2>
      {!mq.loaded && <p className="muted">Loading the queue…</p>}
      {mq.loaded && queues.length === 0 && <p className="muted">No rigs yet.</p>}
      {queues.map((q) => <RigSection key={q.rig} queue={q} batch={mq.batches[q.rig]} problem={mq.problems[q.rig]} />)}
    </section>
  );
}
