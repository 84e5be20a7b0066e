// Which OS notifications to show for new inbox items and landed convoys: new ones only (never for
// what was there at load), several within a short window grouped into one. Pure (time passed in).

export interface Notice {
  key: string;
  title: string;
  body: string;
}

export interface NoticeGroup {
  title: string;
  body: string;
  /** The notice a click opens (the newest). */
  open: string;
  keys: string[];
}

/** Keys of `current` not in `seen`; updates `seen` (items that went away may notify again if they return). */
export function newKeys(seen: Set<string>, current: readonly string[]): string[] {
  const fresh = current.filter((k) => !seen.has(k));
  seen.clear();
  for (const k of current) seen.add(k);
  return fresh;
}

export function groupNotices(notices: readonly Notice[]): NoticeGroup | null {
  if (!notices.length) return null;
  const newest = notices[notices.length - 1];
  if (notices.length === 1) return { title: newest.title, body: newest.body, open: newest.key, keys: [newest.key] };
  return {
    title: `Gas Town: ${notices.length} things need you`,
    body: notices.slice(-4).map((n) => n.title).join('\n'),
    open: newest.key,
    keys: notices.map((n) => n.key),
  };
}
