// Drives a mediacdn origin's Admin API with the official Node SDK, which
// sends urlencoded bodies (even on DELETE), x[] arrays and percent-encoded
// IDs in paths. Run by origin/admin_node_test.go:
//   MEDIACDN_API=http://127.0.0.1:PORT CORPUS=/path/to/corpus node admin.js
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
  const ping = await api.ping();
  assert.equal(ping.status, 'ok');
  // Rate-limit headers reach the SDK's result fields.
  assert.equal(ping.rate_limit_allowed, 500);
  assert.equal(typeof ping.rate_limit_remaining, 'number');
  assert.ok(ping.rate_limit_reset_at instanceof Date && ping.rate_limit_reset_at > new Date());

  const up = await cloudinary.uploader.upload(file('rocket.jpg'), {
    public_id: 'node/rocket', tags: ['space'], context: 'alt=Rocket', eager: [{ width: 40, crop: 'scale' }],
  });
  await cloudinary.uploader.upload(file('chelsea.png'), { public_id: 'node/cat', tags: ['pet'] });
  await cloudinary.uploader.upload(file('coffee.png'), { public_id: 'other/coffee' });

  assert.deepEqual((await api.resource_types()).resource_types, ['image']);

  // Listings: newest first, paged; by prefix; by IDs; by tag; by context.
  const first = await api.resources({ max_results: 2, tags: true });
  assert.deepEqual(first.resources.map((r) => r.public_id), ['other/coffee', 'node/cat']);
  assert.deepEqual(first.resources[1].tags, ['pet']);
  assert.ok(first.next_cursor);
  const second = await api.resources({ max_results: 2, next_cursor: first.next_cursor });
  assert.deepEqual(second.resources.map((r) => r.public_id), ['node/rocket']);
  assert.equal(second.next_cursor, undefined);
  const r = second.resources[0];
  assert.equal(r.asset_id, up.asset_id);
  assert.equal(r.version, up.version);
  assert.equal(r.url, up.url);
  assert.equal(r.bytes, up.bytes);
  assert.equal(r.created_at, up.created_at);
  assert.equal(r.tags, undefined);

  const byPrefix = await api.resources({ type: 'upload', prefix: 'node/' });
  assert.deepEqual(byPrefix.resources.map((x) => x.public_id), ['node/cat', 'node/rocket']);
  const byIds = await api.resources_by_ids(['node/rocket', 'missing', 'other/coffee']);
  assert.deepEqual(byIds.resources.map((x) => x.public_id), ['node/rocket', 'other/coffee']);
  const byTag = await api.resources_by_tag('pet');
  assert.deepEqual(byTag.resources.map((x) => x.public_id), ['node/cat']);
  const byCtx = await api.resources_by_context('alt', 'Rocket', { context: true });
  assert.deepEqual(byCtx.resources[0].context, { custom: { alt: 'Rocket' } });
  const since = await api.resources({ start_at: new Date(Date.now() + 3600e3) });
  assert.equal(since.resources.length, 0);
  // start_at as Date.toString() gives it (the SDK's own suite sends one).
  const sinceText = await api.resources({ start_at: new Date(Date.now() + 3600e3).toString() });
  assert.equal(sinceText.resources.length, 0);
  const beforeText = await api.resources({ start_at: new Date(Date.now() - 3600e3).toString(), direction: 'asc' });
  assert.ok(beforeText.resources.length > 0);

  // Details (the ID percent-encoded in the path) with derived and analysis.
  const d = await api.resource('node/rocket', { colors: true, phash: true, image_metadata: true, faces: true });
  assert.equal(d.public_id, 'node/rocket');
  assert.equal(d.derived.length, 1);
  assert.equal(d.derived[0].transformation, 'c_scale,w_40');
  assert.ok(d.colors.length > 0 && d.colors[0][0].startsWith('#'));
  assert.match(d.phash, /^[0-9a-f]{16}$/);
  assert.deepEqual(d.faces, []);
  assert.equal(d.face_detection, undefined); // faces detected: none in the rocket
  assert.equal((await api.resource_by_asset_id(up.asset_id)).public_id, 'node/rocket');

  // Update: tags, context, coordinates as Node encodes them, moderation.
  const upd = await api.update('node/cat', {
    tags: ['a', 'b'], context: { caption: 'Cat' }, face_coordinates: [[1, 2, 30, 40]],
    custom_coordinates: [[5, 6, 7, 8]], moderation_status: 'rejected', display_name: 'Kitty',
  });
  assert.deepEqual(upd.tags, ['a', 'b']);
  assert.deepEqual(upd.context, { custom: { caption: 'Cat' } });
  assert.equal(upd.display_name, 'Kitty');
  const co = await api.resource('node/cat', { coordinates: true });
  assert.deepEqual(co.coordinates, { faces: [[1, 2, 30, 40]], custom: [[5, 6, 7, 8]] });
  const mod = await api.resources_by_moderation('manual', 'rejected');
  assert.deepEqual(mod.resources.map((x) => x.public_id), ['node/cat']);

  const tags = await api.tags();
  assert.deepEqual(tags.tags, ['a', 'b', 'space']);

  // Named transformations.
  assert.equal((await api.create_transformation('nodesmall', { width: 20, crop: 'scale' })).message, 'created');
  const tr = await api.transformation('t_nodesmall');
  assert.equal(tr.name, 't_nodesmall');
  assert.equal(tr.named, true);
  assert.deepEqual(tr.info, [{ crop: 'scale', width: 20 }]);
  assert.equal((await api.update_transformation('nodesmall', { allowed_for_strict: false })).message, 'updated');
  const list = await api.transformations({ named: true });
  assert.deepEqual(list.transformations.map((x) => [x.name, x.allowed_for_strict]), [['t_nodesmall', false]]);
  assert.equal((await api.delete_transformation('nodesmall')).message, 'deleted');
  const gone = await fails(api.transformation('t_nodesmall'));
  assert.equal(gone.http_code, 404);

  // Related assets.
  const rel = await api.add_related_assets('node/rocket', ['image/upload/node/cat']);
  assert.equal(rel.success.length, 1);
  const withRel = await api.resource('node/cat', { related: true });
  assert.deepEqual(withRel.related_assets.map((x) => x.public_id), ['node/rocket']);
  assert.equal((await api.delete_related_assets('node/cat', ['image/upload/node/rocket'])).success.length, 1);

  // Deletes: derived by ID, by transformation, by IDs, by prefix, by tag, all.
  const derivedId = d.derived[0].id;
  assert.deepEqual((await api.delete_derived_resources([derivedId])).deleted, { [derivedId]: 'deleted' });
  await cloudinary.uploader.explicit('node/rocket', { type: 'upload', eager: [{ width: 30, crop: 'scale' }] });
  const byTx = await api.delete_derived_by_transformation(['node/rocket'], [{ width: 30, crop: 'scale' }]);
  assert.deepEqual(byTx.deleted_counts['node/rocket'], { original: 0, derived: 1 });
  const del = await api.delete_resources(['node/rocket', 'nope'], { invalidate: true });
  assert.deepEqual(del.deleted, { 'node/rocket': 'deleted', nope: 'not_found' });
  assert.equal(del.partial, false);
  const pre = await api.delete_resources_by_prefix('other/');
  assert.deepEqual(pre.deleted, { 'other/coffee': 'deleted' });
  const tagged = await api.delete_resources_by_tag('a');
  assert.deepEqual(tagged.deleted, { 'node/cat': 'deleted' });
  await cloudinary.uploader.upload(file('chelsea.png'), { public_id: 'last' });
  const all = await api.delete_all_resources({ keep_original: false });
  assert.deepEqual(all.deleted, { last: 'deleted' });

  // Errors carry Cloudinary's message and the HTTP code.
  const missing = await fails(api.resource('5traNge_nam3'));
  assert.equal(missing.http_code, 404);
  assert.equal(missing.message, 'Resource not found - 5traNge_nam3');

  const usage = await api.usage();
  assert.equal(usage.plan, 'Self-hosted');
  assert.equal(usage.resources, 0);
  assert.ok(usage.transformations.usage >= 2);

  // fields: public_id, asset_id, folder and every field named, empty ones
  // included, on every listing (the keys Cloudinary answers).
  const plain = await cloudinary.uploader.upload(file('chelsea.png'), { public_id: 'am/plain', moderation: 'manual' });
  await cloudinary.uploader.upload(file('rocket.jpg'), { public_id: 'am/rich', tags: ['am'], context: 'k=v' });
  const keys = (r) => Object.keys(r.resources[0]).sort();
  const want = ['asset_id', 'folder', 'public_id', 'tags'];
  const listed = await api.resources({ fields: ['tags'] });
  assert.deepEqual(keys(listed), want);
  assert.deepEqual(listed.resources.map((x) => [x.public_id, x.folder, x.tags]),
    [['am/rich', 'am', ['am']], ['am/plain', 'am', []]]);
  assert.deepEqual(keys(await api.resources_by_ids(['am/plain'], { fields: ['tags'] })), want);
  assert.deepEqual(keys(await api.resources_by_tag('am', { fields: ['tags'] })), want);
  assert.deepEqual(keys(await api.resources_by_context('k', 'v', { fields: ['tags'] })), want);
  assert.deepEqual(keys(await api.resources_by_moderation('manual', 'pending', { fields: ['tags'] })), want);
  assert.deepEqual(keys(await api.resources_by_asset_ids([plain.asset_id], { fields: ['tags'] })), want);
  const withCtx = await api.resources({ fields: ['tags', 'context'], prefix: 'am/', type: 'upload' });
  assert.deepEqual(withCtx.resources.map((x) => x.context), [{}, { custom: { k: 'v' } }]);

  // access_mode: set on upload and explicit, switched by IDs, prefix and
  // tag; an authenticated asset is delivered only through a signed URL.
  const locked = await cloudinary.uploader.upload(file('rocket.jpg'), {
    public_id: 'am/locked', access_mode: 'authenticated', tags: ['am-lock'],
  });
  assert.equal(locked.access_mode, 'authenticated');
  const deliver = async (opts) => {
    const u = new URL(cloudinary.url('am/locked', { format: 'jpg', ...opts }));
    return (await fetch(process.env.MEDIACDN_API + u.pathname)).status;
  };
  assert.equal(await deliver({}), 401);
  assert.equal(await deliver({ sign_url: true }), 200);
  assert.equal(await deliver({ sign_url: true, width: 40, crop: 'scale' }), 200);
  const modeByIds = await api.update_resources_access_mode_by_ids('public', ['am/locked', 'am/none']);
  assert.deepEqual(modeByIds.updated, [{ public_id: 'am/locked', access_mode: 'public' }]);
  assert.deepEqual(modeByIds.failed, [{ public_id: 'am/none', error: 'not_found' }]);
  assert.equal(await deliver({}), 200);
  assert.equal((await api.resource('am/locked')).access_mode, 'public');
  const modeByPrefix = await api.update_resources_access_mode_by_prefix('authenticated', 'am/lo');
  assert.deepEqual(modeByPrefix.updated, [{ public_id: 'am/locked', access_mode: 'authenticated' }]);
  assert.equal(await deliver({}), 401);
  const modeByTag = await api.update_resources_access_mode_by_tag('public', 'am-lock');
  assert.deepEqual(modeByTag.updated.map((x) => [x.public_id, x.access_mode]), [['am/locked', 'public']]);
  const ex = await cloudinary.uploader.explicit('am/locked', { type: 'upload', access_mode: 'authenticated' });
  assert.equal(ex.access_mode, 'authenticated');
  assert.equal(await deliver({}), 401);
  const badMode = await fails(api.update_resources_access_mode_by_ids('hidden', ['am/locked']));
  assert.equal(badMode.http_code, 400);
  assert.equal(badMode.message, 'Invalid access_mode - hidden (must be public or authenticated)');

  // Parameters this server does not implement are refused, naming them.
  const ocr = await fails(api.update('am/plain', { ocr: 'adv_ocr' }));
  assert.equal(ocr.http_code, 400);
  assert.equal(ocr.message, 'Parameter ocr is not supported by this server');
  const qa = await fails(api.resource('am/plain', { accessibility_analysis: true }));
  assert.equal(qa.message, 'Parameter accessibility_analysis is not supported by this server');

  // An OAuth token is refused as Cloudinary refuses an invalid one.
  const token = 'MTQ0NjJkZmQ5OTM2NDE1ZTZjNGZmZjI4';
  const adminTok = await fails(api.resource('am/plain', { oauth_token: token }));
  assert.equal(adminTok.http_code, 401);
  assert.equal(adminTok.message, 'Invalid token');
  const upTok = await fails(cloudinary.uploader.upload(file('rocket.jpg'), { public_id: 'am/tok', oauth_token: token }));
  assert.equal(upTok.http_code, 401);
  assert.equal(upTok.message, 'Invalid token');

  console.log(JSON.stringify({ ok: true }));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : JSON.stringify(err));
  process.exit(1);
});
