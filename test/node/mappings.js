// Drives a mediacdn origin's upload_mappings with the official Node SDK,
// which sends urlencoded bodies (even on DELETE) and names the folder in
// them. Run by origin/admin_mappings_test.go:
//   MEDIACDN_API=http://127.0.0.1:PORT node mappings.js
// Exits non-zero with the failed check on stderr.
'use strict';
const assert = require('node:assert/strict');

process.env.CLOUDINARY_URL = `cloudinary://demo_key:demo_secret@demo?upload_prefix=${process.env.MEDIACDN_API}`;
const cloudinary = require('cloudinary').v2;
cloudinary.config({ analytics: false });
const api = cloudinary.api;

const fails = async (promise) => promise.then(
  (r) => { throw new Error(`expected an error, got ${JSON.stringify(r)}`); },
  (e) => e.error || e);

async function main() {
  const created = await api.create_upload_mapping('wiki', { template: 'https://upload.wikimedia.org/wikipedia/' });
  assert.equal(created.message, 'created');
  assert.equal(created.folder, 'wiki');
  await api.create_upload_mapping('pics/2024', { template: 'https://img.test/2024/' });
  const dup = await fails(api.create_upload_mapping('wiki', { template: 'https://other.test/' }));
  assert.equal(dup.http_code, 409);
  assert.equal(dup.message, 'Upload mapping for folder wiki already exists');

  const first = await api.upload_mappings({ max_results: 1 });
  assert.deepEqual(first.mappings, [{ folder: 'pics/2024', template: 'https://img.test/2024/' }]);
  assert.ok(first.next_cursor);
  const second = await api.upload_mappings({ max_results: 1, next_cursor: first.next_cursor });
  assert.deepEqual(second.mappings.map((m) => m.folder), ['wiki']);
  assert.equal(second.next_cursor, undefined);

  const one = await api.upload_mapping('pics/2024');
  assert.equal(one.folder, 'pics/2024');
  assert.equal(one.template, 'https://img.test/2024/');
  const updated = await api.update_upload_mapping('pics/2024', { template: 'https://img.test/v2/' });
  assert.equal(updated.message, 'updated');
  assert.equal((await api.upload_mapping('pics/2024')).template, 'https://img.test/v2/');

  assert.equal((await api.delete_upload_mapping('pics/2024')).message, 'deleted');
  const gone = await fails(api.upload_mapping('pics/2024'));
  assert.equal(gone.http_code, 404);
  assert.equal(gone.message, 'Upload mapping not found - pics/2024');
  const noTemplate = await fails(api.create_upload_mapping('x', {}));
  assert.equal(noTemplate.http_code, 400);
  assert.equal(noTemplate.message, 'Missing required parameter - template');
  assert.deepEqual((await api.upload_mappings()).mappings.map((m) => m.folder), ['wiki']);

  console.log(JSON.stringify({ ok: true }));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : JSON.stringify(err));
  process.exit(1);
});
