// Requests on the ledger: beads, their dependencies, labels, comments, history, import/export. The
// argument schemas are the ledger domain's (preload/bead-schemas.ts), shared with the Ledger itself.
import { z } from 'zod';
import type { Bead, BeadHistoryEntry, Comment, ImportReport } from '../types.ts';
import { allow, request, returns } from '../api-kit.ts';
import {
  BeadCreateArgs, BeadIdSchema, BeadListArgs, BeadUpdateArgs, CloseReason, CommentText, DependencyTypeSchema, Label, ReadyArgs, SearchArgs,
} from '../bead-schemas.ts';

export const beadRequests = {
  beadCreate: request(BeadCreateArgs, returns<Bead>(), allow.anyone),
  /** Many beads in one transaction and one commit: all are created or none (e.g. a Markdown file's). */
  beadCreateMany: request(z.object({ beads: z.array(BeadCreateArgs).min(1).max(10_000) }).strict(), returns<Bead[]>(), allow.anyone),
  /** asOf: a Dolt commit hash, HEAD~n, or an ISO time: the bead as it was then. */
  beadShow: request(z.object({ id: BeadIdSchema, asOf: z.string().max(64).optional() }).strict(), returns<Bead>(), allow.anyone),
  beadList: request(BeadListArgs, returns<Bead[]>(), allow.anyone),
  beadUpdate: request(BeadUpdateArgs, returns<Bead>(), allow.anyone),
  beadClose: request(z.object({ id: BeadIdSchema, reason: CloseReason.default('') }).strict(), returns<Bead>(), allow.anyone),
  beadReopen: request(z.object({ id: BeadIdSchema }).strict(), returns<Bead>(), allow.anyone),
  beadReady: request(ReadyArgs, returns<Bead[]>(), allow.anyone),
  beadBlocked: request(ReadyArgs, returns<Array<Bead & { blockedBy: string[] }>>(), allow.anyone),
  beadSearch: request(SearchArgs, returns<Bead[]>(), allow.anyone),
  /** `id` depends on `dependsOn` (for blocks: dependsOn blocks id), as in beads. */
  beadDepAdd: request(z.object({ id: BeadIdSchema, dependsOn: BeadIdSchema, type: DependencyTypeSchema.default('blocks') }).strict(), returns<{ added: boolean }>(), allow.anyone),
  beadDepRemove: request(z.object({ id: BeadIdSchema, dependsOn: BeadIdSchema }).strict(), returns<{ removed: boolean }>(), allow.anyone),
  beadLabelAdd: request(z.object({ id: BeadIdSchema, label: Label }).strict(), returns<Bead>(), allow.anyone),
  beadLabelRemove: request(z.object({ id: BeadIdSchema, label: Label }).strict(), returns<Bead>(), allow.anyone),
  beadComment: request(z.object({ id: BeadIdSchema, text: CommentText }).strict(), returns<Comment>(), allow.anyone),
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
