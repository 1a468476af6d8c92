// Drives a mediacdn origin's Upload API with the official Node SDK, which
// sends every uploader call as multipart. Run by origin/node_test.go:
//   MEDIACDN_API=http://127.0.0.1:PORT CORPUS=../../testdata/corpus node upload.js
// Exits non-zero with the failed check on stderr.
'use strict';
const assert = require('node:assert/strict');
const path = require('node:path');
const crypto = require('node:crypto');
const fs = require('node:fs');

// The Node SDK picks http or https once, at load, from CLOUDINARY_URL's
// upload_prefix: set it before require (cloudinary-compat.md §6).
process.env.CLOUDINARY_URL = `cloudinary://demo_key:demo_secret@demo?upload_prefix=${process.env.MEDIACDN_API}`;
const cloudinary = require('cloudinary').v2;
cloudinary.config({ analytics: false });

const corpus = process.env.CORPUS;
const file = (name) => path.join(corpus, name);
const md5 = (name) => crypto.createHash('md5').update(fs.readFileSync(file(name))).digest('hex');

async function main() {
  const up = await cloudinary.uploader.upload(file('rocket.jpg'), {
    public_id: 'node/pic', tags: ['n1', 'n2'], context: 'alt=From Node', overwrite: true,
  });
  assert.equal(up.public_id, 'node/pic');
  assert.equal(up.resource_type, 'image');
  assert.equal(up.format, 'jpg');
  assert.equal(up.width, 640);
  assert.equal(up.height, 427);
  assert.equal(up.etag, md5('rocket.jpg'));
  assert.deepEqual(up.tags, ['n1', 'n2']);
  assert.deepEqual(up.context, { custom: { alt: 'From Node' } });
  assert.equal(typeof up.version, 'number');
  assert.match(up.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const expected = crypto.createHash('sha1').update(`public_id=${up.public_id}&version=${up.version}demo_secret`).digest('hex');
  assert.equal(up.signature, expected);

  const over = await cloudinary.uploader.upload(file('chelsea.png'), {
    public_id: 'node/pic', overwrite: true, invalidate: true,
  });
  assert.equal(over.overwritten, true);
  assert.ok(over.version > up.version);
  assert.equal(over.asset_id, up.asset_id);
  assert.equal(over.format, 'png');

  const exp = await cloudinary.uploader.explicit('node/pic', { type: 'upload', tags: 'e1,e2' });
  assert.deepEqual(exp.tags, ['e1', 'e2']);

  const tagged = await cloudinary.uploader.add_tag('extra', ['node/pic', 'node/missing']);
  assert.deepEqual(tagged.public_ids, ['node/pic']);

  const ren = await cloudinary.uploader.rename('node/pic', 'node/renamed', { invalidate: true });
  assert.equal(ren.public_id, 'node/renamed');
  assert.equal(ren.version, over.version);

  const gone = await cloudinary.uploader.rename('node/pic', 'node/other').catch((e) => e);
  assert.equal(gone.http_code, 404);
  assert.equal(gone.message, 'Resource not found - node/pic');

  const del = await cloudinary.uploader.destroy('node/renamed', { invalidate: true });
  assert.deepEqual(del, { result: 'ok' });
  const again = await cloudinary.uploader.destroy('node/renamed');
  assert.deepEqual(again, { result: 'not found' });

  const raw = await cloudinary.uploader.upload(file('README.md'), { resource_type: 'raw', use_filename: true });
  assert.equal(raw.resource_type, 'raw');
  assert.match(raw.public_id, /^README_[a-z0-9]{6}\.md$/);

  const bad = await cloudinary.uploader.upload(file('README.md'), { resource_type: 'image' }).catch((e) => e);
  assert.equal(bad.http_code, 400);
  assert.equal(bad.message, 'Invalid image file');

  console.log(JSON.stringify({ ok: true, checks: 'upload overwrite explicit add_tag rename destroy raw error' }));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : JSON.stringify(err));
  process.exit(1);
});
