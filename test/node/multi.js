// Drives a mediacdn origin's multi and sprite with the official Node SDK:
// uploader.multi and uploader.generate_sprite, which send the format as
// f_<format> inside the transformation. Run by origin/node_test.go:
//   MEDIACDN_API=http://127.0.0.1:PORT CORPUS=../../testdata/corpus node multi.js
// Exits non-zero with the failed check on stderr.
'use strict';
const assert = require('node:assert/strict');
const path = require('node:path');

// The Node SDK picks http or https once, at load, from CLOUDINARY_URL's
// upload_prefix: set it before require (cloudinary-compat.md §6).
process.env.CLOUDINARY_URL = `cloudinary://demo_key:demo_secret@demo?upload_prefix=${process.env.MEDIACDN_API}`;
const cloudinary = require('cloudinary').v2;
cloudinary.config({ analytics: false });

const corpus = process.env.CORPUS;

async function get(url) {
  const res = await fetch(process.env.MEDIACDN_API + new URL(url).pathname);
  assert.equal(res.status, 200, `${url}: ${res.status} ${res.headers.get('x-cld-error')}`);
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

async function main() {
  await cloudinary.uploader.upload(path.join(corpus, 'rocket.jpg'), { public_id: 'n/a', tags: 'nodeset' });
  await cloudinary.uploader.upload(path.join(corpus, 'chelsea.png'), { public_id: 'n/b', tags: 'nodeset' });

  const multi = await cloudinary.uploader.multi('nodeset', { format: 'webp', width: 40, crop: 'scale' });
  assert.equal(multi.public_id, 'nodeset');
  assert.match(multi.secure_url, /\/demo\/image\/multi\/v\d+\/nodeset\.webp$/);
  const webp = (await get(multi.secure_url)).body;
  assert.equal(webp.toString('latin1', 0, 4), 'RIFF');
  assert.equal(webp.toString('latin1', 8, 12), 'WEBP');
  assert.equal(webp.toString('latin1').split('ANMF').length - 1, 2, 'two frames');

  const sprite = await cloudinary.uploader.generate_sprite('nodeset', { width: 30, crop: 'scale' });
  assert.equal(sprite.public_id, 'nodeset');
  assert.deepEqual(sprite.image_infos, {
    'n/a': { width: 30, height: 20, x: 0, y: 0 },
    'n/b': { width: 30, height: 20, x: 0, y: 20 },
  });
  const css = (await get(sprite.css_url)).body.toString();
  assert.ok(css.includes(`.n\\/b { background: url('${sprite.secure_image_url}') 0px -20px; width: 30px; height: 20px; }`), css);

  // The signed download URLs (GET, mode=download): the file itself.
  const gifURL = cloudinary.uploader.download_multi('nodeset', { width: 20, crop: 'scale' });
  assert.match(gifURL, /\/image\/multi\?.*mode=download/);
  const gif = await fetch(gifURL);
  assert.equal(gif.status, 200, `${gifURL}: ${gif.status} ${await gif.clone().text()}`);
  assert.equal(gif.headers.get('content-type'), 'image/gif');
  assert.equal(gif.headers.get('content-disposition'), 'attachment; filename="nodeset.gif"');
  const g = Buffer.from(await gif.arrayBuffer());
  assert.equal(g.toString('latin1', 0, 6), 'GIF89a');
  assert.equal(g.readUInt16LE(6), 20, 'gif width');
  const pngURL = cloudinary.uploader.download_generated_sprite('nodeset', { width: 10, crop: 'scale' });
  const png = await fetch(pngURL);
  assert.equal(png.status, 200, `${pngURL}: ${png.status} ${await png.clone().text()}`);
  assert.equal(png.headers.get('content-type'), 'image/png');
  const p = Buffer.from(await png.arrayBuffer());
  assert.equal(p.readUInt32BE(16), 10, 'sprite width');
  assert.equal(p.readUInt32BE(20), 14, 'sprite height'); // 10x7 twice
  // Nothing stored by a download: the sprite made before is still 30 wide.
  assert.ok((await get(sprite.css_url)).body.toString().includes('width: 30px;'));
  const tampered = await fetch(gifURL.replace('nodeset', 'other'));
  assert.equal(tampered.status, 401);

  // async: answered at once, made in the background (origin/upload_made_async.go).
  const later = await cloudinary.uploader.multi('nodeset', { async: true });
  assert.equal(later.status, 'processing');
  assert.equal(later.public_id, 'nodeset');
  assert.ok(later.batch_id, 'batch_id');
  const none = await cloudinary.uploader.generate_sprite('no-such-tag').catch((e) => e);
  assert.equal(none.http_code, 404);
  assert.equal(none.message, 'No images found with tag - no-such-tag');

  console.log(JSON.stringify({ ok: true, checks: 'multi generate_sprite download_multi download_generated_sprite async refused' }));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : JSON.stringify(err));
  process.exit(1);
});
