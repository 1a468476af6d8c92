// The official Node SDK's notification_url on upload, rename and destroy
// (the Go SDK has none on rename and destroy): a receiver on loopback gets
// each webhook once and checks its signature with the SDK's
// utils.verifyNotificationSignature. Run by origin/node_test.go (the origin
// must allow loopback: fetch.allow_networks):
//   MEDIACDN_API=http://127.0.0.1:PORT CORPUS=../../testdata/corpus node webhooks.js
'use strict';
const assert = require('node:assert/strict');
const http = require('node:http');
const path = require('node:path');

process.env.CLOUDINARY_URL = `cloudinary://demo_key:demo_secret@demo?upload_prefix=${process.env.MEDIACDN_API}`;
const cloudinary = require('cloudinary').v2;
cloudinary.config({ analytics: false });

const file = (name) => path.join(process.env.CORPUS, name);

async function main() {
  const got = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const ts = Number(req.headers['x-cld-timestamp']);
      assert.ok(cloudinary.utils.verifyNotificationSignature(body, ts, req.headers['x-cld-signature']),
        `signature of ${body}`);
      got.push(JSON.parse(body));
      res.end('ok');
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hook = `http://127.0.0.1:${receiver.address().port}/hook`;
  const waitFor = async (n) => {
    for (let i = 0; i < 300 && got.length < n; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(got.length, n, `webhooks received: ${JSON.stringify(got)}`);
    return got[n - 1];
  };

  const up = await cloudinary.uploader.upload(file('rocket.jpg'), { public_id: 'node/hooked', notification_url: hook });
  const u = await waitFor(1);
  assert.equal(u.notification_type, 'upload');
  assert.equal(u.public_id, 'node/hooked');
  assert.equal(u.version, up.version);
  assert.equal(u.asset_id, up.asset_id);

  await cloudinary.uploader.rename('node/hooked', 'node/moved', { notification_url: hook });
  const r = await waitFor(2);
  assert.equal(r.notification_type, 'rename');
  assert.equal(r.from_public_id, 'node/hooked');
  assert.equal(r.to_public_id, 'node/moved');

  const d = await cloudinary.uploader.destroy('node/moved', { notification_url: hook });
  assert.equal(d.result, 'ok');
  const del = await waitFor(3);
  assert.equal(del.notification_type, 'delete');
  assert.deepEqual(del.resources.map((x) => x.public_id), ['node/moved']);

  receiver.close();
  console.log(JSON.stringify({ ok: true }));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : JSON.stringify(err));
  process.exit(1);
});
