// Drives a mediacdn origin's folders, config and usage by date with the
// official Node SDK, which percent-encodes the folder path in the URL
// (folders/a%2Fb) and sends rename_folder's to_folder as JSON. Run by
// origin/admin_folders_test.go:
//   MEDIACDN_API=http://127.0.0.1:PORT node folders.js
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
  const created = await api.create_folder('shop/shoes');
  assert.equal(created.success, true);
  assert.equal(created.path, 'shop/shoes');
  assert.equal(created.name, 'shoes');
  await api.create_folder('archive');

  const first = await api.root_folders({ max_results: 1 });
  assert.deepEqual(first.folders.map((f) => f.path), ['archive']);
  assert.equal(first.total_count, 2);
  const second = await api.root_folders({ max_results: 1, next_cursor: first.next_cursor });
  assert.deepEqual(second.folders.map((f) => f.path), ['shop']);
  const sub = await api.sub_folders('shop');
  assert.deepEqual(sub.folders, [{ name: 'shoes', path: 'shop/shoes', external_id: created.external_id }]);
  const missing = await fails(api.sub_folders('nope/deeper'));
  assert.equal(missing.http_code, 404);
  assert.equal(missing.message, "Can't find folder with path nope/deeper");

  const renamed = await api.rename_folder('shop/shoes', 'shop/boots');
  assert.equal(renamed.from.path, 'shop/shoes');
  assert.equal(renamed.to.path, 'shop/boots');
  assert.equal(renamed.to.external_id, created.external_id);
  const deleted = await api.delete_folder('shop');
  assert.deepEqual(deleted.deleted, ['shop', 'shop/boots']);

  const config = await api.config({ settings: true });
  assert.equal(config.cloud_name, 'demo');
  assert.equal(config.settings.folder_mode, 'dynamic');
  const old = await api.usage({ date: '01-01-2020' });
  assert.equal(old.resources, 0);
  assert.equal(old.last_updated, '2020-01-01');

  console.log(JSON.stringify({ ok: true }));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : JSON.stringify(err));
  process.exit(1);
});
