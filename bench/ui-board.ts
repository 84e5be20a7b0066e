// Board with 1,000 beads: frame times while dragging a card across the columns and the roster,
// against frame times while idle, in the same run (Chromium, real `gt serve`, real mouse events).
//   npx tsx bench/ui-board.ts [beads=1000] [seconds=8]
// Goal: 60 fps while dragging (≈16.7 ms frames). Prints p50 / p95 / max frame time per phase and the
// drag/idle ratios; asserts nothing about time.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, openUi, startUiTown, waitFor } from '../test/e2e/ui-page.ts';

const BEADS = Number(process.argv[2] ?? 1000);
const SECONDS = Number(process.argv[3] ?? 8);
const STATUSES = ['open', 'open', 'blocked', 'in_progress', 'closed'] as const;

const town = await startUiTown();
const browser = await launchChromium();
const scratch = mkdtempSync(join(tmpdir(), 'ui-board-bench-'));
try {
  const now = new Date().toISOString();
  const lines = Array.from({ length: BEADS }, (_, i) => JSON.stringify({
    id: `hq-bench${i}`, title: `Bench bead ${i}: a title of a realistic length for a card`, description: 'bench',
    status: STATUSES[i % STATUSES.length], priority: i % 5, issue_type: 'task', created_at: now, updated_at: now,
    ...(STATUSES[i % STATUSES.length] === 'closed' ? { closed_at: now } : {}),
  }));
  const file = join(scratch, 'beads.jsonl');
  writeFileSync(file, lines.join('\n') + '\n');
  const imported = await town.gt(['import', file]);
  if (imported.code !== 0) throw new Error(`gt import: ${imported.stderr}`);

  const page = await openUi(browser, town.url);
  await page.getByTestId('nav-board').click();
  await waitFor(`${BEADS} cards`, async () => (await page.getByTestId('board-card').count()) >= BEADS, 60_000, 200);
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__record = false;
    let last = performance.now();
    const tick = (t) => { if (window.__record) window.__frames.push([t, t - last]); last = t; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  })()`);
  /** Frames of a phase as [time, duration] (page clock, ms). */
  const phase = async (name: string, during: (until: number) => Promise<void>): Promise<Array<[number, number]>> => {
    await page.evaluate('window.__frames = []; window.__record = true');
    await during(Date.now() + SECONDS * 1000);
    const frames = (await page.evaluate('window.__record = false; window.__frames')) as Array<[number, number]>;
    console.log(`# ${name}: ${frames.length} frames`);
    return frames;
  };
  let pickedUpAt = 0;

  const idle = await phase('idle', async (until) => { while (Date.now() < until) await new Promise((r) => setTimeout(r, 100)); });

  const first = page.locator('[data-testid="board-column"][data-column="ready"] [data-testid="board-card"] .card-title').first();
  const start = (await first.boundingBox())!;
  const targets = await page.evaluate(`[...document.querySelectorAll('[data-testid="board-column"], [data-testid^="target-"]')].map((e) => { const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + Math.min(r.height / 2, 80)]; })`) as Array<[number, number]>;
  let moves = 0;
  const dragging = await phase('dragging', async (until) => {
    await page.mouse.move(start.x + start.width / 2, start.y + start.height / 2);
    await page.mouse.down();
    await page.mouse.move(start.x + start.width / 2 + 10, start.y + start.height / 2 + 10, { steps: 4 });
    await page.getByTestId('drag-overlay').waitFor();
    pickedUpAt = (await page.evaluate('performance.now()')) as number;
    let i = 0;
    let at = { x: start.x + start.width / 2 + 10, y: start.y + start.height / 2 + 10 };
    while (Date.now() < until) {
      // Over every column and roster target in turn, in small steps (one mouse event each).
      const [tx, ty] = targets[i++ % targets.length];
      for (let s = 1; s <= 12 && Date.now() < until; s++) {
        await page.mouse.move(at.x + ((tx - at.x) * s) / 12, at.y + ((ty - at.y) * s) / 12);
        moves++;
      }
      at = { x: tx, y: ty };
    }
    // Cancel: nothing is written.
    await page.keyboard.press('Escape');
    await page.mouse.up();
  });

  const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
  const row = (name: string, xs: number[]): string =>
    `${name.padEnd(9)} p50 ${pct(xs, 50).toFixed(1)} ms  p95 ${pct(xs, 95).toFixed(1)} ms  max ${Math.max(...xs).toFixed(1)} ms  frames > 50 ms: ${xs.filter((x) => x > 50).length}  (${(1000 / pct(xs, 50)).toFixed(0)} fps at p50)`;
  console.log(`board with ${BEADS} beads, ${SECONDS} s per phase, ${moves} mouse moves while dragging over ${targets.length} targets`);
  const idleMs = idle.map(([, d]) => d);
  const dragMs = dragging.map(([, d]) => d);
  // The pick-up (the board re-renders once, dnd-kit measures its targets) apart from the drag itself.
  const steady = dragging.filter(([t]) => t > pickedUpAt + 500).map(([, d]) => d);
  const pickup = dragging.filter(([t]) => t <= pickedUpAt + 500).map(([, d]) => d);
  console.log(row('idle', idleMs));
  console.log(row('dragging', dragMs));
  console.log(row('steady', steady) + '   (from 0.5 s after the pick-up)');
  console.log(`pick-up: longest frame ${Math.max(...pickup).toFixed(1)} ms`);
  console.log(`dragging / idle: p50 ${(pct(dragMs, 50) / pct(idleMs, 50)).toFixed(2)}x  p95 ${(pct(dragMs, 95) / pct(idleMs, 95)).toFixed(2)}x; steady / idle p95 ${(pct(steady, 95) / pct(idleMs, 95)).toFixed(2)}x  (goal: 60 fps, p95 ≈ 16.7 ms)`);
} finally {
  await browser.close();
  await town.cleanup();
  rmSync(scratch, { recursive: true, force: true });
}
