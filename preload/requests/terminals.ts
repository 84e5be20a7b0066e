// Requests on terminals: open a shell, type, resize, attach, acknowledge output, close.
import { z } from 'zod';
import type { TerminalInfo } from '../types.ts';
import { allow, request, returns } from '../api-kit.ts';

export const terminalRequests = {
  terminalOpen: request(
    z.object({
      cols: z.number().int().min(2).max(1000).default(80),
      rows: z.number().int().min(2).max(500).default(24),
      title: z.string().max(200).optional(),
    }).strict(),
    returns<TerminalInfo>(),
    allow.overseer,
  ),
  terminalList: request(z.object({}).strict(), returns<TerminalInfo[]>(), allow.overseer),
  terminalWrite: request(z.object({ id: z.string().min(1).max(100), data: z.string().max(1_000_000) }).strict(), returns<void>(), allow.overseer),
  terminalResize: request(
    z.object({ id: z.string().min(1).max(100), cols: z.number().int().min(2).max(1000), rows: z.number().int().min(2).max(500) }).strict(),
    returns<void>(),
    allow.overseer,
  ),
  /** Consumers acknowledge bytes they have rendered; the PTY pauses when too much is unacknowledged. */
  terminalAck: request(z.object({ id: z.string().min(1).max(100), bytes: z.number().int().min(0) }).strict(), returns<void>(), allow.overseer),
  /** Start streaming a terminal's output to this client: the recent output replayed, then live. */
  terminalAttach: request(z.object({ id: z.string().min(1).max(100) }).strict(), returns<{ replayed: number }>(), allow.overseer),
  terminalClose: request(z.object({ id: z.string().min(1).max(100) }).strict(), returns<void>(), allow.overseer),
};
