// Agents people direct: the Mayor (one per town, in <town>/mayor) and crew (named, long-lived, each
// with a full clone of a rig at <rig>/crew/<name>). Started and stopped by the user; the Witness
// never restarts them.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TownError } from '../../../preload/contract.ts';
import type { AgentInfo } from '../../../preload/requests/work-types.ts';
import { cloneRepository } from '../../git/clone.ts';
import { runtimeNameFor } from '../../agents/runtimes/runtime-registry.ts';
import { crewAddress, MAYOR, type AgentRecord } from '../polecats/agent-store.ts';
import { identityEnv } from '../polecats/polecat-git.ts';
import { crewClone } from '../rigs/rig-paths.ts';
import type { WorkContext } from '../supervisors/work-context.ts';

export class PeopleAgents {
  constructor(
    private readonly c: WorkContext,
    private readonly primeText: (agent: string) => Promise<string>,
    private readonly info: (r: AgentRecord) => AgentInfo,
  ) {}

  async startMayor(runtime: string | undefined, actor: string): Promise<{ agent: string; terminal: string; started: boolean }> {
    return this.c.locks.run(`agent:${MAYOR}`, async () => {
      const running = this.c.sessions.get(MAYOR);
      if (running) return { agent: MAYOR, terminal: running.terminal, started: false };
      const cwd = join(this.c.townRoot, 'mayor');
      mkdirSync(cwd, { recursive: true });
      const rt = runtime ?? runtimeNameFor(this.c.settings.runtimes, { role: 'mayor' });
      if (!(await this.c.agents.find(MAYOR))) await this.c.agents.create({ address: MAYOR, role: 'mayor', name: 'mayor', rig: null, runtime: rt }, this.c.townPrefix, actor);
      await this.c.agents.patch(MAYOR, { runtime: rt, workdir: cwd }, actor);
      const rec = await this.c.sessions.start({ agent: MAYOR, role: 'mayor', cwd, runtime: rt, prompt: await this.primeText(MAYOR), extraEnv: identityEnv({ name: 'mayor', email: 'mayor@gastown.local' }) });
      return { agent: MAYOR, terminal: rec.terminal, started: true };
    });
  }

  async addCrew(name: string, rigName: string, actor: string): Promise<AgentInfo> {
    const rig = await this.c.rigs.get(rigName);
    const address = crewAddress(rig.name, name);
    return this.c.locks.run(`agent:${address}`, async () => {
      if (await this.c.agents.find(address)) throw new TownError('conflict', `crew ${address} already exists`);
      const dir = crewClone(this.c.townRoot, rig.name, name);
      if (existsSync(dir)) throw new TownError('conflict', `${dir} already exists`);
      // A full clone, sharing objects with the rig's bare repository; origin is that repository.
      const r = await cloneRepository(rig.paths.crew, rig.paths.bare, dir, { branch: rig.branch });
      if (!r.ok) throw new TownError('internal', `cannot clone ${rig.name} for crew ${name}: ${r.message}`);
      const rec = await this.c.agents.create({ address, role: 'crew', name, rig: rig.name, workdir: dir, branch: rig.branch }, rig.prefix, actor);
      return this.info(rec);
    });
  }

  async startCrew(name: string, rigName: string, runtime: string | undefined, actor: string): Promise<{ agent: string; terminal: string; started: boolean }> {
    const rig = await this.c.rigs.get(rigName);
    const address = crewAddress(rig.name, name);
    return this.c.locks.run(`agent:${address}`, async () => {
      const rec = await this.c.agents.find(address);
      if (!rec) throw new TownError('not_found', `no crew ${address} (gt crew add ${name} ${rig.name})`);
      const running = this.c.sessions.get(address);
      if (running) return { agent: address, terminal: running.terminal, started: false };
      const rt = runtime ?? rec.meta.runtime ?? rig.runtime ?? runtimeNameFor(this.c.settings.runtimes, { rig: rig.name, role: 'crew' });
      if (rt !== rec.meta.runtime) await this.c.agents.patch(address, { runtime: rt }, actor);
      const s = await this.c.sessions.start({
        agent: address, role: 'crew', rig: rig.name, cwd: rec.meta.workdir ?? crewClone(this.c.townRoot, rig.name, name), runtime: rt,
        prompt: await this.primeText(address), extraEnv: identityEnv({ name: address, email: `${name}@${rig.name}.gastown.local` }),
      });
      return { agent: address, terminal: s.terminal, started: true };
    });
  }

  async stopCrew(name: string, rigName: string): Promise<{ agent: string; stopped: boolean }> {
    const address = crewAddress(rigName, name);
    await this.c.agents.get(address);
    return { agent: address, stopped: await this.c.sessions.stop(address) };
  }
}
