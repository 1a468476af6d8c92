// Drives a mediacdn origin's generate_archive with the official Node SDK:
// uploader.create_zip (multipart) and utils.download_zip_url (a signed GET).
// Run by origin/node_test.go:
//   MEDIACDN_API=http://127.0.0.1:PORT CORPUS=../../testdata/corpus node archive.js
// Exits non-zero with the failed check on stderr.
'use strict';
const assert = require('node:assert/strict');
const path = require('node:path');
const fs = require('node:fs');

// The Node SDK picks http or https once, at load, from CLOUDINARY_URL's
// upload_prefix: set it before require (cloudinary-compat.md §6).
process.env.CLOUDINARY_URL = `cloudinary://demo_key:demo_secret@demo?upload_prefix=${process.env.MEDIACDN_API}`;
const cloudinary = require('cloudinary').v2;
cloudinary.config({ analytics: false });

const corpus = process.env.CORPUS;
const read = (name) => fs.readFileSync(path.join(corpus, name));

// entries lists a zip's file names from its central directory, and checks
// that each stored file's bytes are there whole (images are stored, not
// deflated, so an original is found verbatim).
function entries(zip) {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(end >= 0, 'no end of central directory');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const names = [];
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(at), 0x02014b50);
    const n = zip.readUInt16LE(at + 28), x = zip.readUInt16LE(at + 30), c = zip.readUInt16LE(at + 32);
    names.push(zip.toString('utf8', at + 46, at + 46 + n));
    at += 46 + n + x + c;
  }
  return names.sort();
}

async function get(url) {
  const res = await fetch(url);
  assert.equal(res.status, 200, `${url}: ${res.status} ${await res.clone().text()}`);
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

async function main() {
  await cloudinary.uploader.upload(path.join(corpus, 'rocket.jpg'), { public_id: 'zip/rocket', tags: 'zipme' });
  await cloudinary.uploader.upload(path.join(corpus, 'chelsea.png'), { public_id: 'zip/chelsea', tags: 'zipme' });

  const made = await cloudinary.uploader.create_zip({
    tags: 'zipme', target_public_id: 'node/archive', target_tags: ['made'], target_asset_folder: 'exports',
  });
  assert.equal(made.public_id, 'node/archive.zip');
  assert.equal(made.resource_type, 'raw');
  assert.equal(made.resource_count, 2);
  assert.equal(made.file_count, 2);
  assert.deepEqual(made.tags, ['made']);
  assert.equal(made.asset_folder, 'exports');
  const stored = (await get(process.env.MEDIACDN_API + new URL(made.secure_url).pathname)).body;
  assert.equal(stored.length, made.bytes);
  assert.deepEqual(entries(stored), ['zip/chelsea.png', 'zip/rocket.jpg']);
  assert.ok(stored.includes(read('rocket.jpg')) && stored.includes(read('chelsea.png')));

  const url = cloudinary.utils.download_zip_url({ public_ids: ['zip/rocket', 'zip/chelsea'], flatten_folders: true });
  const { res, body } = await get(url);
  assert.equal(res.headers.get('content-type'), 'application/zip');
  assert.deepEqual(entries(body), ['chelsea.png', 'rocket.jpg']);
  assert.ok(body.includes(read('rocket.jpg')) && body.includes(read('chelsea.png')));

  const refused = await cloudinary.uploader.create_zip({ tags: 'zipme', keep_derived: true }).catch((e) => e);
  assert.equal(refused.http_code, 400);
  assert.equal(refused.message, 'Parameter keep_derived is not supported by this server');

  console.log(JSON.stringify({ ok: true, checks: 'create_zip download_zip_url refused' }));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : JSON.stringify(err));
  process.exit(1);
});
