// Requests on the ledger: beads, their dependencies, labels, comments, history, import/export.
import { z } from 'zod';
import type { Bead, BeadHistoryEntry, Comment, ImportReport } from '../types.ts';
import { BEAD_STATUSES, BEAD_TYPES, DEPENDENCY_TYPES } from '../types.ts';
import { allow, BeadIdSchema, Label, MetadataSchema, PrefixSchema, ReadyArgs, request, returns, Title } from '../api-kit.ts';

export const beadRequests = {
  beadCreate: request(
    z.object({
      title: Title,
      description: z.string().max(1_000_000).optional(),
      type: z.enum(BEAD_TYPES).optional(),
      priority: z.number().int().min(0).max(4).optional(),
      prefix: PrefixSchema.optional(),
      labels: z.array(Label).max(100).optional(),
      metadata: MetadataSchema.optional(),
      parent: BeadIdSchema.optional(),
    }).strict(),
    returns<Bead>(),
    allow.anyone,
  ),
  /** asOf: a Dolt commit hash, HEAD~n, or an ISO time: the bead as it was then. */
  beadShow: request(z.object({ id: BeadIdSchema, asOf: z.string().max(64).optional() }).strict(), returns<Bead>(), allow.anyone),
  beadList: request(
    z.object({
      status: z.enum(BEAD_STATUSES).optional(),
      type: z.enum(BEAD_TYPES).optional(),
      assignee: z.string().max(255).optional(),
      label: z.string().max(255).optional(),
      prefix: PrefixSchema.optional(),
      limit: z.number().int().min(1).max(100_000).optional(),
    }).strict(),
    returns<Bead[]>(),
    allow.anyone,
  ),
  beadUpdate: request(
    z.object({
      id: BeadIdSchema,
      title: Title.optional(),
      description: z.string().max(1_000_000).optional(),
      type: z.enum(BEAD_TYPES).optional(),
      status: z.enum(BEAD_STATUSES).optional(),
      priority: z.number().int().min(0).max(4).optional(),
      assignee: z.string().trim().min(1).max(255).nullable().optional(),
      metadata: MetadataSchema.optional(),
    }).strict().refine((u) => Object.keys(u).some((k) => k !== 'id'), 'nothing to update'),
    returns<Bead>(),
    allow.anyone,
  ),
  beadClose: request(z.object({ id: BeadIdSchema, reason: z.string().max(100_000).default('') }).strict(), returns<Bead>(), allow.anyone),
  beadReopen: request(z.object({ id: BeadIdSchema }).strict(), returns<Bead>(), allow.anyone),
  beadReady: request(ReadyArgs, returns<Bead[]>(), allow.anyone),
  beadBlocked: request(ReadyArgs, returns<Array<Bead & { blockedBy: string[] }>>(), allow.anyone),
  beadSearch: request(z.object({ query: z.string().trim().min(1, 'search text must not be empty').max(1000), limit: z.number().int().min(1).max(10_000).optional() }).strict(), returns<Bead[]>(), allow.anyone),
  /** `id` depends on `dependsOn` (for blocks: dependsOn blocks id), as in beads. */
  beadDepAdd: request(z.object({ id: BeadIdSchema, dependsOn: BeadIdSchema, type: z.enum(DEPENDENCY_TYPES).default('blocks') }).strict(), returns<{ added: boolean }>(), allow.anyone),
  beadDepRemove: request(z.object({ id: BeadIdSchema, dependsOn: BeadIdSchema }).strict(), returns<{ removed: boolean }>(), allow.anyone),
  beadLabelAdd: request(z.object({ id: BeadIdSchema, label: Label }).strict(), returns<Bead>(), allow.anyone),
  beadLabelRemove: request(z.object({ id: BeadIdSchema, label: Label }).strict(), returns<Bead>(), allow.anyone),
  beadComment: request(z.object({ id: BeadIdSchema, text: z.string().trim().min(1, 'comment must not be empty').max(1_000_000) }).strict(), returns<Comment>(), allow.anyone),
  beadHistory: request(z.object({ id: BeadIdSchema }).strict(), returns<BeadHistoryEntry[]>(), allow.anyone),
  ledgerExport: request(z.object({}).strict(), returns<{ jsonl: string; count: number }>(), allow.anyone),
  /** The whole file in one transaction: a malformed line rejects all of it, with its line number. */
  ledgerImport: request(z.object({ jsonl: z.string().max(200_000_000) }).strict(), returns<ImportReport>(), allow.overseer),
  /**
   * The environment that points the real `bd` (v1.0.5, server mode) at this town's ledger, and the
   * beads folder it names. Holds the Dolt password: the overseer only. `actor` becomes bd's actor and
   * commit author.
   */
  ledgerBdEnv: request(
    z.object({ actor: z.string().trim().min(1).max(255).optional() }).strict(),
    returns<{ beadsDir: string; env: Record<string, string> }>(),
    allow.overseer,
  ),
};
