// A rig fixture (refinery-fixture.ts) with a real Ledger on its own dolt sql-server, both removed
// when the test ends: the setup of the Refinery-over-Ledger tests.
import { join } from 'node:path';
import { DoltServer } from '../../main/ledger/dolt-server.ts';
import { Ledger } from '../../main/ledger/ledger.ts';
import { makeRig, type RigFixture } from './refinery-fixture.ts';

export async function rigWithLedger(t: { after(fn: () => Promise<void>): void }): Promise<{ fix: RigFixture; ledger: Ledger }> {
  const fix = makeRig();
  const dolt = new DoltServer({
    dataDir: join(fix.root, 'dolt-data'), logFile: join(fix.root, 'dolt.log'),
    user: 'refinery_test', password: 'pw-refinery-test', database: 'town',
  });
  await dolt.start();
  const ledger = await Ledger.open(dolt.connection());
  t.after(async () => {
    await ledger.close();
    await dolt.stop();
    fix.cleanup();
  });
  return { fix, ledger };
}
