// Requests on the merge queue (`gt mq …`): each rig's Refinery lands merge requests on the rig's
// target branch when its gate passes. Types in merge-queue-types.ts.
import { z } from 'zod';
import type { MqEntry, MqRequest } from './merge-queue-types.ts';
import { allow, BeadIdSchema, request, returns } from '../api-kit.ts';
import { RigName } from './rigs.ts';

const BranchName = z.string().min(1).max(255).regex(/^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]+$/, 'malformed branch name');

export const mergeQueueRequests = {
  /** Open requests in queue order (with score), then finished ones, most recent first (`all`: every one, else the last 20 per rig). */
  mqList: request(z.object({ rig: RigName.optional(), all: z.boolean().default(false) }).strict(), returns<MqEntry[]>(), allow.anyone),
  mqShow: request(z.object({ id: BeadIdSchema }).strict(), returns<MqRequest>(), allow.anyone),
  /** Puts a rejected, conflicting or waiting request back in the queue. */
  mqRetry: request(z.object({ id: BeadIdSchema }).strict(), returns<MqRequest>(), allow.roles('mayor')),
  /** Rejects (closes) a request by hand; refused while it is being tested. */
  mqReject: request(z.object({ id: BeadIdSchema, reason: z.string().trim().min(1).max(2000).default('rejected by hand') }).strict(), returns<MqRequest>(), allow.roles('mayor')),
  /** Queues a branch made by hand that exists in the rig's repository or its origin. */
  mqSubmit: request(
    z.object({
      branch: BranchName,
      rig: RigName,
      bead: BeadIdSchema.optional(),
      title: z.string().trim().min(1).max(500).optional(),
      priority: z.number().int().min(0).max(4).optional(),
    }).strict(),
    returns<MqRequest>(),
    allow.roles('mayor', 'crew'),
  ),
};
