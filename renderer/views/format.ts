// Small display helpers shared by the views. Pure.

/** "12s", "5m", "3h", "2d" since `at` (epoch ms); '' when unknown. */
export function since(at: number, now = Date.now()): string {
  if (!at) return '';
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

export function agentState(a: { state: string; live: { state: string } | null }): string {
  return a.live?.state ?? a.state;
}
