// Creates a named transformation with an empty format through the official
// Node SDK, as its own suite does ("should allow creating named
// transformation with an empty format": format '' sends c_scale,w_102/),
// and reads it back. Run by origin/admin_transformations_test.go:
//   MEDIACDN_API=http://127.0.0.1:PORT node transformations.js
// Exits non-zero with the failed check on stderr.
'use strict';
const assert = require('node:assert/strict');

process.env.CLOUDINARY_URL = `cloudinary://demo_key:demo_secret@demo?upload_prefix=${process.env.MEDIACDN_API}`;
const cloudinary = require('cloudinary').v2;
cloudinary.config({ analytics: false });
const api = cloudinary.api;

async function main() {
  const created = await api.create_transformation('no_ext', { crop: 'scale', width: 102, format: '' });
  assert.equal(created.message, 'created');
  const got = await api.transformation('no_ext');
  assert.ok(got.allowed_for_strict);
  assert.deepEqual(got.info, [{ crop: 'scale', width: 102, extension: 'none' }]);
  assert.ok(!got.used);
  console.log(JSON.stringify({ ok: true }));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : JSON.stringify(err));
  process.exit(1);
});
