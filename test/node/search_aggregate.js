// Drives a mediacdn origin's Search API aggregations with the official
// Node SDK's search builder, whose aggregate() passes a range object
// through into its JSON body. The origin holds the assets that
// origin/search_aggregate_test.go seeds under agg/. Run by it:
//   MEDIACDN_API=http://127.0.0.1:PORT node search_aggregate.js
// Exits non-zero with the failed check on stderr.
'use strict';
const assert = require('node:assert/strict');

process.env.CLOUDINARY_URL = `cloudinary://demo_key:demo_secret@demo?upload_prefix=${process.env.MEDIACDN_API}`;
const cloudinary = require('cloudinary').v2;
cloudinary.config({ analytics: false });

const fails = async (promise) => promise.then(
  (r) => { throw new Error(`expected an error, got ${JSON.stringify(r)}`); },
  (e) => e.error || e);

async function main() {
  const res = await cloudinary.search.expression('public_id:agg/*')
    .aggregate({ type: 'bytes', ranges: [{ key: 'tiny', to: 5000 }, { key: 'medium', from: 5000, to: 10240 },
      { key: 'big', from: 10240 }] })
    .aggregate({ type: 'duration', ranges: [{ key: 'clip', from: 0, to: 29.97 }] })
    .aggregate('format')
    .aggregate('pixels')
    .max_results(1)
    .execute();
  assert.equal(res.total_count, 6);
  assert.deepEqual(res.aggregations, {
    bytes: { tiny: 1, medium: 1, big: 4 },
    duration: { clip: 2 },
    format: { '': 1, jpg: 3, mp4: 2 },
    pixels: { tiny: 1, small: 0, medium: 1, large: 1, huge: 0 },
  });
  // In the order asked for.
  assert.deepEqual(Object.keys(res.aggregations), ['bytes', 'duration', 'format', 'pixels']);
  assert.deepEqual(Object.keys(res.aggregations.bytes), ['tiny', 'medium', 'big']);

  const bad = await fails(cloudinary.search.aggregate({ type: 'bytes', ranges: [{ key: 'x', from: 9, to: 1 }] }).execute());
  assert.equal(bad.http_code, 400);
  assert.equal(bad.message, 'Invalid aggregation - bytes: range 1 has from 9 not below to 1');

  console.log(JSON.stringify({ ok: true }));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : JSON.stringify(err));
  process.exit(1);
});
