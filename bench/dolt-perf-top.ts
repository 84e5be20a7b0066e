// Where a running `dolt sql-server` spends its CPU over a window of a bench, from a Linux `perf`
// recording: Dolt's release binary is stripped of ELF symbols, so perf names nothing, but a Go
// binary keeps its own symbol table, which `go tool addr2line` reads. `dolt --prof cpu` covers a
// server's whole life; this covers any window (minute 1 against minute 5 of a swarm run).
//   perf record -F 99 -g -p <dolt pid> -o /tmp/dolt.data -- sleep 30      (during the bench)
//   npx tsx bench/dolt-perf-top.ts /tmp/dolt.data [top=30] [dolt binary]
// Prints the share of samples by function: self (the sampled frame) and inclusive (anywhere on the
// stack, caller frames looked up one byte before their return address). Go's collector shows as
// runtime.gcBgMarkWorker / gcDrain / gcAssistAlloc (inclusive).
import { execFileSync } from 'node:child_process';
import { findDolt } from '../main/ledger/dolt-locate.ts';

const [data, topArg, binaryArg] = process.argv.slice(2);
if (!data) throw new Error('usage: npx tsx bench/dolt-perf-top.ts <perf.data> [top] [dolt binary]');
const TOP = Number(topArg ?? 30);
const binary = binaryArg ?? findDolt()?.path;
if (!binary) throw new Error('no dolt binary found: pass its path');
/** Where the binary's text is mapped: perf reports addresses in a stripped binary as file offsets. */
const TEXT_BASE = 0x400000;

// perf script: one sample per blank-line-separated block, the sampled frame first.
const script = execFileSync('perf', ['script', '-i', data, '-F', 'ip,dso'], { encoding: 'utf8', maxBuffer: 1 << 30 });
type Frame = { address: number; inDolt: boolean; dso: string };
const samples: Frame[][] = [];
let current: Frame[] = [];
for (const line of script.split('\n')) {
  const text = line.trim();
  if (!text) {
    if (current.length) samples.push(current);
    current = [];
    continue;
  }
  const [ip, dso = ''] = text.split(/\s+/);
  current.push({ address: Number.parseInt(ip, 16) + TEXT_BASE, inDolt: dso.includes('dolt'), dso });
}
if (current.length) samples.push(current);

// A caller's frame holds its return address: the call is the byte before it.
const lookup = (f: Frame, depth: number) => f.address - (depth ? 1 : 0);
const addresses = [...new Set(samples.flatMap((s) => s.flatMap((f, i) => (f.inDolt ? [lookup(f, i)] : []))))];
const lines = execFileSync('go', ['tool', 'addr2line', binary], { input: `${addresses.map((a) => `0x${a.toString(16)}`).join('\n')}\n`, encoding: 'utf8', maxBuffer: 1 << 30 }).split('\n');
const names = new Map(addresses.map((a, i) => [a, lines[2 * i].replace('github.com/dolthub/', '')]));
const nameOf = (f: Frame, depth: number) => (f.inDolt ? names.get(lookup(f, depth)) ?? '?' : f.dso);

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const s of samples) {
  const leaf = nameOf(s[0], 0);
  self.set(leaf, (self.get(leaf) ?? 0) + 1);
  for (const name of new Set(s.map((f, i) => nameOf(f, i)))) inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
}
const print = (title: string, counts: Map<string, number>) => {
  console.log(title);
  for (const [name, n] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`  ${((100 * n) / samples.length).toFixed(1).padStart(5)}%  ${name}`);
};
console.log(`${samples.length} samples from ${data}`);
print('self:', self);
print('inclusive:', inclusive);
const gc = samples.filter((s) => s.some((f, i) => /^runtime\.(gcBgMarkWorker|gcAssistAlloc|bgsweep|bgscavenge)$/.test(nameOf(f, i)))).length;
console.log(`Go's collector (background marking, assists, sweeping, scavenging): ${((100 * gc) / samples.length).toFixed(1)}% of samples`);
