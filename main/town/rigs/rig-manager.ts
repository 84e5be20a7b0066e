// Adds, lists, shows and removes rigs. A rig is its folders (bare repo, canonical clone, worktrees)
// plus its bead in the ledger; add creates both or neither. The rigs' beads are held in memory
// (bead-mirror.ts): loaded by one ledger read, kept by this manager's writes and the feed's commits.
import { existsSync, rmSync } from 'node:fs';
import { TownError } from '../../../preload/contract.ts';
import type { ArgsOut } from '../../../preload/contract.ts';
import type { RigInfo } from '../../../preload/requests/work-types.ts';
import type { BeadFeedEvent } from '../../../preload/types.ts';
import { BeadMirror, NOT_CLOSED } from '../bead-mirror.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import { KeyedLock } from '../../lib/keyed-lock.ts';
import { createRigRepos, resolveSource } from './rig-git.ts';
import { rigPaths } from './rig-paths.ts';
import { DEFAULT_MAX_POLECATS, RIG_LABEL, rigFromBead, rigsOf, type RigRecord } from './rig-store.ts';

export interface RigManagerOptions {
  ledger: Ledger;
  townRoot: string;
  /** The town's own bead prefix (hq): no rig may take it. */
  townPrefix: string;
  /** Runtime names this town knows, to refuse a typo at add time. */
  runtimeExists: (name: string) => boolean;
}

/** A prefix from the rig's name: its first letters and digits, at most 4. */
export function defaultPrefix(name: string): string {
  const letters = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return letters.slice(0, Math.min(4, letters.length)) || 'rig';
}

export class RigManager {
  private readonly lock = new KeyedLock();
  private readonly mirror: BeadMirror;
  constructor(private readonly o: RigManagerOptions) {
    this.mirror = new BeadMirror(() => o.ledger.list({ type: 'rig', label: RIG_LABEL, statuses: NOT_CLOSED }), (b) => b.type === 'rig');
  }

  async list(): Promise<RigInfo[]> {
    return rigsOf(await this.mirror.beads((b) => b.labels.includes(RIG_LABEL)), this.o.townRoot);
  }

  /** A commit the town's feed delivered (any writer's). */
  onFeed(event: BeadFeedEvent): void {
    this.mirror.onFeed(event);
  }

  async get(name: string): Promise<RigInfo> {
    const rig = (await this.list()).find((r) => r.name === name);
    if (!rig) throw new TownError('not_found', `no rig ${name} (see \`gt rig list\`)`);
    return rig;
  }

  async find(name: string): Promise<RigInfo | null> {
    return (await this.list()).find((r) => r.name === name) ?? null;
  }

  async byPrefix(prefix: string): Promise<RigInfo | null> {
    return (await this.list()).find((r) => r.prefix === prefix) ?? null;
  }

  add(args: ArgsOut<'rigAdd'>, actor: string, cwd = process.cwd()): Promise<RigInfo> {
    // One add at a time: the duplicate checks below must see every earlier add.
    return this.lock.run('add', async () => {
      const prefix = args.prefix ?? defaultPrefix(args.name);
      if (prefix === this.o.townPrefix) throw new TownError('conflict', `prefix ${prefix} is the town's own; pick another with --prefix`);
      if (args.runtime && !this.o.runtimeExists(args.runtime)) throw new TownError('not_found', `unknown runtime ${args.runtime} (see the town's runtimes)`);
      const rigs = await this.list();
      if (rigs.some((r) => r.name === args.name)) throw new TownError('conflict', `a rig named ${args.name} already exists`);
      const clash = rigs.find((r) => r.prefix === prefix);
      if (clash) throw new TownError('conflict', `prefix ${prefix} is already used by rig ${clash.name}; pick another with --prefix`);
      const source = await resolveSource(args.source, cwd);
      const paths = rigPaths(this.o.townRoot, args.name);
      if (existsSync(paths.root)) throw new TownError('conflict', `${paths.root} already exists (left from a removed rig?); remove it first`);
      try {
        const branch = await createRigRepos(source, paths, args.branch);
        const record: RigRecord = {
          name: args.name, prefix, source, branch, gate: args.gate ?? null, runtime: args.runtime ?? null,
          maxPolecats: args.maxPolecats ?? DEFAULT_MAX_POLECATS, setupCommand: args.setupCommand ?? null, copyFiles: args.copyFiles ?? [],
        };
        const bead = await this.o.ledger.create(
          { title: `rig ${args.name}`, type: 'rig', prefix: this.o.townPrefix, labels: [RIG_LABEL, `rig:${args.name}`], metadata: { ...record } },
          actor,
        );
        this.mirror.written([bead]);
        return rigFromBead(bead, this.o.townRoot)!;
      } catch (err) {
        // Nothing half-created: the folders go when the clone or the ledger write failed.
        rmSync(paths.root, { recursive: true, force: true });
        throw err;
      }
    });
  }

  /** Closes the rig's bead, then removes its folders (worktrees included). */
  remove(name: string, actor: string, stopAgents: (rig: string) => Promise<void>): Promise<{ removed: string }> {
    return this.lock.run('add', async () => {
      const rig = await this.get(name);
      await stopAgents(name);
      this.mirror.written([await this.o.ledger.closeBead(rig.bead, 'rig removed', actor)]);
      rmSync(rig.paths.root, { recursive: true, force: true });
      return { removed: name };
    });
  }
}
