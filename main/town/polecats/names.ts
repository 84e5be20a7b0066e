// Polecat names come from a themed pool (as in Gas Town); past its end, numbered names.
export const POLECAT_NAMES = [
  'furiosa', 'nux', 'slit', 'rictus', 'capable', 'toast', 'cheedo', 'dag', 'angharad', 'keeper',
  'valkyrie', 'ace', 'morsov', 'corpus', 'immortan', 'scrotus', 'dementus', 'praetorian', 'jack', 'goose',
  'fifi', 'toecutter', 'bubba', 'johnny', 'nightrider', 'mudguts', 'cundalini', 'starbuck', 'gutgash', 'bullet',
  'organic', 'vuvalini', 'miss', 'glory', 'coil', 'warboy', 'lancer', 'imperator', 'doof', 'citadel',
  'gastown', 'bulletfarm', 'rockrider', 'buzzard', 'scavenger', 'dogman', 'pissboy', 'fang', 'wasteland', 'rig',
].filter((n) => n !== 'pissboy');

/** The first pool name nobody in `taken` has; then polecat-51, polecat-52… */
export function nextPolecatName(taken: Iterable<string>): string {
  const used = new Set(taken);
  for (const n of POLECAT_NAMES) if (!used.has(n)) return n;
  for (let i = POLECAT_NAMES.length + 1; ; i++) if (!used.has(`polecat-${i}`)) return `polecat-${i}`;
}
