// The Board: work beads in columns by state, and a roster of agents, rigs and "any free polecat".
// Drag a card (or the selected cards) onto a column to change its status (a compare-and-set), onto
// an agent, a rig or "any free polecat" to sling it; several onto a rig make a convoy. Mouse and
// keyboard (Space picks up, arrows jump between drop targets, Space drops, Escape cancels), through
// @dnd-kit/core. While dragging, every target says whether it takes the cards and, if not, why.
//
// Performance: one draggable (DragSource) stands for whichever card is picked up; the cards only
// forward their pointer and key presses to it. So the 1,000 cards of a large board do not each
// subscribe to dnd-kit's context, which changes whenever the drag crosses a target.
import { memo, useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent as ReactKeyboardEvent, type PointerEvent as ReactPointerEvent, type ReactNode } from 'react';
import {
  DndContext, DragOverlay, KeyboardSensor, PointerSensor, pointerWithin, rectIntersection, useDraggable, useDroppable, useSensor, useSensors,
  type CollisionDetection, type DragEndEvent, type KeyboardCoordinateGetter,
} from '@dnd-kit/core';
import { useServices, useTown } from '../../app-context.tsx';
import type { Bead } from '../../../preload/types.ts';
import type { UiAgent } from '../../../preload/requests/ui.ts';
import { boardColumns, COLUMN_LABELS, COLUMNS, moveTo, openBlockers, type Column } from '../../board/board-columns.ts';
import { slingDecision, targetLabel, type SlingDecision, type SlingTarget } from '../../board/board-drops.ts';
import { directionOf, nextTarget } from '../../board/keyboard-targets.ts';
import { shownBeads } from '../../state/board-slice.ts';
import { agentState } from '../format.ts';
import { rigsOf } from './rigs.ts';
import { CreateBeadDialog } from './CreateBeadDialog.tsx';

type DropId = `col:${Column}` | `agent:${string}` | `rig:${string}` | 'any';

interface Verdict { ok: boolean; reason: string }

/** Pointer first (what is under the mouse); the keyboard has no pointer, so the dragged rect decides. */
const collisions: CollisionDetection = (args) => {
  const under = pointerWithin(args);
  return under.length ? under : rectIntersection(args);
};

