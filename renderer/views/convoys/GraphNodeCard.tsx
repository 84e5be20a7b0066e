// One node of the convoy graph: a convoy (with its progress), a molecule (its steps' progress), a
// step or a bead (status, priority, agent when hooked, merge request, cost so far).
import { memo } from 'react';
import { Handle, Position, useStore, type Node, type NodeProps } from '@xyflow/react';
import type { GraphNode } from './graph-model.ts';
import { costText } from '../cost-format.ts';
import { WaveLabel } from './WaveLabel.tsx';

/** `wave`: the node's staged-convoy wave label (graph-waves.ts), if any. */
export type GraphFlowNode = Node<{ node: GraphNode; wave?: string | null }, 'bead'>;

/** Below this zoom a node is drawn as a coloured box without text: text too small to read costs the
 *  most to paint (1,000 nodes of it made every frame take seconds on a busy machine). */
export const DETAIL_ZOOM = 0.4;
const farAway = (s: { transform: [number, number, number] }): boolean => s.transform[2] < DETAIL_ZOOM;

function Progress({ p }: { p: { closed: number; total: number } }) {
  const ratio = p.total ? p.closed / p.total : 0;
  return (
    <div className="graph-progress" title={`${p.closed} of ${p.total} closed`} data-testid="graph-progress">
      <div className="graph-progress-bar" style={{ width: `${Math.round(ratio * 100)}%` }} />
      <span>{p.closed}/{p.total}</span>
    </div>
  );
}

function GraphNodeCardImpl({ data }: NodeProps<GraphFlowNode>) {
  const n = data.node;
  const far = useStore(farAway);
  if (far) {
    return (
      <div className={`graph-node graph-node-far graph-${n.kind} status-${n.status}`} data-testid="graph-node" data-bead={n.id} data-status={n.status} data-kind={n.kind} title={`${n.id} P${n.priority} ${n.title} (${n.status.replace('_', ' ')}${n.agent ? `, ${n.agent}` : ''})`}>
        <Handle type="target" position={Position.Left} isConnectable={false} />
        <Handle type="source" position={Position.Right} isConnectable={false} />
      </div>
    );
  }
  return (
    <div className={`graph-node graph-${n.kind} status-${n.status}`} data-testid="graph-node" data-bead={n.id} data-status={n.status} data-kind={n.kind}>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="graph-node-head">
        <span className="mono">{n.id}</span>
        {n.kind !== 'convoy' && <span className="graph-priority">P{n.priority}</span>}
        <span className="graph-status" data-testid="graph-status">{n.status.replace('_', ' ')}</span>
      </div>
      <div className="graph-title" title={n.title}>{n.kind === 'molecule' ? '⛓ ' : ''}{n.title}</div>
      <div className="graph-node-foot">
        <WaveLabel text={data.wave} />
        {n.progress && <Progress p={n.progress} />}
        {n.agent && <span className="graph-agent" title="hooked by">{n.agent}</span>}
        {n.mergeRequest && <span className={`graph-mr phase-${n.mergeRequest.phase}`} title={`merge request ${n.mergeRequest.id}`}>MR {n.mergeRequest.phase}</span>}
        {n.cost && <span className="graph-cost" data-testid="graph-cost">{costText(n.cost)}</span>}
      </div>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

export const GraphNodeCard = memo(GraphNodeCardImpl);
