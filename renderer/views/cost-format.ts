// How dollars, burn rates, unknown prices, controls and a spend series are shown. Pure.
//
// Invariants:
// - Tokens of a model with no price are never shown as $0: a total whose calls are all unpriced
//   reads "price unknown", one with some unpriced calls reads "$X + price unknown" (X a lower bound).
// - The sparkline's path always spans the full width (one point per bucket, empty buckets at 0).
import type { ControlsState, CostSeriesPoint, CostTotals } from '../../preload/requests/cost-types.ts';

/** "$0.00", "$0.0042" (under a cent), "$12.34", "$1,234". */
export function formatDollars(n: number): string {
  const sign = n < 0 ? '-' : '';
  const v = Math.abs(n);
  if (v === 0) return '$0.00';
  if (v < 0.01) return `${sign}$${v.toFixed(4)}`;
  if (v < 1000) return `${sign}$${v.toFixed(2)}`;
  return `${sign}$${Math.round(v).toLocaleString('en-US')}`;
}

/** A total as text: dollars, with "price unknown" for tokens of models without a price. */
export function costText(t: CostTotals): string {
  if (t.unpricedTokens <= 0) return formatDollars(t.cost);
  if (t.cost === 0 && pricedTokens(t) <= 0) return 'price unknown';
  return `${formatDollars(t.cost)} + price unknown`;
}

/** The tooltip of a total with unknown prices: how many tokens, of which models. */
export function unpricedNote(t: CostTotals): string {
  if (t.unpricedTokens <= 0) return '';
  return `${t.unpricedTokens.toLocaleString('en-US')} tokens of ${t.unpricedModels.join(', ') || 'unknown models'} have no price: not counted in dollars`;
}

function pricedTokens(t: CostTotals): number {
  return t.input + t.output + t.cacheWrite + t.cacheRead - t.unpricedTokens;
}

/** "$1.20/h". */
export const burnText = (perHour: number): string => `${formatDollars(perHour)}/h`;

/** The status bar's line about controls: e-stop, parked rigs, do-not-disturb, budget pauses; '' when none is on. */
export function controlsText(c: ControlsState, now: number): string {
  const parts: string[] = [];
  if (c.estop) parts.push('E-STOPPED');
  if (c.parkedRigs.length) parts.push(`parked: ${c.parkedRigs.join(', ')}`);
  if (c.dndUntil && c.dndUntil > now) parts.push(`do not disturb until ${clock(c.dndUntil)}`);
  if (c.budgetPaused.length) parts.push(`budget paused: ${c.budgetPaused.join(', ')}`);
  return parts.join(' · ');
}

/** "14:05" in the local time zone. */
export function clock(at: number): string {
  const d = new Date(at);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** An SVG path of spend per bucket in a width × height box (y grows down; the highest bucket touches the top). */
export function sparklinePath(points: readonly CostSeriesPoint[], width: number, height: number): string {
  if (points.length === 0) return `M0 ${height} L${width} ${height}`;
  const max = Math.max(...points.map((p) => p.cost));
  const step = points.length > 1 ? width / (points.length - 1) : 0;
  const y = (c: number): number => (max > 0 ? height - (c / max) * height : height);
  const coords = points.map((p, i) => `${round(i * step)} ${round(y(p.cost))}`);
  if (points.length === 1) coords.push(`${width} ${round(y(points[0].cost))}`);
  return `M${coords.join(' L')}`;
}

const round = (v: number): number => Math.round(v * 10) / 10;
