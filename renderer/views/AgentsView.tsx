// Every agent with role, rig, state (and why), hook, session, since, cost (total, today, burn); and its actions.
import { useMemo, useState } from 'react';
import { useServices, useTown } from '../app-context.tsx';
import type { UiAgent } from '../../preload/requests/ui.ts';
import { agentState, since } from './format.ts';
import { selectAgentCost } from '../state/cost-slice.ts';
import { burnText, costText, formatDollars, unpricedNote } from './cost-format.ts';

function AgentRow({ agent }: { agent: UiAgent }) {
  const { actions, terminals } = useServices();
  const [nudging, setNudging] = useState(false);
  const [message, setMessage] = useState('');
  const cost = useTown((s) => selectAgentCost(s, agent.id));
  const terminal = agent.session?.terminal ?? null;
  const state = agentState(agent);
  const open = (): void => {
    if (!terminal) return;
    actions.focusTerminal(terminal);
    requestAnimationFrame(() => requestAnimationFrame(() => terminals.focus(terminal)));
  };
  return (
    <tr data-agent={agent.id}>
      <td className="mono">{agent.id}</td>
      <td>{agent.role}</td>
      <td>{agent.rig ?? '—'}</td>
      <td><span className={`state state-${state}`}>{state}</span> <span className="muted">{agent.live?.reason ?? ''}</span></td>
      <td className="mono">{agent.hook ?? '—'}</td>
      <td className="mono">{terminal ? `pid ${agent.session!.pid}` : 'no session'}</td>
      <td>{since(agent.live?.since ?? (agent.session ? Date.parse(agent.session.startedAt) : 0))}</td>
      <td className="mono" data-testid="agent-cost" title={cost ? unpricedNote(cost.total) || `today ${formatDollars(cost.today)}` : 'no usage recorded'}>
        {cost ? costText(cost.total) : '—'}
      </td>
      <td className="mono" data-testid="agent-burn" title="Burn rate over the last 5 / 60 minutes">{cost ? `${burnText(cost.burn5)} · ${burnText(cost.burn60)}` : '—'}</td>
      <td className="actions">
        <button disabled={!terminal} onClick={open}>Attach</button>
        {nudging ? (
          <form onSubmit={(e) => { e.preventDefault(); if (message.trim()) void actions.nudge(agent.id, message.trim()); setNudging(false); setMessage(''); }}>
            <input autoFocus value={message} onChange={(e) => setMessage(e.target.value)} placeholder="Nudge message" aria-label="Nudge message" />
            <button type="submit">Send</button>
          </form>
        ) : (
          <button disabled={!terminal} onClick={() => setNudging(true)}>Nudge</button>
        )}
        <button onClick={() => void actions.restart(agent.id)}>Restart</button>
        <button onClick={() => { const note = prompt(`Handoff note for ${agent.id}`); if (note !== null) void actions.handoff(agent.id, note); }}>Handoff</button>
        {agent.role === 'polecat' && (
          <button className="danger" onClick={() => { if (confirm(`Remove ${agent.id}? Its worktree goes; unmerged branches stay.`)) void actions.remove(agent.id, false); }}>Remove</button>
        )}
      </td>
    </tr>
  );
}

export function AgentsView() {
  const agentMap = useTown((s) => s.agents);
  const agents = useMemo(() => Object.values(agentMap).sort((a, b) => a.id.localeCompare(b.id)), [agentMap]);
  return (
    <section className="panel" data-testid="agents-view">
      <h2>Agents ({agents.length})</h2>
      {agents.length === 0 ? <p className="muted">No agents yet: add a rig and sling work to it (gt rig add, gt sling).</p> : (
        <table className="table">
          <thead><tr><th>Agent</th><th>Role</th><th>Rig</th><th>State</th><th>Hook</th><th>Session</th><th>Since</th><th>Cost</th><th>Burn 5 · 60 min</th><th /></tr></thead>
          <tbody>{agents.map((a) => <AgentRow key={a.id} agent={a} />)}</tbody>
        </table>
      )}
    </section>
  );
}
