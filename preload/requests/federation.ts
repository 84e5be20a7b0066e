// Requests beyond one machine: the ledger's Dolt remotes and their sync, and the wanted board shared
// between towns (the commons). Remotes, sync and the board's writes are the overseer's or the
// Mayor's; reading the board is for anyone.
import { z } from 'zod';
import { allow, BeadIdSchema, PrefixSchema, request, returns } from '../api-kit.ts';
import type { ClaimResult, CommonsInfo, FederationInfo, RemoteStatus, SyncReport, WantedItem, WlSyncResult } from './federation-types.ts';

const RemoteName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'remote names are a letter then letters, digits, - or _');
const RemoteUrl = z.string().trim().min(1).max(1024);
const WantedId = z.string().regex(/^w-[0-9a-z]{4,32}$/, 'malformed wanted id (expected w-<hex>)');
const TownHandle = z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, 'malformed town identity');

export const federationRequests = {
  /** This town's identity, what it serves over remotesapi, its remotes and its commons. The served
   *  password is included for the overseer only. */
  federationInfo: request(z.object({}).strict(), returns<FederationInfo>(), allow.roles('mayor')),
  remoteList: request(z.object({}).strict(), returns<RemoteStatus[]>(), allow.anyone),
  /** `gt remote add NAME URL`: a Dolt remote of the town's ledger (file://, http(s):// remotesapi, DoltHub org/repo, …). */
  remoteAdd: request(z.object({ name: RemoteName, url: RemoteUrl }).strict(), returns<RemoteStatus>(), allow.roles('mayor')),
  remoteRemove: request(z.object({ name: RemoteName }).strict(), returns<{ removed: string }>(), allow.roles('mayor')),
  /** `gt sync [push|pull] [NAME]`: pull merges by the rules of docs/federation.md; what cannot be merged goes to the inbox. */
  sync: request(z.object({ direction: z.enum(['push', 'pull', 'all']).default('all'), name: RemoteName.optional() }).strict(), returns<SyncReport[]>(), allow.roles('mayor')),
  /** `gt wl create`: host a new commons in this town. */
  wlCreate: request(z.object({}).strict(), returns<CommonsInfo>(), allow.roles('mayor')),
  /** `gt wl join URL`: clone a commons and register this town in it. */
  wlJoin: request(z.object({ url: RemoteUrl }).strict(), returns<CommonsInfo>(), allow.roles('mayor')),
  wlInfo: request(z.object({}).strict(), returns<CommonsInfo | null>(), allow.anyone),
  /** `gt wl accept TOWN`: entries of that town become trusted. */
  wlAccept: request(z.object({ town: TownHandle }).strict(), returns<CommonsInfo>(), allow.roles('mayor')),
  /** `gt wl post BEAD`: publish a bead as wanted. */
  wlPost: request(z.object({ bead: BeadIdSchema }).strict(), returns<WantedItem>(), allow.roles('mayor')),
  /** `gt wl browse`: the board as this town's clone has it (`gt wl sync` first for the latest). */
  wlBrowse: request(z.object({ status: z.enum(['open', 'claimed', 'completed', 'withdrawn']).optional() }).strict(), returns<WantedItem[]>(), allow.anyone),
  /** Every claim attempt recorded in the commons (won claims and lost ones). */
  wlAttempts: request(z.object({}).strict(), returns<Array<{ wantedId: string; town: string; outcome: string; at: string }>>(), allow.anyone),
  /** `gt wl claim ID`: first claim to reach the commons wins; won → a local bead (with `prefix`, else the town's). */
  wlClaim: request(z.object({ id: WantedId, untrusted: z.boolean().default(false), prefix: PrefixSchema.optional() }).strict(), returns<ClaimResult>(), allow.roles('mayor')),
  /** `gt wl done ID --ref REF`: complete an item this town won. */
  wlDone: request(z.object({ id: WantedId, ref: z.string().trim().min(1).max(1000) }).strict(), returns<WantedItem>(), allow.roles('mayor')),
  /** `gt wl sync`: pull, push, and bridge to the town's ledger. */
  wlSync: request(z.object({ prefix: PrefixSchema.optional() }).strict(), returns<WlSyncResult>(), allow.roles('mayor')),
};
