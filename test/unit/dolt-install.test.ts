// The install step's pure parts: the checksum rules, SHA256SUMS parsing, the steps variable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checksumFor, stepsFromEnv, verifyArchive, INSTALL_STEPS } from '../../main/ledger/dolt-install.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const name = 'dolt-linux-amd64.tar.gz';

test('SHA256SUMS: both sha256sum line forms, other files ignored, absent line is null', () => {
  const sums = `${B}  dolt-darwin-arm64.tar.gz\n${A.toUpperCase()} *${name}\n`;
  assert.equal(checksumFor(sums, name), A);
  assert.equal(checksumFor(`${A}  ./v1.88.1/${name}\n`, name), A);
  assert.equal(checksumFor(sums, 'dolt-windows-amd64.zip'), null);
  assert.equal(checksumFor('not a checksum line', name), null);
});

test('an archive passes only when every checksum known for it agrees', () => {
  assert.deepEqual(verifyArchive({ name, sha256: A, sums: `${A}  ${name}`, pinned: A }), { ok: true, checked: "verified: matches the mirror's SHA256SUMS and matches the checksum pinned in the project" });
  const unverified = verifyArchive({ name, sha256: A, sums: null, pinned: null });
  assert.ok(unverified.ok && /not verified/.test(unverified.checked));

  const badSums = verifyArchive({ name, sha256: A, sums: `${B}  ${name}`, pinned: A });
  assert.ok(!badSums.ok && /checksum mismatch: .*SHA256SUMS says b{64}/.test(badSums.why));
  const badPin = verifyArchive({ name, sha256: A, sums: `${A}  ${name}`, pinned: B });
  assert.ok(!badPin.ok && /the project pins b{64}/.test(badPin.why));
  const noLine = verifyArchive({ name, sha256: A, sums: `${A}  other.tar.gz`, pinned: null });
  assert.ok(!noLine.ok && /SHA256SUMS has no line for dolt-linux-amd64\.tar\.gz/.test(noLine.why));
});

test('GT_DOLT_STEPS keeps the fixed order and refuses unknown names', () => {
  assert.deepEqual(stepsFromEnv(undefined), [...INSTALL_STEPS]);
  assert.deepEqual(stepsFromEnv('build, mirror'), ['mirror', 'build']);
  assert.throws(() => stepsFromEnv('mirror,download'), /unknown step download/);
});
