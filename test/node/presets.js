// Drives a mediacdn origin's upload presets with the official Node SDK:
// api.create_upload_preset, upload_presets, upload_preset,
// update_upload_preset, delete_upload_preset, and uploader.unsigned_upload
// (no api_key, no signature). Run by origin/upload_presets_node_test.go:
//   MEDIACDN_API=http://127.0.0.1:PORT CORPUS=/path/to/corpus node presets.js
// Exits non-zero with the failed check on stderr.
'use strict';
const assert = require('node:assert/strict');
const path = require('node:path');

// The Node SDK picks http or https once, at load, from CLOUDINARY_URL's
// upload_prefix: set it before require (cloudinary-compat.md §6).
process.env.CLOUDINARY_URL = `cloudinary://demo_key:demo_secret@demo?upload_prefix=${process.env.MEDIACDN_API}`;
const cloudinary = require('cloudinary').v2;
cloudinary.config({ analytics: false });
const api = cloudinary.api;

const file = (name) => path.join(process.env.CORPUS, name);
const fails = async (promise) => promise.then(
  (r) => { throw new Error(`expected an error, got ${JSON.stringify(r)}`); },
  (e) => e.error || e);

async function main() {
  const created = await api.create_upload_preset({
    name: 'node_widget', unsigned: true, folder: 'node_web', tags: ['w1', 'w2'],
    allowed_formats: ['jpg'], unique_filename: false, use_filename: true,
  });
  assert.equal(created.message, 'created');
  assert.equal(created.name, 'node_widget');

  const got = await api.upload_preset('node_widget');
  assert.equal(got.name, 'node_widget');
  assert.equal(got.unsigned, true);
  assert.equal(got.settings.folder, 'node_web');
  assert.equal(got.settings.tags, 'w1,w2');
  assert.equal(got.settings.allowed_formats, 'jpg');
  assert.equal(got.settings.unique_filename, false);
  assert.equal(got.settings.use_filename, true);

  const list = await api.upload_presets({ max_results: 10 });
  assert.deepEqual(list.presets.map((p) => p.name), ['node_widget']);

  // No api_key, no signature: the preset's folder, tags and use_filename.
  const up = await cloudinary.uploader.unsigned_upload(file('rocket.jpg'), 'node_widget');
  assert.equal(up.public_id, 'node_web/rocket');
  assert.deepEqual(up.tags, ['w1', 'w2']);
  const forbidden = await fails(cloudinary.uploader.unsigned_upload(file('rocket.jpg'), 'node_widget',
    { eager: 'w_10' }));
  assert.equal(forbidden.http_code, 400);
  assert.match(forbidden.message, /^Eager parameter is not allowed when using unsigned upload\./);
  const format = await fails(cloudinary.uploader.unsigned_upload(file('chelsea.png'), 'node_widget'));
  assert.equal(format.http_code, 400);

  const updated = await api.update_upload_preset('node_widget', { unsigned: false });
  assert.equal(updated.message, 'updated');
  const signedOnly = await fails(cloudinary.uploader.unsigned_upload(file('rocket.jpg'), 'node_widget'));
  assert.equal(signedOnly.message, 'Upload preset must be whitelisted for unsigned uploads');
  // A signed upload may name it.
  const signed = await cloudinary.uploader.upload(file('rocket.jpg'), { upload_preset: 'node_widget', public_id: 'mine' });
  assert.equal(signed.public_id, 'node_web/mine');

  const deleted = await api.delete_upload_preset('node_widget');
  assert.equal(deleted.message, 'deleted');
  const missing = await fails(api.upload_preset('node_widget'));
  assert.equal(missing.http_code, 404);
  const gone = await fails(cloudinary.uploader.unsigned_upload(file('rocket.jpg'), 'node_widget'));
  assert.equal(gone.message, 'Upload preset not found');

  console.log(JSON.stringify({ ok: true }));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : JSON.stringify(err));
  process.exit(1);
});