/** Arrow keys jump the dragged card to the nearest drop target that way. */
const jumpToTarget: KeyboardCoordinateGetter = (event, { context, currentCoordinates }) => {
  const direction = directionOf(event.code);
  const rect = context.collisionRect;
  if (!direction || !rect) return undefined;
  event.preventDefault();
  const rects = [...context.droppableRects.entries()].map(([id, r]) => ({ id: String(id), left: r.left, top: r.top, width: r.width, height: r.height }));
  const from = { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
  const target = nextTarget(from, rects, direction, context.over ? String(context.over.id) : null);
  if (!target) return currentCoordinates;
  const dx = target.left + target.width / 2 - from.x;
  const dy = (target.height > rect.height * 2 ? target.top + rect.height / 2 + 24 : target.top + target.height / 2) - from.y;
  return { x: currentCoordinates.x + dx, y: currentCoordinates.y + dy };
};

/** The one draggable: the card pressed lends it its element and id. */
interface Source {
  picked: string | null;
  setNode: (el: HTMLElement | null) => void;
  listeners: Record<string, ((event: never) => void) | undefined>;
}

function DragSource({ source, onDescribedBy }: { source: Source; onDescribedBy: (id: string) => void }) {
  const { setNodeRef, listeners, attributes } = useDraggable({ id: 'board-drag' });
  source.setNode = setNodeRef;
  source.listeners = (listeners ?? {}) as Source['listeners'];
  // The id of dnd-kit's instructions for screen readers, which every card points to.
  const describedBy = attributes['aria-describedby'];
  useEffect(() => onDescribedBy(describedBy), [describedBy, onDescribedBy]);
  return null;
}

export function BoardView() {
  const { actions } = useServices();
  const beadMap = useTown((s) => s.beads.beads);
  const deps = useTown((s) => s.beads.dependencies);
  const pending = useTown((s) => s.board.pending);
  const agentMap = useTown((s) => s.agents);
  const notice = useTown((s) => s.board.notice);
  const createOpen = useTown((s) => s.board.createOpen);
  const shown = useMemo(() => shownBeads(beadMap, pending), [beadMap, pending]);
  const blockers = useMemo(() => openBlockers(shown, deps), [shown, deps]);
  const columns = useMemo(() => boardColumns(shown, blockers), [shown, blockers]);
  const rigs = useMemo(() => rigsOf(beadMap, agentMap), [beadMap, agentMap]);
  const agents = useMemo(() => Object.values(agentMap).filter((a) => a.role === 'polecat' || a.role === 'crew' || a.role === 'mayor').sort((a, b) => a.id.localeCompare(b.id)), [agentMap]);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [dragging, setDragging] = useState<Bead[] | null>(null);
  const [confirm, setConfirm] = useState<Extract<SlingDecision, { kind: 'sling' }> | null>(null);
  const [describedBy, setDescribedBy] = useState('');
  const source = useRef<Source>({ picked: null, setNode: () => undefined, listeners: {} }).current;
  const press = useCallback((id: string, el: HTMLElement, e: ReactPointerEvent | ReactKeyboardEvent, kind: 'onPointerDown' | 'onKeyDown') => {
    if (e.target !== el && kind === 'onKeyDown') return; // keys typed into the checkbox or a button are theirs
    source.picked = id;
    source.setNode(el);
    source.listeners[kind]?.(e as never);
  }, [source]);
  const draggingIds = useMemo(() => new Set(dragging?.map((b) => b.id) ?? []), [dragging]);

  const toggle = useCallback((id: string) => {
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id); else next.add(id);
      return next;
    });
  }, []);

  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: jumpToTarget }),
  );

  const blockersOf = useCallback((id: string) => blockers.get(id) ?? [], [blockers]);

  /** Whether a target takes what is being dragged, and why not. */
  const verdict = useCallback((id: DropId, beads: readonly Bead[]): Verdict => {
    if (id.startsWith('col:')) {
      const to = id.slice(4) as Column;
      for (const b of beads) {
        const m = moveTo(b, to, blockersOf(b.id));
        if (m.kind === 'refuse') return { ok: false, reason: m.reason };
      }
      return { ok: true, reason: `Move to ${COLUMN_LABELS[to]}` };
    }
    const d = slingDecision(beads, targetOf(id, agentMap), blockersOf);
    return d.kind === 'refuse' ? { ok: false, reason: d.reason } : { ok: true, reason: d.confirm ? 'Asks first: a blocker is open' : d.convoy ? `A convoy of ${beads.length} on ${d.target}` : `Sling to ${targetLabel(targetOf(id, agentMap))}` };
  }, [agentMap, blockersOf]);

  const onDragStart = (): void => {
    const id = source.picked;
    if (!id) return;
    // The cards as they showed when picked up: their statuses are the compare-and-set's expectation.
    const group = selected.has(id) ? [...selected] : [id];
    setDragging(group.map((g) => shown[g]).filter((b): b is Bead => !!b));
  };

  const onDragEnd = (e: DragEndEvent): void => {
    const beads = dragging ?? [];
    setDragging(null);
    if (!e.over || !beads.length) return;
    const id = String(e.over.id) as DropId;
    if (id.startsWith('col:')) {
      const to = id.slice(4) as Column;
      const v = verdict(id, beads);
      if (!v.ok) { actions.showRefusal(`Move refused: ${v.reason}`); return; }
      for (const b of beads) void actions.moveBead(b, to);
      return;
    }
    const d = slingDecision(beads, targetOf(id, agentMap), blockersOf);
    if (d.kind === 'refuse') { actions.showRefusal(`Sling refused: ${d.reason}`); return; }
    if (d.confirm) { setConfirm(d); return; }
    void actions.sling(d).then((ok) => { if (ok) setSelected(new Set()); });
  };

  return (
    <section className="board-view" data-testid="board-view" aria-label="Board">
      <div className="board-toolbar">
        <button onClick={() => actions.setCreateOpen(true)} data-testid="board-new">New bead</button>
        <span className="muted" data-testid="board-selection">{selected.size ? `${selected.size} selected` : 'Select several cards (checkbox) and drag them onto a rig to make a convoy'}</span>
        {selected.size > 0 && <button onClick={() => setSelected(new Set())}>Clear selection</button>}
        {notice && <span className="board-notice" role="status" data-testid="board-notice">{notice} <button onClick={actions.clearBoardNotice}>OK</button></span>}
      </div>
      <DndContext sensors={sensors} collisionDetection={collisions} onDragStart={onDragStart} onDragEnd={onDragEnd} onDragCancel={() => setDragging(null)}
        accessibility={{ screenReaderInstructions: { draggable: 'Press Space to pick up the card (with the other selected cards). Arrow keys jump between columns and agents; Space drops; Escape cancels.' } }}>
        <DragSource source={source} onDescribedBy={setDescribedBy} />
        <div className="board">
          <div className="board-columns">
            {COLUMNS.map((c) => (
              <BoardColumn key={c} column={c} count={columns[c].length} dragging={dragging} verdict={verdict}>
                {columns[c].map((b) => <BeadCard key={b.id} bead={b} selected={selected.has(b.id)} onToggle={toggle} blockedBy={blockers.get(b.id)?.join(', ')}
                  isDragging={draggingIds.has(b.id)} onPress={press} describedBy={describedBy} />)}
              </BoardColumn>
            ))}
          </div>
          <aside className="roster" aria-label="Agents and rigs" data-testid="roster">
            <h2>Sling to</h2>
            <Target id="any" dragging={dragging} verdict={verdict} testId="target-any">
              <strong>Any free polecat</strong> <span className="muted">of the bead's rig</span>
            </Target>
            {rigs.map((rig) => (
              <div key={rig.name} className="roster-rig">
                <Target id={`rig:${rig.name}`} dragging={dragging} verdict={verdict} testId="target-rig" data={{ 'data-rig': rig.name }}>
                  <strong>Rig {rig.name}</strong> <span className="muted">{rig.prefix}- · {rig.working}/{rig.max ?? '?'} working</span>
                </Target>
                {agents.filter((a) => a.rig === rig.name).map((a) => <AgentTarget key={a.id} agent={a} dragging={dragging} verdict={verdict} />)}
              </div>
            ))}
            {agents.filter((a) => !a.rig || !rigs.some((r) => r.name === a.rig)).map((a) => <AgentTarget key={a.id} agent={a} dragging={dragging} verdict={verdict} />)}
          </aside>
        </div>
        <DragOverlay dropAnimation={null}>
          {dragging && dragging.length > 0 && (
            <div className="card card-overlay" data-testid="drag-overlay">
              <span className="mono">{dragging[0].id}</span> {dragging[0].title}
              {dragging.length > 1 && <span className="badge">+{dragging.length - 1}</span>}
            </div>
          )}
        </DragOverlay>
      </DndContext>
      {confirm && (
        <div className="modal-backdrop">
          <div className="modal" role="alertdialog" aria-modal="true" aria-labelledby="sling-confirm-text" data-testid="sling-confirm">
            <p id="sling-confirm-text">{confirm.confirm}</p>
            <div className="actions">
              <button autoFocus onClick={() => { const d = confirm; setConfirm(null); void actions.sling(d); }} data-testid="sling-confirm-yes">Sling anyway</button>
              <button onClick={() => setConfirm(null)}>Cancel</button>
            </div>
          </div>
        </div>
      )}
      {createOpen && <CreateBeadDialog rigs={rigs} onClose={() => actions.setCreateOpen(false)} />}
    </section>
  );
}

