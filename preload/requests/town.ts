// Requests about the town as a whole.
import { z } from 'zod';
import type { TownStatus } from '../types.ts';
import { allow, request, returns } from '../api-kit.ts';

export const townRequests = {
  townStatus: request(z.object({}).strict(), returns<TownStatus>(), allow.anyone),
};
