// Requests on rigs: the git repositories the town works on.
import { z } from 'zod';
import type { RigInfo } from './work-types.ts';
import { allow, PrefixSchema, request, returns } from '../api-kit.ts';

export const RigName = z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'rig names are lowercase letters, digits, _ and - (at most 40, starting with a letter)');
export const RuntimeName = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'malformed runtime name');
const BranchName = z.string().min(1).max(200).regex(/^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]+$/, 'malformed branch name');

export const rigRequests = {
  /** Adds a rig from a local path or a git URL (which becomes its origin). Nothing half-created on failure. */
  rigAdd: request(
    z.object({
      name: RigName,
      source: z.string().trim().min(1, 'source must not be empty').max(2000),
      prefix: PrefixSchema.optional(),
      branch: BranchName.optional(),
      gate: z.string().max(10_000).optional(),
      runtime: RuntimeName.optional(),
      maxPolecats: z.number().int().min(1).max(200).optional(),
      setupCommand: z.string().max(10_000).optional(),
      copyFiles: z.array(z.string().min(1).max(500)).max(100).optional(),
    }).strict(),
    returns<RigInfo>(),
    allow.roles('mayor'),
  ),
  rigList: request(z.object({}).strict(), returns<RigInfo[]>(), allow.anyone),
  rigShow: request(z.object({ name: RigName }).strict(), returns<RigInfo>(), allow.anyone),
  /** Removes the rig's folders and closes its bead; refused while polecats of the rig hold work. */
  rigRemove: request(z.object({ name: RigName, force: z.boolean().default(false) }).strict(), returns<{ removed: string }>(), allow.overseer),
};
