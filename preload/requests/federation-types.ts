// Result shapes of the federation requests (remotes, sync, the wanted board).

export type SyncDirection = 'push' | 'pull' | 'all';

export interface RemoteSyncState { at: number; ok: boolean; message: string }

export interface RemoteStatus {
  name: string;
  url: string;
  push: RemoteSyncState | null;
  pull: RemoteSyncState | null;
}

export interface PullReport {
  outcome: 'up-to-date' | 'fast-forward' | 'merged' | 'aborted';
  conflicts: number;
  resolved: number;
  notes: string[];
  unresolved: Array<{ table: string; key: Record<string, unknown>; reason: string; theirs: Record<string, unknown> | null }>;
  reason?: string;
  /** The escalation (inbox item) raised for what could not be merged. */
  escalation: string | null;
}

export interface SyncReport {
  remote: string;
  url: string;
  pull: PullReport | null;
  /** Dolt's push message, when pushed. */
  push: string | null;
  errors: string[];
}

export interface FederationInfo {
  identity: string;
  /** Where this town serves its databases over remotesapi (null: not serving). */
  serving: { url: string; port: number; user: string; writable: boolean; password?: string } | null;
  remoteUser: string | null;
  remotePasswordSet: boolean;
  remotes: RemoteStatus[];
  commons: CommonsInfo | null;
}

export interface CommonsInfo {
  database: string;
  /** The commons' upstream (null: this town hosts it). */
  upstream: string | null;
  towns: Array<{ handle: string; accepted: boolean; joinedAt: string }>;
  lastSync: RemoteSyncState | null;
}

export interface WantedItem {
  id: string;
  title: string;
  description: string;
  type: string;
  priority: number;
  postedBy: string;
  sourceBead: string;
  link: string;
  status: 'open' | 'claimed' | 'completed' | 'withdrawn';
  claimedBy: string | null;
  claimedAt: string | null;
  completedRef: string | null;
  completedAt: string | null;
  updatedAt: string;
  /** Posted by a town the commons accepts. */
  trusted: boolean;
  /** This town's local bead for the item (when it claimed and won it). */
  localBead: string | null;
}

export interface ClaimAttempt { wantedId: string; town: string; outcome: 'claimed' | 'lost'; at: string }

export interface WlSyncResult {
  /** 'hub': this town hosts the commons (nothing to pull or push). */
  pulled: 'up-to-date' | 'fast-forward' | 'merged' | 'aborted' | 'hub' | 'offline';
  pushed: boolean;
  conflicts: number;
  /** Items whose claim by this town lost (to a claim that reached the commons first). */
  lost: string[];
  /** Items won by this town that became local beads in this sync. */
  newBeads: Array<{ wanted: string; bead: string }>;
  /** Items this town completed in this sync because their local bead closed. */
  completed: string[];
  /** Why it is offline (the upstream could not be reached); local changes wait for the next sync. */
  offline?: string;
}

export interface ClaimResult {
  id: string;
  outcome: 'won' | 'lost' | 'pending';
  bead: string | null;
  message: string;
}
