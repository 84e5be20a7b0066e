// Per-agent API tokens. An agent's terminal gets a token derived from the town's token and its own
// address, so the socket can check that a caller claiming to be agent X holds X's token: an agent
// cannot speak as another agent. The owner's token (secrets.json) still speaks for anyone.
import { createHmac } from 'node:crypto';

export function agentToken(townToken: string, agent: string): string {
  return createHmac('sha256', townToken).update(`gt-agent:${agent}`).digest('base64url');
}
