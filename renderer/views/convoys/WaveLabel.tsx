// The wave badge on a convoy graph node: "Wave K/N" on a bead of a staged convoy, "staged · N
// waves" on the staged convoy itself (labels from graph-waves.ts). Nothing when there is no label.
export function WaveLabel({ text }: { text: string | null | undefined }) {
  if (!text) return null;
  const convoy = text.startsWith('staged');
  return <span className={`graph-wave${convoy ? ' graph-wave-staged' : ''}`} data-testid="graph-wave">{text}</span>;
}
