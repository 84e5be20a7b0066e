// Domain types that cross process boundaries. Pure types and constants: safe in every process.

export const BEAD_STATUSES = ['open', 'in_progress', 'hooked', 'blocked', 'deferred', 'closed', 'pinned'] as const;
export type BeadStatus = (typeof BEAD_STATUSES)[number];

export const BEAD_TYPES = [
  'task', 'bug', 'feature', 'epic', 'chore', 'convoy', 'agent', 'merge-request', 'message',
  'escalation', 'molecule', 'gate', 'event', 'role', 'rig',
] as const;
export type BeadType = (typeof BEAD_TYPES)[number];

export const DEPENDENCY_TYPES = ['blocks', 'parent-child', 'related', 'discovered-from', 'tracks'] as const;
export type DependencyType = (typeof DEPENDENCY_TYPES)[number];

export interface Dependency {
  issueId: string;
  dependsOnId: string;
  type: DependencyType;
  createdAt: string;
  createdBy: string;
}

export interface Comment {
  id: string;
  issueId: string;
  author: string;
  text: string;
  createdAt: string;
}

export interface Bead {
  id: string;
  title: string;
  description: string;
  type: BeadType;
  status: BeadStatus;
  priority: number;
  assignee: string | null;
  owner: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  closeReason: string;
  labels: string[];
  metadata: Record<string, unknown>;
  /** Present on `show`; omitted on lists to keep them light. */
  dependencies?: Dependency[];
  comments?: Comment[];
}

/** One change to one bead, derived from the diff between two Dolt commits. */
export type BeadChange =
  | { kind: 'created'; id: string; bead: Bead }
  | { kind: 'updated'; id: string; bead: Bead; fields: string[] }
  | { kind: 'closed'; id: string; bead: Bead }
  | { kind: 'deleted'; id: string }
  | { kind: 'dependency-added'; id: string; dependsOnId: string; type: DependencyType }
  | { kind: 'dependency-removed'; id: string; dependsOnId: string; type: DependencyType }
  | { kind: 'comment-added'; id: string; comment: Comment }
  | { kind: 'labels-changed'; id: string; labels: string[] };

export interface BeadFeedEvent {
  /** The Dolt commit these changes arrived with. */
  commit: string;
  author: string;
  message: string;
  changes: BeadChange[];
}

/** One commit's change to a bead, from Dolt's history tables. */
export interface BeadHistoryEntry {
  commit: string;
  author: string;
  email: string;
  time: string;
  message: string;
  kind: 'created' | 'updated' | 'deleted' | 'labels' | 'dependencies' | 'comments';
  changes: Array<{ field: string; before: unknown; after: unknown }>;
}

export interface ImportReport {
  created: number;
  updated: number;
  /** Lines whose bead is older than the ledger's copy (by updated_at), plus non-issue lines. */
  skipped: number;
  labels: number;
  dependencies: number;
  /** Dependencies whose target is neither in the file nor in the ledger (skipped, as bd does). */
  danglingDependencies: number;
  comments: number;
}

export interface TownStatus {
  up: boolean;
  town: string;
  dolt: { port: number; pid: number | null; state: 'starting' | 'ready' | 'restarting' | 'stopped' | 'failed' };
  ptyHost: { pid: number | null; state: 'starting' | 'ready' | 'restarting' | 'stopped' };
  beads: number;
  agents: number;
  terminals: number;
}

export interface TerminalInfo {
  id: string;
  title: string;
  pid: number;
  cols: number;
  rows: number;
}

export interface TerminalExit {
  id: string;
  exitCode: number | null;
  signal: number | null;
  /** Why it ended: "exited", "killed", "pty host died", … */
  reason: string;
}
