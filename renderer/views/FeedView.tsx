// The town's live activity: bead changes with their author, work events, merge queue events;
// filtered by kind and searched by words.
import { useDeferredValue, useMemo, useState } from 'react';
import { useTown } from '../app-context.tsx';
import { FEED_KINDS, filterFeed, type FeedKind } from '../state/feed-entries.ts';

const SHOWN = 500;

export function FeedView() {
  const feed = useTown((s) => s.feed);
  const [kinds, setKinds] = useState<ReadonlySet<FeedKind>>(new Set(FEED_KINDS));
  const [search, setSearch] = useState('');
  const query = useDeferredValue(search);
  const entries = useMemo(() => filterFeed(feed, kinds, query).slice(0, SHOWN), [feed, kinds, query]);
  const toggle = (k: FeedKind): void => {
    const next = new Set(kinds);
    if (next.has(k)) next.delete(k);
    else next.add(k);
    setKinds(next);
  };
  return (
    <section className="panel" data-testid="feed-view">
      <h2>Feed</h2>
      <div className="filters">
        {FEED_KINDS.map((k) => (
          <label key={k}><input type="checkbox" checked={kinds.has(k)} onChange={() => toggle(k)} /> {k}</label>
        ))}
        <input type="search" placeholder="Search" value={search} onChange={(e) => setSearch(e.target.value)} aria-label="Search the feed" data-testid="feed-search" />
      </div>
      {entries.length === 0 ? <p className="muted">No activity since this page loaded{feed.length ? ' matches' : ''}.</p> : (
        <ol className="feed" data-testid="feed-list">
          {entries.map((e) => (
            <li key={e.seq} data-kind={e.kind}>
              <time className="muted">{new Date(e.at).toLocaleTimeString()}</time>
              <span className={`tag tag-${e.kind}`}>{e.kind}</span>
              <span className="mono author">{e.author}</span>
              <span>{e.text}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
