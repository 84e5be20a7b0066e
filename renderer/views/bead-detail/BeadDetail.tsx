// The bead detail, over any view (`openBeadDetail(id)`): every field editable, dependencies both
// ways, labels, comments, the agent and its terminal, the merge request, the cost so far, and the
// history from Dolt (each commit: author, time, message, field before → after) with "show as of this
// commit". Reloads when the feed changes the bead. Escape closes it unless the palette or a modal is
// over it (Escape closes the topmost thing only).
import { useEffect, useMemo, useRef, useState } from 'react';
import { useServices, useTown } from '../../app-context.tsx';
import type { Bead, BeadStatus, BeadType, DependencyType } from '../../../preload/types.ts';
import { BEAD_STATUSES, BEAD_TYPES, DEPENDENCY_TYPES } from '../../../preload/types.ts';
import { reviewNote } from '../../board/board-columns.ts';
import { costText, formatDollars } from '../cost-format.ts';
import { agentState } from '../format.ts';

const show = (v: unknown): string => (v === null || v === undefined || v === '' ? '∅' : typeof v === 'string' ? v : JSON.stringify(v));
const short = (s: string, n = 80): string => (s.length > n ? `${s.slice(0, n)}…` : s);

export function BeadDetail() {
  const { actions } = useServices();
  const paletteOpen = useRef(false);
  paletteOpen.current = useTown((s) => s.ui.paletteOpen);
  const id = useTown((s) => s.detailBeadId);
  const live = useTown((s) => (id ? s.beads.beads[id] : undefined));
  const liveComments = useTown((s) => (id ? s.beads.comments[id] : undefined));
  const detail = useTown((s) => s.beadDetail);

  useEffect(() => {
    if (!id) return;
    void actions.loadBeadDetail(id);
  }, [actions, id, live?.updatedAt, liveComments?.length]);

  // Escape closes only the topmost thing: not the detail while the palette or a modal is over it.
  // Read in the capture phase at the window, before the palette's own handler closes it.
  useEffect(() => {
    if (!id) return;
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== 'Escape' || paletteOpen.current) return;
      if ((e.target as HTMLElement)?.closest?.('.modal, .palette, [aria-modal="true"]')) return;
      actions.closeBeadDetail();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [actions, id]);

  if (!id) return null;
  const data = detail?.id === id ? detail : null;
  const bead = live ?? data?.bead ?? null;
  return (
    <aside className="detail" role="dialog" aria-label={`Bead ${id}`} data-testid="bead-detail" data-bead={id}>
      <header className="detail-head">
        <span className="mono">{id}</span>
        <span className="spacer" />
        <button onClick={actions.closeBeadDetail} aria-label="Close the bead detail" data-testid="detail-close">Close <kbd>Esc</kbd></button>
      </header>
      {data?.error && <p className="error" role="alert">{data.error}</p>}
      {!bead ? <p className="muted">Loading {id}…</p> : <DetailBody bead={bead} />}
    </aside>
  );
}

