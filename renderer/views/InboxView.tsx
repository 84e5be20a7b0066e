// The inbox: everything that needs a human, most urgent and newest first. From an item: answer
// (type into that agent's terminal without leaving), open its terminal, nudge, restart, acknowledge.
import { useState } from 'react';
import { useServices, useTown } from '../app-context.tsx';
import { useInbox } from '../shell/use-inbox.ts';
import type { InboxItem } from '../../preload/requests/ui-inbox.ts';
import { since } from './format.ts';

function InboxRow({ item }: { item: InboxItem }) {
  const { actions, terminals } = useServices();
  const excerpt = useTown((s) => (item.terminal ? s.screens[item.terminal] : undefined));
  const [answer, setAnswer] = useState('');
  const open = (): void => {
    if (!item.terminal) return;
    actions.focusTerminal(item.terminal);
    requestAnimationFrame(() => requestAnimationFrame(() => terminals.focus(item.terminal!)));
  };
  const acknowledge = (): void => {
    if (item.kind === 'escalation' && item.bead) void actions.acknowledgeEscalation(item.bead);
    actions.dismiss(item.key);
  };
  return (
    <li className={`inbox-item kind-${item.kind}`} data-testid="inbox-item" data-inbox-key={item.key} data-kind={item.kind} data-agent={item.agent ?? ''}>
      <div className="inbox-head">
        <strong>{item.title}</strong>
        <span className="muted">{since(item.at)}</span>
      </div>
      <div className="inbox-detail">{item.detail}</div>
      {item.kind === 'waiting' && excerpt && <pre className="excerpt" data-testid="inbox-excerpt">{excerpt.join('\n')}</pre>}
      <div className="actions">
        {item.kind === 'waiting' && item.terminal && (
          <form onSubmit={(e) => { e.preventDefault(); void actions.answer(item.terminal!, `${answer}\r`); setAnswer(''); }}>
            <input value={answer} onChange={(e) => setAnswer(e.target.value)} placeholder="Answer" aria-label={`Answer ${item.agent}`} data-testid="inbox-answer" />
            <button type="submit">Send</button>
          </form>
        )}
        {item.kind === 'approval' && item.bead && <button onClick={() => { void actions.approveGate(item.bead!); actions.dismiss(item.key); }} data-testid="inbox-approve">Approve</button>}
        {item.terminal && <button onClick={open}>Open terminal</button>}
        {item.agent && item.kind !== 'escalation' && <button onClick={() => { const m = prompt(`Nudge ${item.agent}`); if (m) void actions.nudge(item.agent!, m); }}>Nudge</button>}
        {item.agent && (item.kind === 'crashed' || item.kind === 'stuck' || item.kind === 'waiting') && <button onClick={() => void actions.restart(item.agent!)}>Restart</button>}
        <button onClick={acknowledge} data-testid="inbox-ack">{item.kind === 'escalation' ? 'Acknowledge' : 'Dismiss'}</button>
      </div>
    </li>
  );
}

export function InboxView() {
  const items = useInbox();
  return (
    <section className="panel" data-testid="inbox-view">
      <h2>Inbox ({items.length})</h2>
      {items.length === 0 ? <p className="muted">Nothing needs you right now.</p> : (
        <ul className="inbox">{items.map((i) => <InboxRow key={i.key} item={i} />)}</ul>
      )}
    </section>
  );
}
