// Drives a mediacdn origin's structured metadata with the official Node
// SDK (JSON bodies for metadata_fields, k=v|k2=["a","b"] for values): the
// fields its Admin API suite creates before it starts, listed, got,
// updated, their datasource changed and ordered, deleted; values set on
// upload, by update_metadata and by update, read back; the field flags and
// clear_invalid. Run by
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

  await flags();
  console.log(JSON.stringify({ ok: true }));
}

// isMetadataField checks what the Node SDK suite's beAMetadataField
// assertion does: the mandatory keys, a datasource for enum and set, then
// each expected value.
function isMetadataField(field, expected = {}) {
  for (const key of ['type', 'external_id', 'label', 'mandatory', 'default_value', 'validation']) {
    assert.ok(key in field, `metadata field without ${key}: ${JSON.stringify(field)}`);
  }
  if (['enum', 'set'].includes(field.type)) {
    assert.ok(Array.isArray(field.datasource.values), `no datasource: ${JSON.stringify(field)}`);
  }
  for (const [key, value] of Object.entries(expected)) {
    assert.equal(field[key], value, `${key} of ${JSON.stringify(field)}`);
  }
}

// The field flags as the Node SDK's structured_metadata_spec sends them
// ("should create set metadata field", "should update metadata field by
// external id"), restrictions and default_disabled, and clear_invalid on
// update and update_metadata (api_spec's "should support updating
// metadata with clear_invalid").
async function flags() {
  const datasourceMultiple = [{ value: 'v2', external_id: 'metadata_datasource_entry_external_id1' }, { value: 'v3' }, { value: 'v4' }];
  const created = await api.add_metadata_field({ datasource: { values: datasourceMultiple },
    external_id: 'metadata_external_id_set_1', label: 'metadata_external_id_set_1', type: 'set',
    allow_dynamic_list_values: true });
  isMetadataField(created);
  isMetadataField(await api.metadata_field_by_field_id('metadata_external_id_set_1'), {
    external_id: 'metadata_external_id_set_1', label: 'metadata_external_id_set_1', type: 'set', mandatory: false,
    allow_dynamic_list_values: true });

  const externalId = 'metadata_external_id_set_1_2';
  await api.add_metadata_field({ datasource: { values: datasourceMultiple }, external_id: externalId,
    label: externalId, type: 'set', allow_dynamic_list_values: true });
  isMetadataField(await api.update_metadata_field(externalId, { label: `${externalId}_updated`, allow_dynamic_list_values: true }));
  const updated = await api.metadata_field_by_field_id(externalId);
  isMetadataField(updated, { external_id: externalId, label: `${externalId}_updated`, type: 'set', mandatory: false,
    allow_dynamic_list_values: true, default_disabled: false });
  assert.deepEqual(updated.restrictions, { readonly_ui: false });

  const flagged = await api.update_metadata_field(externalId, { restrictions: { readonly_ui: true }, default_disabled: true,
    allow_dynamic_list_values: false });
  isMetadataField(flagged, { default_disabled: true, allow_dynamic_list_values: false });
  assert.deepEqual(flagged.restrictions, { readonly_ui: true });
  const refused = await fails(api.update_metadata_field(externalId, { restrictions: { hidden: true } }));
  assert.equal(refused.http_code, 400);
  assert.equal(refused.message, 'Invalid restrictions - unknown key hidden (must be readonly_ui)');
  for (const f of (await api.list_metadata_fields()).metadata_fields) {
    assert.ok('default_disabled' in f && 'restrictions' in f && 'allow_dynamic_list_values' in f, JSON.stringify(f));
  }

  // clear_invalid: rocket's caption no longer passes once its field takes
  // 1 to 3 characters.
  await cloudinary.uploader.update_metadata({ caption: 'Long caption' }, ['rocket']);
  await api.update_metadata_field('caption', { validation: { type: 'strlen', min: 1, max: 3 } });
  const stale = await fails(cloudinary.uploader.update_metadata({ stock: 8 }, ['rocket']));
  assert.equal(stale.message, 'Invalid metadata value for field caption - longer than 3 characters');
  const cleared = await cloudinary.uploader.update_metadata({ stock: 8 }, ['rocket'], { clear_invalid: true });
  assert.deepEqual(cleared.public_ids, ['rocket']);
  assert.deepEqual((await api.resource('rocket')).metadata, { stock: 8 });
  await cloudinary.uploader.update_metadata({ caption: 'Long caption' }, ['rocket'], { clear_invalid: true })
    .then(() => { throw new Error('an invalid value given with clear_invalid was accepted'); }, (e) => {
      assert.equal((e.error || e).message, 'Invalid metadata value for field caption - longer than 3 characters');
    });
  await api.update_metadata_field('caption', { validation: { type: 'strlen', min: 1, max: 20 } });
  await cloudinary.uploader.update_metadata({ caption: 'Long caption' }, ['rocket']);
  await api.update_metadata_field('caption', { validation: { type: 'strregex', regex: '^[a-z]+$' } });
  const viaUpdate = await api.update('rocket', { clear_invalid: true });
  assert.deepEqual(viaUpdate.metadata, { stock: 8 });
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : JSON.stringify(err));
  process.exit(1);
});