function targetOf(id: DropId, agents: Record<string, UiAgent>): SlingTarget {
  if (id.startsWith('agent:')) {
    const a = agents[id.slice(6)];
    return { kind: 'agent', agent: a ? { id: a.id, role: a.role, rig: a.rig, state: a.state, hook: a.hook } : { id: id.slice(6), role: 'unknown', rig: null, state: 'unknown', hook: null } };
  }
  if (id.startsWith('rig:')) return { kind: 'rig', rig: id.slice(4) };
  return { kind: 'any' };
}

interface TargetProps {
  id: DropId;
  dragging: Bead[] | null;
  verdict: (id: DropId, beads: readonly Bead[]) => Verdict;
}

function useTarget({ id, dragging, verdict }: TargetProps) {
  const { setNodeRef, isOver } = useDroppable({ id });
  const v = dragging ? verdict(id, dragging) : null;
  const cls = v ? (v.ok ? 'drop-ok' : 'drop-refused') : '';
  return { setNodeRef, isOver, v, cls: `${cls}${isOver ? ' drop-over' : ''}` };
}

function BoardColumn({ column, count, children, ...t }: { column: Column; count: number; children: ReactNode } & Omit<TargetProps, 'id'>) {
  const { setNodeRef, isOver, v, cls } = useTarget({ id: `col:${column}`, ...t });
  return (
    <div ref={setNodeRef} className={`board-column ${cls}`} data-testid="board-column" data-column={column} aria-label={COLUMN_LABELS[column]}>
      <h3>{COLUMN_LABELS[column]} <span className="muted">{count}</span></h3>
      {v && isOver && <div className={v.ok ? 'drop-why ok' : 'drop-why bad'} data-testid="drop-why">{v.reason}</div>}
      <div className="board-cards">{children}</div>
    </div>
  );
}

