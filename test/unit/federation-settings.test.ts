// `gt serve --remotes` keeps serving on in settings/federation.json; the identity and the served
// password are generated once and kept; bad settings are refused with the file and field named.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enableServing } from '../../main/cli/commands/federation-commands.ts';
import { contextFor } from '../../main/cli/command.ts';
import { ensureFederation, federationSecretsFile, readFederationSettings } from '../../main/town/federation/federation-settings.ts';
import { checkRemoteUrl } from '../../main/town/federation/dolt-sync.ts';

test('gt serve --remotes turns serving on and keeps the port; a bad port is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-fedset-'));
  try {
    const ctx = contextFor(dir);
    await enableServing(ctx, undefined);
    assert.deepEqual(readFederationSettings(dir).serve, { enabled: true, port: 0, user: 'gtremote', writable: true });
    await enableServing(ctx, '45123');
    assert.equal(readFederationSettings(dir).serve.port, 45123);
    await assert.rejects(enableServing(ctx, 'eighty'), /--remotes-port must be a port number/);
    assert.equal(readFederationSettings(dir).serve.port, 45123, 'nothing changed by bad input');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('identity and served password are generated once, secrets are 0600; bad settings name the field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-fedset-'));
  try {
    const first = ensureFederation(dir, 'My Town');
    assert.match(first.settings.identity ?? '', /^my-town-[0-9a-f]{6}$/);
    const again = ensureFederation(dir, 'My Town');
    assert.equal(again.settings.identity, first.settings.identity);
    assert.equal(again.secrets.servePassword, first.secrets.servePassword);
    assert.equal(statSync(federationSecretsFile(dir)).mode & 0o777, 0o600);
    assert.ok(!readFileSync(join(dir, 'settings', 'federation.json'), 'utf8').includes(first.secrets.servePassword!), 'no secret in the settings file');
    mkdirSync(join(dir, 'settings'), { recursive: true });
    writeFileSync(join(dir, 'settings', 'federation.json'), JSON.stringify({ identity: 'Bad Name' }));
    assert.throws(() => readFederationSettings(dir), /federation\.json: identity/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('remote URLs: Dolt\'s schemes and DoltHub org/repo; anything else is refused', () => {
  for (const ok of ['file:///tmp/x', 'http://127.0.0.1:5000/db', 'https://doltremoteapi.dolthub.com/a/b', 'aws://[t:b]/db', 'gs://bucket/db', 'myorg/mydb']) assert.equal(checkRemoteUrl(ok), ok);
  for (const bad of ['', 'not a url', 'ftp://x/y', "file:///x'; DROP TABLE issues; --", 'a/b/c']) assert.throws(() => checkRemoteUrl(bad), /not a Dolt remote URL/);
});
