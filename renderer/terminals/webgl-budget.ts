// Which terminals may hold a WebGL context: at most `cap`, the most recently seen. Pure.
// Invariant: `grant` never leaves more than `cap` holders; the ones it evicts are the least
// recently seen, and the caller moves them back to the DOM renderer.

export class WebglBudget {
  /** Holders, least recently seen first. */
  private readonly holders: string[] = [];

  constructor(readonly cap: number) {}

  /** Marks `id` as seen now; returns whether it may hold a context and who must give theirs up. */
  grant(id: string): { granted: boolean; evict: string[] } {
    const at = this.holders.indexOf(id);
    if (at >= 0) this.holders.splice(at, 1);
    this.holders.push(id);
    const evict: string[] = [];
    while (this.holders.length > this.cap) evict.push(this.holders.shift()!);
    return { granted: this.cap > 0, evict };
  }

  release(id: string): void {
    const at = this.holders.indexOf(id);
    if (at >= 0) this.holders.splice(at, 1);
  }

  get size(): number {
    return this.holders.length;
  }
}
