// Drives a mediacdn origin's Upload API with the official Node SDK, which
// sends every uploader call as multipart. Run by origin/node_test.go:
//   MEDIACDN_API=http://127.0.0.1:PORT CORPUS=../../testdata/corpus node upload.js
// Exits non-zero with the failed check on stderr.
'use strict';
const assert = require('node:assert/strict');
const path = require('node:path');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');

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

  // The Node SDK's own Admin API suite sets up with this eager text layer
  // (its EXPLICIT_TRANSFORMATION): c_scale,l_text:Arial_60:<tag>,w_100.
  const text = await cloudinary.uploader.upload(file('rocket.jpg'), {
    public_id: 'node/eager_text', eager: [{ width: 100, crop: 'scale', overlay: 'text:Arial_60:api_test_tag_1234' }],
  });
  assert.equal(text.eager.length, 1);
  assert.equal(text.eager[0].transformation, 'c_scale,l_text:Arial_60:api_test_tag_1234,w_100');
  assert.equal(text.eager[0].width, 640);
  assert.equal(text.eager[0].height, 427);

  await largeUploads();
  await uploadParams();

  console.log(JSON.stringify({ ok: true, checks: 'upload overwrite explicit add_tag rename destroy raw error ' +
    'eager_text_layer upload_large chunk_rule moderation empty_file refused_param' }));
}

// bmp24 is a width × height 24-bit BMP (BITMAPINFOHEADER, bottom-up): a
// colour gradient.
function bmp24(width, height) {
  const stride = Math.ceil((width * 3) / 4) * 4;
  const buf = Buffer.alloc(54 + stride * height);
  buf.write('BM', 0, 'latin1');
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(54, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(width, 18);
  buf.writeInt32LE(height, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(24, 28);
  buf.writeUInt32LE(stride * height, 34);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = 54 + y * stride + x * 3;
      buf[i] = x & 0xff; buf[i + 1] = y & 0xff; buf[i + 2] = 128;
    }
  }
  return buf;
}

// uploadLarge wraps the SDK's callback-only upload_large in a promise.
function uploadLarge(file, options) {
  return new Promise((resolve, reject) => {
    cloudinary.uploader.upload_large(file, options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

// upload_large sends every chunk but the last as bytes a-b/-1: a 12 MB
// BMP made here goes up in 5 MB chunks and is stored as one image; chunks
// under 5 MB are refused with Cloudinary's message.
async function largeUploads() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mediacdn-node-'));
  try {
    const big = path.join(dir, 'gradient.bmp');
    const data = bmp24(2000, 2000); // 12,000,054 bytes
    fs.writeFileSync(big, data);
    const res = await uploadLarge(big, { resource_type: 'image', public_id: 'node/large', chunk_size: 5 * 1024 * 1024 });
    assert.equal(res.public_id, 'node/large');
    assert.equal(res.resource_type, 'image');
    assert.equal(res.format, 'bmp');
    assert.equal(res.width, 2000);
    assert.equal(res.height, 2000);
    assert.equal(res.bytes, data.length);
    assert.equal(res.etag, crypto.createHash('md5').update(data).digest('hex'));
    assert.equal(res.original_filename, 'gradient');

    const small = await uploadLarge(big, { resource_type: 'image', public_id: 'node/small_chunks', chunk_size: 1024 * 1024 })
      .catch((e) => e);
    assert.equal(small.http_code, 400);
    assert.equal(small.message, 'All parts except EOF-chunk must be larger than 5mb');

    const empty = path.join(dir, 'empty.png');
    fs.writeFileSync(empty, Buffer.alloc(0));
    const none = await cloudinary.uploader.upload(empty, { public_id: 'node/empty' }).catch((e) => e);
    assert.equal(none.http_code, 400);
    assert.equal(none.message, 'Empty file');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Moderation on upload and explicit, and a refused parameter, as the Node
// SDK sends them. (Its add_tag with exclusive: true would ask for
// set_exclusive, but cloudinary 2.11.0 passes option_consume's arguments
// the wrong way round and sends command=add; origin/upload_params_test.go
// tests set_exclusive over HTTP.)
async function uploadParams() {
  const first = await cloudinary.uploader.upload(file('rocket.jpg'), { public_id: 'node/one', moderation: 'manual' });
  assert.deepEqual(first.moderation, [{ kind: 'manual', status: 'pending' }]);
  await cloudinary.uploader.upload(file('chelsea.png'), { public_id: 'node/two' });
  const exp = await cloudinary.uploader.explicit('node/two', { type: 'upload', moderation: 'manual' });
  assert.deepEqual(exp.moderation, [{ kind: 'manual', status: 'pending' }]);

  const refused = await cloudinary.uploader.upload(file('rocket.jpg'), { on_success: 'current_asset.update({tags: ["x"]})' })
    .catch((e) => e);
  assert.equal(refused.http_code, 400);
  assert.equal(refused.message, 'Parameter on_success is not supported by this server');
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : JSON.stringify(err));
  process.exit(1);
});
