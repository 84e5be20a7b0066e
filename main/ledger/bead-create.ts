// Creating beads: one (`create <id>`) or many in one commit, with labels, a parent (child id
// `<parent>.<n>` through child_counters) and dependencies. Invariants: ids follow bead-ids.ts and are
// never reused (a taken id fails the INSERT and the write reruns with a fresh nonce); every create
// writes a `created` event (the write's marker); is_blocked is set before the commit.
import type { Bead, DependencyType } from '../../preload/types.ts';
import { TownError } from '../../preload/errors.ts';
import { idCandidates } from './bead-ids.ts';
import { beadsFromRows, likeEscape, type Query } from './bead-queries.ts';
import { BEAD_SELECT, type IssueRow, isoTime, sqlTime } from './bead-rows.ts';
import { recomputeBlocked } from './blocked-state.ts';
import { insertDependency } from './bead-dependencies.ts';
import type { LedgerContext } from './ledger-context.ts';
import { mustGet } from './ledger-context.ts';
import { BeadCreateInputSchema, BeadIdSchema, validate, type BeadCreateInput } from './ledger-schemas.ts';
import { applyItems, parseItems, type UpdateItem } from './bead-update.ts';

export type { UpdateItem };
import type { WriteTx } from './write-tx.ts';

export const DEFAULT_PREFIX = 'hq';

type ParsedInput = ReturnType<typeof BeadCreateInputSchema.parse>;
/** A create with its batch references resolved to ids. */
type ParsedCreate = Omit<ParsedInput, 'parentRef' | 'dependencies' | 'metadataRefs'> & { dependencies?: Array<{ dependsOnId: string; type: DependencyType }> };

/** Turns batch references (parentRef, dependencies by `ref`) into the ids made earlier in the batch. */
function resolveRefs(p: ParsedInput, made: string[], where: string): ParsedCreate {
  const at = (ref: number): string => {
    const id = made[ref];
    if (id === undefined) throw new TownError('invalid', `${where}: reference ${ref} must name an earlier item of the same batch`);
    return id;
  };
  const { parentRef, dependencies, metadataRefs, ...rest } = p;
  let metadata = rest.metadata;
  if (metadataRefs?.length) {
    metadata = structuredClone(metadata ?? {});
    for (const { path, ref } of metadataRefs) {
      let node = metadata as Record<string, unknown>;
      for (const key of path.slice(0, -1)) {
        const next = node[key];
        node = (node[key] = next && typeof next === 'object' && !Array.isArray(next) ? next : {}) as Record<string, unknown>;
      }
      node[path[path.length - 1]] = at(ref);
    }
  }
  return {
    ...rest,
    ...(metadata ? { metadata } : {}),
    ...(parentRef !== undefined ? { parent: at(parentRef) } : {}),
    ...(dependencies ? { dependencies: dependencies.map((d) => ('ref' in d ? { dependsOnId: at(d.ref), type: d.type } : d)) } : {}),
  };
}

/**
 * Top-level bead counts per prefix, which size new ids. A slightly stale number is harmless (it only
 * picks the hash length); a COUNT per create is not.
 */
export class PrefixCounts {
  private readonly counts = new Map<string, { n: number; at: number }>();

  async get(tx: WriteTx, prefix: string): Promise<number> {
    const cached = this.counts.get(prefix);
    if (cached && Date.now() - cached.at < 30_000) return cached.n;
    const p = likeEscape(prefix);
    const rows = await tx.query<{ n: number }>('SELECT COUNT(*) AS n FROM issues WHERE id LIKE ? AND id NOT LIKE ?', [`${p}-%`, `${p}-%.%`]);
    const n = Number(rows[0].n);
    this.counts.set(prefix, { n, at: Date.now() });
    return n;
  }

  bump(prefix: string): void {
    const c = this.counts.get(prefix);
    if (c) c.n++;
  }
}

/** Creates one bead (one commit `create <id>`). */
export function createBead(ctx: LedgerContext, counts: PrefixCounts, input: unknown, actor: string): Promise<Bead> {
  const parsed = resolveRefs(validate(BeadCreateInputSchema, input, 'create'), [], 'create');
  return ctx.write(actor, 'create', async (tx) => {
    const id = await insertBead(tx, counts, parsed);
    tx.subject = id;
    return writtenBead(tx, id, parsed);
  });
}

/** Creates many beads in one transaction and one commit (`create N beads`). An item may name an
 *  earlier item of the batch as its parent (`parentRef`) or a dependency (`{ ref, type }`). */
export function createBeads(ctx: LedgerContext, counts: PrefixCounts, inputs: unknown[], actor: string): Promise<Bead[]> {
  if (!Array.isArray(inputs) || inputs.length === 0) throw new TownError('invalid', 'createMany: nothing to create');
  if (inputs.length > 10_000) throw new TownError('invalid', 'createMany: at most 10,000 beads per batch');
  const parsed = inputs.map((x, i) => validate(BeadCreateInputSchema, x, `createMany[${i}]`));
  return ctx.write(actor, 'create', async (tx) => {
    const ids: string[] = [];
    for (const [i, p] of parsed.entries()) ids.push(await insertBead(tx, counts, resolveRefs(p, ids, `createMany[${i}]`)));
    tx.subject = ids.length === 1 ? ids[0] : `${ids.length} beads`;
    const rows = await tx.query<IssueRow>(`SELECT ${BEAD_SELECT} FROM issues i WHERE i.id IN (?)`, [ids]);
    const beads = await beadsFromRows(tx.query.bind(tx) as Query, rows);
    const byId = new Map(beads.map((b) => [b.id, b]));
    return ids.map((id) => byId.get(id)!);
  });
}

