// Drives a mediacdn origin's structured metadata with the official Node
// SDK (JSON bodies for metadata_fields, k=v|k2=["a","b"] for values): the
// fields its Admin API suite creates before it starts, listed, got,
// updated, their datasource changed and ordered, deleted; values set on
// upload, by update_metadata and by update, read back. Run by
// origin/metadata_test.go:
//   MEDIACDN_API=http://127.0.0.1:PORT CORPUS=dir node metadata.js
// Exits non-zero with the failed check on stderr.
'use strict';
const assert = require('node:assert/strict');
const path = require('node:path');

process.env.CLOUDINARY_URL = `cloudinary://demo_key:demo_secret@demo?upload_prefix=${process.env.MEDIACDN_API}`;
const cloudinary = require('cloudinary').v2;
cloudinary.config({ analytics: false });
const api = cloudinary.api;

const fails = async (promise) => promise.then(
  (r) => { throw new Error(`expected an error, got ${JSON.stringify(r)}`); },
  (e) => e.error || e);

async function main() {
  const str = await api.add_metadata_field({ external_id: 'caption', label: 'Caption', type: 'string',
    validation: { type: 'strlen', min: 1, max: 20 } });
  assert.equal(str.external_id, 'caption');
  assert.deepEqual(str.validation, { type: 'strlen', min: 1, max: 20 });
  const num = await api.add_metadata_field({ external_id: 'stock', label: 'In stock', type: 'integer',
    mandatory: true, default_value: 5, validation: { type: 'and', rules: [
      { type: 'greater_than', value: 0, equals: true }, { type: 'less_than', value: 1000 }] } });
  assert.equal(num.default_value, 5);
  assert.equal(num.mandatory, true);
  const set = await api.add_metadata_field({ external_id: 'tags_id', label: 'Tags', type: 'set',
    datasource: { values: [{ external_id: 'a', value: 'Alpha' }, { external_id: 'b', value: 'Beta' }] } });
  assert.deepEqual(set.datasource.values.map((v) => `${v.external_id}:${v.state}`), ['a:active', 'b:active']);
  const dup = await fails(api.add_metadata_field({ external_id: 'caption', label: 'Again', type: 'string' }));
  assert.equal(dup.http_code, 400);
  assert.equal(dup.message, 'external id caption already exists');

  const list = await api.list_metadata_fields();
  assert.deepEqual(list.metadata_fields.map((f) => f.external_id), ['caption', 'stock', 'tags_id']);
  assert.equal((await api.metadata_field_by_field_id('stock')).label, 'In stock');
  assert.equal((await api.update_metadata_field('caption', { label: 'Alt caption' })).label, 'Alt caption');
  const ds = await api.update_metadata_field_datasource('tags_id', { values: [{ external_id: 'c', value: 'Gamma' }] });
  assert.deepEqual(ds.values.map((v) => v.external_id), ['a', 'b', 'c']);
  const off = await api.delete_datasource_entries('tags_id', ['b']);
  // The answer lists the entries still active, as Cloudinary's.
  assert.deepEqual(off.values.map((v) => `${v.external_id}:${v.state}`), ['a:active', 'c:active']);
  const on = await api.restore_metadata_field_datasource('tags_id', ['b']);
  assert.deepEqual(on.values.map((v) => v.state), ['active', 'active', 'active']);
  const ordered = await api.order_metadata_field_datasource('tags_id', 'value', 'desc');
  assert.deepEqual(ordered.values.map((v) => v.value), ['Gamma', 'Beta', 'Alpha']);
  const fields = await api.reorder_metadata_fields('label', 'asc');
  assert.deepEqual(fields.metadata_fields.map((f) => f.external_id), ['caption', 'stock', 'tags_id']);

  const up = await cloudinary.uploader.upload(path.join(process.env.CORPUS, 'rocket.jpg'), { public_id: 'rocket',
    metadata: { caption: 'A | rocket = fast', tags_id: ['a', 'c'] } });
  assert.deepEqual(up.metadata, { caption: 'A | rocket = fast', stock: 5, tags_id: ['a', 'c'] });
  const bad = await fails(cloudinary.uploader.upload(path.join(process.env.CORPUS, 'rocket.jpg'),
    { public_id: 'bad', metadata: { stock: -1 } }));
  assert.equal(bad.http_code, 400);
  assert.equal(bad.message, 'Invalid metadata value for field stock - must be greater than or equal to 0');
  const ids = await cloudinary.uploader.update_metadata({ stock: 7, caption: '' }, ['rocket', 'missing']);
  assert.deepEqual(ids.public_ids, ['rocket']);
  const updated = await api.update('rocket', { metadata: { tags_id: ['b'] } });
  assert.deepEqual(updated.metadata, { stock: 7, tags_id: ['b'] });
  const listed = await api.resources({ metadata: true });
  assert.deepEqual(listed.resources[0].metadata, { stock: 7, tags_id: ['b'] });

  assert.equal((await api.delete_metadata_field('tags_id')).message, 'ok');
  assert.deepEqual((await api.resource('rocket')).metadata, { stock: 7 });
  const gone = await fails(api.metadata_field_by_field_id('tags_id'));
  assert.equal(gone.http_code, 404);
  assert.equal(gone.message, 'Metadata field tags_id does not exist');

  console.log(JSON.stringify({ ok: true }));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : JSON.stringify(err));
  process.exit(1);
});
