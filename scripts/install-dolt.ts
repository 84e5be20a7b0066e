// Finds or installs the Dolt the town's ledger runs on (npm's postinstall runs this through tsx).
// The order, the checks and the cache are in main/ledger/dolt-install.ts; docs/dolt.md explains them.
import { DoltInstallRefused, DoltNotInstalled, installDolt, notInstalledMessage } from '../main/ledger/dolt-install.ts';

const log = (line: string): void => {
  process.stdout.write(`[gastown] ${line}\n`);
};

async function main(): Promise<void> {
  if (process.env.GT_SKIP_DOLT === '1') return log('dolt: GT_SKIP_DOLT=1, not looking for dolt');
  const installed = await installDolt(log);
  const how = installed.step === 'env' || installed.step === 'path' || installed.step === 'cache' ? 'found' : 'installed';
  log(`dolt ${installed.version} ${how} (${installed.step}): ${installed.path}`);
}

main().catch((err: unknown) => {
  const text = err instanceof DoltNotInstalled
    ? notInstalledMessage(err.tried)
    : err instanceof DoltInstallRefused
      ? `dolt install refused: ${err.message}`
      : `dolt install failed: ${(err as Error).stack ?? String(err)}`;
  process.stderr.write(`\n${text.split('\n').map((l) => `[gastown] ERROR: ${l}`).join('\n')}\n\n`);
  process.exit(1);
});