function DetailBody({ bead }: { bead: Bead }) {
  const { actions, terminals } = useServices();
  const detail = useTown((s) => (s.beadDetail?.id === bead.id ? s.beadDetail : null));
  const deps = useTown((s) => s.beads.dependencies);
  const beads = useTown((s) => s.beads.beads);
  const agents = useTown((s) => s.agents);
  const liveComments = useTown((s) => s.beads.comments[bead.id]);
  const [title, setTitle] = useState(bead.title);
  const [description, setDescription] = useState(bead.description);
  const [assignee, setAssignee] = useState(bead.assignee ?? '');
  const [label, setLabel] = useState('');
  const [dep, setDep] = useState('');
  const [depType, setDepType] = useState<DependencyType>('blocks');
  const [comment, setComment] = useState('');
  useEffect(() => { setTitle(bead.title); setDescription(bead.description); setAssignee(bead.assignee ?? ''); }, [bead.id, bead.title, bead.description, bead.assignee]);

  const dependsOn = useMemo(() => Object.values(deps).filter((d) => d.issueId === bead.id), [deps, bead.id]);
  const neededBy = useMemo(() => Object.values(deps).filter((d) => d.dependsOnId === bead.id), [deps, bead.id]);
  const comments = useMemo(() => {
    const all = [...(detail?.bead?.comments ?? []), ...(liveComments ?? [])];
    return all.filter((c, i) => all.findIndex((x) => x.id === c.id) === i);
  }, [detail?.bead?.comments, liveComments]);
  const gt = ((bead.metadata as { gt?: { polecat?: string } }).gt ?? {}) as { polecat?: string };
  const agent = Object.values(agents).find((a) => a.hook === bead.id || a.id === bead.assignee) ?? (gt.polecat ? agents[gt.polecat] : undefined);
  const mergeRequests = useMemo(() => Object.values(beads).filter((b) => b.type === 'merge-request' && (b.metadata as { bead?: string }).bead === bead.id), [beads, bead.id]);
  const review = reviewNote(bead);
  const openTerminal = (terminal: string): void => {
    actions.closeBeadDetail();
    actions.focusTerminal(terminal);
    requestAnimationFrame(() => requestAnimationFrame(() => terminals.focus(terminal)));
  };
  const save = (patch: Parameters<typeof actions.updateBead>[1]): void => { void actions.updateBead(bead.id, patch); };
  const asOf = detail?.asOf ?? null;

  return (
    <div className="detail-body">
      <label className="field">Title
        <input value={title} onChange={(e) => setTitle(e.target.value)} data-testid="detail-title"
          onBlur={() => { if (title.trim() && title !== bead.title) save({ title: title.trim() }); }}
          onKeyDown={(e) => { if (e.key === 'Enter') (e.target as HTMLInputElement).blur(); }} />
      </label>
      <div className="row">
        <label className="field">Status
          <select value={bead.status} onChange={(e) => void actions.setBeadStatus(bead, e.target.value as BeadStatus)} data-testid="detail-status">
            {BEAD_STATUSES.map((s) => <option key={s}>{s}</option>)}
          </select>
        </label>
        <label className="field">Type
          <select value={bead.type} onChange={(e) => save({ type: e.target.value as BeadType })}>{BEAD_TYPES.map((t) => <option key={t}>{t}</option>)}</select>
        </label>
        <label className="field">Priority
          <select value={bead.priority} onChange={(e) => save({ priority: Number(e.target.value) })}>{[0, 1, 2, 3, 4].map((p) => <option key={p} value={p}>P{p}</option>)}</select>
        </label>
        <label className="field">Assignee
          <input value={assignee} onChange={(e) => setAssignee(e.target.value)} placeholder="nobody"
            onBlur={() => { const v = assignee.trim() || null; if (v !== bead.assignee) save({ assignee: v }); }}
            onKeyDown={(e) => { if (e.key === 'Enter') (e.target as HTMLInputElement).blur(); }} />
        </label>
      </div>
      <label className="field">Description
        <textarea rows={6} value={description} onChange={(e) => setDescription(e.target.value)} data-testid="detail-description" />
      </label>
      {description !== bead.description && <div className="actions"><button onClick={() => save({ description })}>Save description</button><button onClick={() => setDescription(bead.description)}>Discard</button></div>}

      <section>
        <h3>Labels</h3>
        <div className="chips">
          {bead.labels.map((l) => <span key={l} className="chip">{l} <button className="link" aria-label={`Remove label ${l}`} onClick={() => void actions.removeLabel(bead.id, l)}>×</button></span>)}
          <form onSubmit={(e) => { e.preventDefault(); if (label.trim()) { void actions.addLabel(bead.id, label.trim()); setLabel(''); } }}>
            <input value={label} onChange={(e) => setLabel(e.target.value)} placeholder="add a label" aria-label="Add a label" />
          </form>
        </div>
      </section>

      <section>
        <h3>Dependencies</h3>
        <div className="muted">Depends on</div>
        <ul className="plain" data-testid="detail-depends-on">
          {dependsOn.map((d) => (
            <li key={d.dependsOnId}>
              <button className="link mono" onClick={() => actions.openBeadDetail(d.dependsOnId)}>{d.dependsOnId}</button> {d.type}
              {' '}<span className="muted">{beads[d.dependsOnId] ? `${beads[d.dependsOnId].status} · ${short(beads[d.dependsOnId].title, 50)}` : ''}</span>
              {' '}<button className="link" aria-label={`Remove dependency on ${d.dependsOnId}`} onClick={() => void actions.removeDependency(bead.id, d.dependsOnId)}>×</button>
            </li>
          ))}
          {!dependsOn.length && <li className="muted">nothing</li>}
        </ul>
        <form className="row" onSubmit={(e) => { e.preventDefault(); if (dep.trim()) { void actions.addDependency(bead.id, dep.trim(), depType); setDep(''); } }}>
          <input value={dep} onChange={(e) => setDep(e.target.value)} placeholder="bead id" aria-label="Add a dependency on" />
          <select value={depType} onChange={(e) => setDepType(e.target.value as DependencyType)}>{DEPENDENCY_TYPES.map((t) => <option key={t}>{t}</option>)}</select>
          <button type="submit">Add</button>
        </form>
        <div className="muted">Needed by</div>
        <ul className="plain" data-testid="detail-needed-by">
          {neededBy.map((d) => (
            <li key={d.issueId}><button className="link mono" onClick={() => actions.openBeadDetail(d.issueId)}>{d.issueId}</button> {d.type} <span className="muted">{beads[d.issueId] ? short(beads[d.issueId].title, 50) : ''}</span></li>
          ))}
          {!neededBy.length && <li className="muted">nothing</li>}
        </ul>
      </section>

      <section>
        <h3>Agent</h3>
        {agent ? (
          <div data-testid="detail-agent">
            <span className="mono">{agent.id}</span> <span className={`state state-${agentState(agent)}`}>{agentState(agent)}</span>
            {agent.session && <> <button onClick={() => openTerminal(agent.session!.terminal)} data-testid="detail-terminal">Open its terminal</button></>}
          </div>
        ) : <div className="muted">{bead.assignee ?? 'nobody'}</div>}
      </section>

      <section>
        <h3>Merge request</h3>
        {mergeRequests.length || review ? (
          <ul className="plain" data-testid="detail-merge-requests">
            {review && !mergeRequests.some((m) => m.id === review.mergeRequest) && <li className="mono">{review.mergeRequest} (in review since {review.since})</li>}
            {mergeRequests.map((m) => (
              <li key={m.id}><button className="link mono" onClick={() => actions.openBeadDetail(m.id)}>{m.id}</button> {m.status} · {String((m.metadata as { phase?: unknown }).phase ?? '')} · {String((m.metadata as { branch?: unknown }).branch ?? '')}</li>
            ))}
          </ul>
        ) : <div className="muted">none</div>}
      </section>

      <section>
        <h3>Cost so far</h3>
        {detail?.cost ? (
          <div data-testid="detail-cost">
            <strong className="mono">{costText(detail.cost.total)}</strong> <span className="muted">{detail.cost.total.calls} calls</span>
            {detail.cost.byAgent.length > 0 && <ul className="plain">{detail.cost.byAgent.map((r) => <li key={r.key} className="mono">{r.key}: {formatDollars(r.cost)}</li>)}</ul>}
          </div>
        ) : <div className="muted">—</div>}
      </section>

      <section>
        <h3>Comments</h3>
        <ul className="plain" data-testid="detail-comments">
          {comments.map((c) => <li key={c.id}><span className="mono">{c.author}</span> <span className="muted">{c.createdAt}</span><div className="pre">{c.text}</div></li>)}
          {!comments.length && <li className="muted">none</li>}
        </ul>
        <form onSubmit={(e) => { e.preventDefault(); if (comment.trim()) { void actions.comment(bead.id, comment.trim()); setComment(''); } }} className="row">
          <textarea rows={2} value={comment} onChange={(e) => setComment(e.target.value)} placeholder="Add a comment" aria-label="Add a comment" />
          <button type="submit">Comment</button>
        </form>
      </section>

      <section>
        <h3>History <span className="muted">(Dolt)</span></h3>
        {asOf && (
          <div className="as-of" data-testid="detail-as-of" data-commit={asOf.commit}>
            <div><strong>As of {asOf.commit.slice(0, 10)}</strong> <button onClick={() => void actions.showAsOf(bead.id, null)}>Back to now</button></div>
            <div>{asOf.bead.title}</div>
            <div className="mono">{asOf.bead.status} · P{asOf.bead.priority} · {asOf.bead.type} · {asOf.bead.assignee ?? 'nobody'}</div>
            <div className="muted">labels: {asOf.bead.labels.join(', ') || '∅'}</div>
            {asOf.bead.description && <div className="pre">{short(asOf.bead.description, 400)}</div>}
          </div>
        )}
        {!detail?.history ? <div className="muted">Loading…</div> : (
          <ol className="timeline" data-testid="detail-history">
            {[...detail.history].reverse().map((h) => (
              <li key={`${h.commit}:${h.kind}`} data-testid="history-entry" data-author={h.author} data-commit={h.commit}>
                <div><span className="mono">{h.author}</span> <span className="muted">{h.time}</span> <span className="mono muted">{h.commit.slice(0, 8)}</span>
                  {' '}<button className="link" onClick={() => void actions.showAsOf(bead.id, h.commit)} data-testid="history-as-of">Show as of this commit</button></div>
                <div>{h.message}</div>
                <ul className="plain changes">
                  {h.changes.map((c, i) => <li key={i} className="mono" data-field={c.field}>{c.field}: {short(show(c.before))} → {short(show(c.after))}</li>)}
                </ul>
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}
