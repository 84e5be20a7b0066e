// OS notifications from the renderer (the Web Notifications API: in a browser, and in Electron's
// window, where it shows a native notification): an agent starts waiting for input, an escalation
// arrives, a merge request is rejected or conflicts, a convoy lands, a budget alert comes (unless
// its `notify` is false: do-not-disturb). Notices within GROUP_MS are grouped; a click focuses the
// window and opens the inbox at that item. While do-not-disturb is on, nothing is shown (the inbox
// still lists everything).
import type { AppServices } from '../app-context.tsx';
import { budgetItem, deriveInbox } from '../../preload/requests/ui-inbox.ts';
import { groupNotices, newKeys, type Notice } from '../state/notification-groups.ts';
import { dndActive } from '../state/cost-slice.ts';

const GROUP_MS = 1500;
const NOTIFY_KINDS = new Set(['waiting', 'escalation', 'merge-conflict', 'merge-rejected', 'crashed']);

export function startNotifier({ store, actions }: AppServices): void {
  const seen = new Set<string>();
  let primed = false;
  let waiting: Notice[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastConvoySeq = 0;

  // Leading edge: the first notice shows at once; what follows within GROUP_MS is shown as one group.
  const show = (): void => {
    const group = groupNotices(waiting);
    waiting = [];
    if (!group || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    if (dndActive(store.getState().controls, Date.now())) return;
    const n = new Notification(group.title, { body: group.body, tag: group.open });
    n.onclick = () => {
      window.focus();
      actions.setView('inbox');
      requestAnimationFrame(() => document.querySelector(`[data-inbox-key="${CSS.escape(group.open)}"]`)?.scrollIntoView());
    };
  };
  const endWindow = (): void => {
    timer = null;
    if (waiting.length) {
      show();
      timer = setTimeout(endWindow, GROUP_MS);
    }
  };
  const queue = (n: Notice): void => {
    waiting.push(n);
    if (timer) return;
    show();
    timer = setTimeout(endWindow, GROUP_MS);
  };

  if (typeof Notification !== 'undefined' && Notification.permission === 'default') void Notification.requestPermission().catch(() => undefined);

  // Budget alerts arrive as events (never in a snapshot): each new one notifies, if its flag says so.
  store.subscribe((s, prev) => {
    if (s.cost.alerts === prev.cost.alerts) return;
    const known = new Set(prev.cost.alerts);
    for (const a of s.cost.alerts) {
      if (known.has(a) || !a.notify) continue;
      const item = budgetItem(a);
      if (!s.dismissed[item.key]) queue({ key: item.key, title: item.title, body: item.detail });
    }
  });

  store.subscribe((s, prev) => {
    if (s.load.state !== 'ready') return;
    if (s.agents === prev.agents && s.beads === prev.beads && s.dismissed === prev.dismissed && s.feed === prev.feed && primed) return;
    const items = deriveInbox({ beads: s.beads.beads, agents: s.agents, dismissed: s.dismissed });
    const fresh = new Set(newKeys(seen, items.map((i) => i.key)));
    if (!primed) {
      primed = true;
      lastConvoySeq = s.feed[0]?.seq ?? 0;
      return;
    }
    for (const item of items) if (fresh.has(item.key) && NOTIFY_KINDS.has(item.kind)) queue({ key: item.key, title: item.title, body: item.detail });
    for (const e of s.feed) {
      if (e.seq <= lastConvoySeq) break;
      if (e.kind === 'convoy') queue({ key: `convoy:${e.seq}`, title: 'Convoy landed', body: e.text });
    }
    lastConvoySeq = s.feed[0]?.seq ?? lastConvoySeq;
  });
}
