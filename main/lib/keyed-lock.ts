// Serialises async work per key inside one process (ledger writes to one bead, one sling per bead,
// one `gt done` per agent, one rig add at a time). Compare-and-set and retries guard against other
// processes; this lock only keeps our own concurrent calls from racing each other.
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(fn);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}
