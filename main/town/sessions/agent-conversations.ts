// The durable home of an agent's resumable conversation: the `conversation` field of its agent
// bead's metadata (one ledger commit when it changes, authored by the agent whose hook reported it).
import type { AgentConversation } from '../../../preload/requests/agent-hooks.ts';
import type { AgentStore } from '../polecats/agent-store.ts';
import type { ConversationStore } from './agent-sessions.ts';

export function agentConversations(agents: AgentStore): ConversationStore {
  return {
    async get(agent: string): Promise<AgentConversation | null> {
      return (await agents.find(agent))?.meta.conversation ?? null;
    },
    async set(agent: string, conversation: AgentConversation | null, actor: string): Promise<void> {
      const cur = await agents.find(agent);
      if (!cur || (cur.meta.conversation?.id ?? null) === (conversation?.id ?? null)) return;
      await agents.patch(agent, { conversation }, actor);
    },
  };
}
