// How many columns the terminal grid has. Pure.

/** Columns for n cells in a box this wide: near-square, at least ~360 px a column. */
export function gridColumns(n: number, width: number): number {
  if (n <= 1) return 1;
  const byWidth = Math.max(1, Math.floor(width / 360));
  return Math.max(1, Math.min(byWidth, Math.ceil(Math.sqrt(n))));
}
