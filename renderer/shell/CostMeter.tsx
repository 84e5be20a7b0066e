// The status bar's cost meter: town total, today, burn rate over 5 and 60 minutes, and a sparkline
// of spend over the last hours. Tokens of models without a price read "price unknown", never $0.
import { useTown } from '../app-context.tsx';
import { selectBurn5, selectBurn60, selectSeries, selectToday, selectTownTotal } from '../state/cost-slice.ts';
import { SERIES_BUCKET_MINUTES, SERIES_WINDOW_MS } from '../state/town-store.ts';
import { burnText, costText, formatDollars, sparklinePath, unpricedNote } from '../views/cost-format.ts';

const SPARK_W = 80;
const SPARK_H = 14;

function Sparkline() {
  const series = useTown(selectSeries);
  if (series.length === 0) return null;
  const peak = Math.max(...series.map((p) => p.cost));
  const title = `Spend per ${SERIES_BUCKET_MINUTES} min over the last ${SERIES_WINDOW_MS / 3_600_000} h (peak ${formatDollars(peak)})`;
  return (
    <svg className="sparkline" width={SPARK_W} height={SPARK_H} viewBox={`0 0 ${SPARK_W} ${SPARK_H}`} role="img" aria-label={title} data-testid="cost-sparkline">
      <title>{title}</title>
      <path d={sparklinePath(series, SPARK_W, SPARK_H)} fill="none" stroke="currentColor" strokeWidth="1.2" />
    </svg>
  );
}

export function CostMeter() {
  const total = useTown(selectTownTotal);
  const today = useTown(selectToday);
  const burn5 = useTown(selectBurn5);
  const burn60 = useTown(selectBurn60);
  if (!total || !today || burn5 === null || burn60 === null) return <span className="muted" data-testid="cost-meter">cost …</span>;
  const note = unpricedNote(total);
  return (
    <span className="cost-meter" data-testid="cost-meter" title={note || 'Town spend: total, today (UTC), burn rate over 5 and 60 minutes'}>
      <span data-testid="cost-total" className={total.unpricedTokens > 0 ? 'unpriced' : ''}>{costText(total)}</span>
      <span className="muted"> · today </span><span data-testid="cost-today">{costText(today)}</span>
      <span className="muted"> · </span><span data-testid="cost-burn" title="Burn rate over the last 5 / 60 minutes">{burnText(burn5)} <span className="muted">(60 min {burnText(burn60)})</span></span>
      {' '}<Sparkline />
    </span>
  );
}
