// Applies the BeadFeed's changes to the normalized bead domain of the store. Pure: the domain in,
// a new domain out (unchanged maps are kept by reference, so selectors on them do not re-render).
// Invariants: every kind of BeadChange is handled (a new kind fails to compile in `applyOne`);
// applying a batch of events is the same as applying them one by one in order; a change to a bead
// the store does not hold (labels, a comment) is kept for when the bead arrives only if it carries
// the whole bead, else it is dropped (the next snapshot has it).
import type { Bead, BeadChange, BeadFeedEvent, Comment, Dependency } from '../../preload/types.ts';

export interface BeadDomain {
  beads: Record<string, Bead>;
  /** Dependency edges by `${issueId}>${dependsOnId}`. */
  dependencies: Record<string, Dependency>;
  /** Comments that arrived live, by bead id (lists do not carry comments). */
  comments: Record<string, Comment[]>;
}

export const emptyBeadDomain = (): BeadDomain => ({ beads: {}, dependencies: {}, comments: {} });

export const edgeKey = (issueId: string, dependsOnId: string): string => `${issueId}>${dependsOnId}`;

/** A working copy that copies each map once, on its first write. */
class Draft {
  private beadsCopied = false;
  private depsCopied = false;
  private commentsCopied = false;
  constructor(public domain: BeadDomain) {}
  beads(): Record<string, Bead> {
    if (!this.beadsCopied) { this.domain = { ...this.domain, beads: { ...this.domain.beads } }; this.beadsCopied = true; }
    return this.domain.beads;
  }
  dependencies(): Record<string, Dependency> {
    if (!this.depsCopied) { this.domain = { ...this.domain, dependencies: { ...this.domain.dependencies } }; this.depsCopied = true; }
    return this.domain.dependencies;
  }
  comments(): Record<string, Comment[]> {
    if (!this.commentsCopied) { this.domain = { ...this.domain, comments: { ...this.domain.comments } }; this.commentsCopied = true; }
    return this.domain.comments;
  }
}

function applyOne(d: Draft, change: BeadChange, author: string, at: string): void {
  switch (change.kind) {
    case 'created':
    case 'updated':
    case 'closed': {
      const { dependencies: _deps, comments: _comments, ...bead } = change.bead;
      void _deps; void _comments;
      d.beads()[change.id] = bead;
      return;
    }
    case 'deleted': {
      delete d.beads()[change.id];
      const deps = d.dependencies();
      for (const key of Object.keys(deps)) if (deps[key].issueId === change.id || deps[key].dependsOnId === change.id) delete deps[key];
      if (d.domain.comments[change.id]) delete d.comments()[change.id];
      return;
    }
    case 'dependency-added':
      d.dependencies()[edgeKey(change.id, change.dependsOnId)] = { issueId: change.id, dependsOnId: change.dependsOnId, type: change.type, createdAt: at, createdBy: author };
      return;
    case 'dependency-removed':
      delete d.dependencies()[edgeKey(change.id, change.dependsOnId)];
      return;
    case 'comment-added': {
      const list = d.domain.comments[change.id] ?? [];
      if (list.some((c) => c.id === change.comment.id)) return;
      d.comments()[change.id] = [...list, change.comment];
      return;
    }
    case 'labels-changed': {
      const bead = d.domain.beads[change.id];
      if (bead) d.beads()[change.id] = { ...bead, labels: change.labels };
      return;
    }
    default: {
      const unhandled: never = change;
      throw new Error(`unhandled bead change ${JSON.stringify(unhandled)}`);
    }
  }
}

/** Applies feed events in order; returns the same object when nothing changed. */
export function applyFeedEvents(domain: BeadDomain, events: readonly BeadFeedEvent[], now = new Date().toISOString()): BeadDomain {
  const d = new Draft(domain);
  for (const event of events) for (const change of event.changes) applyOne(d, change, event.author, now);
  return d.domain;
}

/** The domain as a snapshot gives it. */
export function beadDomainFrom(beads: readonly Bead[], dependencies: readonly Dependency[]): BeadDomain {
  const domain = emptyBeadDomain();
  for (const b of beads) {
    const { dependencies: _deps, comments: _comments, ...bead } = b;
    void _deps; void _comments;
    domain.beads[b.id] = bead;
  }
  for (const dep of dependencies) domain.dependencies[edgeKey(dep.issueId, dep.dependsOnId)] = dep;
  return domain;
}