/**
 * Creates beads, then updates others (which may name the new ones), in one transaction and one
 * commit (`update <ids>`): e.g. `gt done`'s merge request and the bead it puts in review. `updates`
 * is called with the beads just made (in input order) and may be called again if the write reruns;
 * all or nothing: a compare-and-set (`expectStatus`) that fails refuses the creates too. A patch may
 * be derived in the write from the bead it changes (DerivedPatch, bead-update.ts).
 */
export function createAndUpdate(ctx: LedgerContext, counts: PrefixCounts, inputs: unknown[], updates: (created: Bead[]) => UpdateItem[], actor: string): Promise<{ created: Bead[]; updated: Bead[] }> {
  if (!Array.isArray(inputs) || inputs.length === 0) throw new TownError('invalid', 'createAndUpdate: nothing to create');
  const parsed = inputs.map((x, i) => resolveRefs(validate(BeadCreateInputSchema, x, `createAndUpdate[${i}]`), [], `createAndUpdate[${i}]`));
  return ctx.write(actor, 'update', async (tx) => {
    const created: Bead[] = [];
    for (const p of parsed) created.push(writtenBead(tx, await insertBead(tx, counts, p), p));
    const items = parseItems(updates(created), 'createAndUpdate');
    const updated = await applyItems(tx, items, 'createAndUpdate');
    tx.subject = [...created.map((b) => b.id), ...items.map((x) => x.id)].join(' ');
    return { created, updated };
  });
}

/** The bead exactly as insertBead wrote it, without reading it back. */
function writtenBead(tx: WriteTx, id: string, p: ParsedCreate): Bead {
  const status = p.status ?? 'open';
  const now = isoTime(tx.now);
  return {
    id, title: p.title, description: p.description ?? '', type: p.type ?? 'task', status, priority: p.priority ?? 2,
    assignee: p.assignee ?? null, owner: p.owner ?? '', createdBy: tx.actor, createdAt: now, updatedAt: now,
    closedAt: status === 'closed' ? now : null, closeReason: '', labels: [...new Set(p.labels ?? [])].sort(),
    metadata: p.metadata ?? {},
  };
}

async function insertBead(tx: WriteTx, counts: PrefixCounts, input: ParsedCreate): Promise<string> {
  let id: string;
  if (input.parent) {
    await mustGet(tx, input.parent);
    id = await nextChildId(tx, input.parent);
  } else {
    // No existence check: a taken id fails the INSERT with a duplicate key, and runWrite reruns the
    // transaction with a fresh nonce. Saves a round trip on every create.
    const prefix = input.prefix ?? DEFAULT_PREFIX;
    const count = await counts.get(tx, prefix);
    id = idCandidates(prefix, count, { title: input.title, description: input.description ?? '', creator: tx.actor }).next().value as string;
    counts.bump(prefix);
  }
  const status = input.status ?? 'open';
  // Described for the feed as the bead written (its labels with it); what follows keeps it so:
  // dependencies are described, and an is_blocked of a bead made here is not a change it reports.
  await tx.exec(
    `INSERT INTO issues (id, title, description, design, acceptance_criteria, notes, status, priority, issue_type, assignee, owner,
       created_by, created_at, updated_at, started_at, closed_at, close_reason, metadata, defer_until)
     VALUES (?, ?, ?, '', '', '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?)`,
    [id, input.title, input.description ?? '', status, input.priority ?? 2, input.type ?? 'task', input.assignee ?? null,
      input.owner ?? '', tx.actor, tx.now, tx.now, status === 'in_progress' ? tx.now : null, status === 'closed' ? tx.now : null,
      JSON.stringify(input.metadata ?? {}), input.deferUntil ? sqlTime(input.deferUntil) : null],
    true,
  );
  tx.describe((d) => d.created(writtenBead(tx, id, input)));
  tx.touch('issues');
  await tx.event({ issueId: id, type: 'created' });
  const labels = [...new Set(input.labels ?? [])];
  if (labels.length) {
    // One statement for all of them (Dolt's cost is per statement far more than per row).
    await tx.exec(`INSERT INTO labels (issue_id, label) VALUES ${labels.map(() => '(?, ?)').join(', ')}`, labels.flatMap((label) => [id, label]), true);
    for (const label of labels) await tx.event({ issueId: id, type: 'label_added', comment: `Added label: ${label}` });
    tx.touch('labels');
  }
  if (input.parent) await insertDependency(tx, id, input.parent, 'parent-child');
  for (const d of input.dependencies ?? []) await insertDependency(tx, id, d.dependsOnId, d.type);
  // A new bead without dependencies cannot be blocked, and nothing depends on it yet.
  if (input.parent || input.dependencies?.length) await recomputeBlocked(tx, [id]);
  return id;
}

async function nextChildId(tx: WriteTx, parent: string): Promise<string> {
  const counter = await tx.query<{ last_child: number }>('SELECT last_child FROM child_counters WHERE parent_id = ?', [parent]);
  const children = await tx.query<{ id: string }>('SELECT id FROM issues WHERE id LIKE ?', [`${likeEscape(parent)}.%`]);
  let max = counter.length ? Number(counter[0].last_child) : 0;
  for (const c of children) {
    const rest = c.id.slice(parent.length + 1);
    if (/^\d+$/.test(rest)) max = Math.max(max, Number(rest));
  }
  const n = max + 1;
  await tx.exec('INSERT INTO child_counters (parent_id, last_child) VALUES (?, ?) ON DUPLICATE KEY UPDATE last_child = VALUES(last_child)', [parent, n]);
  tx.touch('child_counters');
  const id = `${parent}.${n}`;
  validate(BeadIdSchema, id, 'child id');
  return id;
}

export type { BeadCreateInput };
