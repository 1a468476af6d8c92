// Publishes authenticated and private assets of a mediacdn origin with the
// official Node SDK's publish_by_ids, publish_by_prefix and publish_by_tag,
// as the SDK's own suite does ("publish" in its api_spec.js). Run by
// origin/admin_publish_test.go:
//   MEDIACDN_API=http://127.0.0.1:PORT CORPUS=dir node publish.js
// Prints {"ok":true,"published":{...}} (the public IDs published, for the
// Go test to check delivery); exits non-zero with the failed check on stderr.
'use strict';
const assert = require('node:assert/strict');
const path = require('node:path');

process.env.CLOUDINARY_URL = `cloudinary://demo_key:demo_secret@demo?upload_prefix=${process.env.MEDIACDN_API}`;
const cloudinary = require('cloudinary').v2;
cloudinary.config({ analytics: false });
const api = cloudinary.api;
const file = path.join(process.env.CORPUS, 'rocket.jpg');

const fails = async (promise) => promise.then(
  (r) => { throw new Error(`expected an error, got ${JSON.stringify(r)}`); },
  (e) => e.error || e);

let n = 0;
async function upload(type) {
  n++;
  const tag = `publish_tag_${n}`;
  const r = await cloudinary.uploader.upload(file, { type, tags: ['publish_test', tag], public_id: `publish/${type}_${n}` });
  assert.equal(r.type, type);
  return { id: r.public_id, tag };
}

// expectOne checks an answer published exactly id, under /upload/.
function expectOne(result, id) {
  assert.ok(result.published, JSON.stringify(result));
  assert.equal(result.published.length, 1, JSON.stringify(result));
  assert.equal(result.published[0].public_id, id);
  assert.equal(result.published[0].type, 'upload');
  assert.match(result.published[0].url, /\/upload\//);
  assert.deepEqual(result.failed, []);
}

async function main() {
  const out = {};

  const byIds = await upload('authenticated');
  // An explicit type that is not the asset's publishes nothing.
  const mismatch = await api.publish_by_ids([byIds.id], { type: 'private' });
  assert.deepEqual(mismatch.published, []);
  assert.deepEqual(mismatch.failed, [{ public_id: byIds.id, type: 'private', error: 'not_found' }]);
  expectOne(await api.publish_by_ids([byIds.id], { type: 'authenticated' }), byIds.id);
  out.by_ids = byIds.id;

  const byPrefix = await upload('authenticated');
  expectOne(await api.publish_by_prefix(byPrefix.id.slice(0, -1)), byPrefix.id);
  out.by_prefix = byPrefix.id;

  const byTag = await upload('private');
  expectOne(await api.publish_by_tag(byTag.tag), byTag.id);
  out.by_tag = byTag.id;

  // The published assets are upload assets now: listed as such, gone from
  // their old type.
  const listed = await api.resources({ type: 'upload', prefix: 'publish/' });
  assert.deepEqual(listed.resources.map((r) => r.public_id).sort(), [byIds.id, byPrefix.id, byTag.id].sort());
  const gone = await fails(api.resource(byIds.id, { type: 'authenticated' }));
  assert.equal(gone.http_code, 404);

  // An upload asset already there is not replaced unless overwrite.
  const clash = `publish/clash`;
  await cloudinary.uploader.upload(file, { public_id: clash, tags: ['upload_one'] });
  await cloudinary.uploader.upload(file, { public_id: clash, type: 'authenticated' });
  const kept = await api.publish_by_ids([clash], { type: 'authenticated' });
  assert.deepEqual(kept.published, []);
  assert.deepEqual(kept.failed, [{ public_id: clash, type: 'authenticated', error: `Resource already exists - ${clash}` }]);
  expectOne(await api.publish_by_ids([clash], { type: 'authenticated', overwrite: true }), clash);
  const replaced = await api.resource(clash);
  assert.deepEqual(replaced.tags, []);

  // Refusals.
  const noSel = await fails(api.publish_by_ids([]));
  assert.equal(noSel.http_code, 400);
  assert.equal(noSel.message, 'Missing required parameter - public_ids, prefix or tag');
  const badType = await fails(api.publish_by_tag('publish_test', { type: 'upload' }));
  assert.equal(badType.http_code, 400);
  assert.equal(badType.message, 'Invalid type - upload (must be authenticated or private)');

  console.log(JSON.stringify({ ok: true, published: out }));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : JSON.stringify(err));
  process.exit(1);
});