function Target({ children, testId, data, ...t }: TargetProps & { children: ReactNode; testId: string; data?: Record<string, string> }) {
  const { setNodeRef, isOver, v, cls } = useTarget(t);
  return (
    <div ref={setNodeRef} className={`roster-target ${cls}`} data-testid={testId} {...data} title={v?.reason}>
      {children}
      {v && (isOver || !v.ok) && <div className={v.ok ? 'drop-why ok' : 'drop-why bad'}>{v.reason}</div>}
    </div>
  );
}

function AgentTarget({ agent, ...t }: { agent: UiAgent } & Omit<TargetProps, 'id'>) {
  const state = agentState(agent);
  return (
    <Target id={`agent:${agent.id}`} {...t} testId="target-agent" data={{ 'data-agent': agent.id }}>
      <span className="mono">{agent.id}</span> <span className={`state state-${state}`}>{state}</span>
      <div className="muted mono">{agent.hook ? `hook: ${agent.hook}` : 'no hook'}</div>
    </Target>
  );
}

interface CardProps {
  bead: Bead;
  selected: boolean;
  onToggle: (id: string) => void;
  blockedBy?: string;
  isDragging: boolean;
  onPress: (id: string, el: HTMLElement, e: ReactPointerEvent | ReactKeyboardEvent, kind: 'onPointerDown' | 'onKeyDown') => void;
  describedBy: string;
}

const BeadCard = memo(function BeadCard({ bead, selected, onToggle, blockedBy, isDragging, onPress, describedBy }: CardProps) {
  const { actions } = useServices();
  return (
    <div tabIndex={0} role="button" aria-roledescription="draggable" aria-describedby={describedBy} aria-pressed={isDragging}
      onPointerDown={(e) => onPress(bead.id, e.currentTarget, e, 'onPointerDown')} onKeyDown={(e) => onPress(bead.id, e.currentTarget, e, 'onKeyDown')}
      className={`card${selected ? ' selected' : ''}${isDragging ? ' dragging' : ''}`}
      data-testid="board-card" data-bead={bead.id} data-status={bead.status} aria-label={`${bead.id} ${bead.title}`}
      onDoubleClick={() => actions.openBeadDetail(bead.id)}>
      <div className="card-head">
        <input type="checkbox" checked={selected} onChange={() => onToggle(bead.id)} onPointerDown={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()}
          aria-label={`Select ${bead.id}`} data-testid="card-select" />
        <span className="mono">{bead.id}</span>
        <span className={`prio prio-${bead.priority}`}>P{bead.priority}</span>
        <button className="link" onPointerDown={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()} onClick={() => actions.openBeadDetail(bead.id)} data-testid="card-open">Details</button>
      </div>
      <div className="card-title">{bead.title}</div>
      {bead.assignee && <div className="card-agent mono" data-testid="card-agent">{bead.assignee}</div>}
      {blockedBy && <div className="muted">blocked by {blockedBy}</div>}
    </div>
  );
});
