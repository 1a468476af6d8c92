// Drives search URLs with the official Node SDK: search.to_url builds a
// signed URL on the edge's address (cname, secure false: the SDK's shared
// distribution form, http://<cname>/<cloud>/search/...), fetched through
// that edge and its origin, whose answers must equal the Admin API's
// search (execute) page by page; a second fetch is an edge hit; tampered
// signatures, ttls and queries are refused. The origin holds the assets
// app/searchurl_test.go uploads under sq/. Run by it:
//   MEDIACDN_API=http://127.0.0.1:PORT MEDIACDN_EDGE=127.0.0.1:PORT node search_url.js
// Exits non-zero with the failed check on stderr.
'use strict';
const assert = require('node:assert/strict');

process.env.CLOUDINARY_URL = `cloudinary://demo_key:demo_secret@demo?upload_prefix=${process.env.MEDIACDN_API}`;
const cloudinary = require('cloudinary').v2;
cloudinary.config({ analytics: false });
const edge = { secure: false, cname: process.env.MEDIACDN_EDGE };

const query = () => cloudinary.search.expression('folder:sq').sort_by('public_id', 'asc').max_results(2)
  .with_field('tags');

async function get(url) {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: res.status === 200 ? JSON.parse(text) : null };
}

// An answer without what differs between two runs of a search (time)
// and what the SDK adds from the Admin API's headers (rate_limit_*).
function comparable(r) {
  const { time, rate_limit_allowed, rate_limit_remaining, rate_limit_reset_at, ...rest } = r; // eslint-disable-line no-unused-vars
  return rest;
}

async function main() {
  // Page by page: the URL's answer is the Admin API's.
  const ids = [];
  let cursor;
  for (let page = 1; ; page++) {
    const url = query().to_url(120, cursor, { ...edge });
    assert.ok(url.startsWith(`http://${process.env.MEDIACDN_EDGE}/demo/search/`), url);
    const got = await get(url);
    assert.equal(got.status, 200, `page ${page}: ${got.text}`);
    assert.equal(got.headers.get('cache-status'), 'mediacdn; fwd=miss; stored');
    assert.equal(got.headers.get('cache-control'), 'public, max-age=120');
    const q = query();
    if (cursor) q.next_cursor(cursor);
    const want = await q.execute();
    assert.deepEqual(comparable(got.body), comparable(want));
    // The second fetch is the edge's.
    const again = await get(url);
    assert.equal(again.headers.get('cache-status'), 'mediacdn; hit');
    assert.equal(again.text, got.text);
    got.body.resources.forEach((r) => ids.push(r.public_id));
    cursor = got.body.next_cursor;
    if (!cursor) break;
  }
  assert.deepEqual(ids, ['sq/a', 'sq/b', 'sq/c']);
  // The cursor given to the builder (next_cursor) goes into the path too.
  const first = await get(query().to_url(120, undefined, { ...edge }));
  const viaBuilder = query().next_cursor(first.body.next_cursor).to_url(120, undefined, { ...edge });
  assert.ok(viaBuilder.endsWith(`/${first.body.next_cursor}`), viaBuilder);
  assert.equal((await get(viaBuilder)).body.resources[0].public_id, 'sq/c');

  // Refused: as delivery refusals are, with X-Cld-Error.
  const url = query().to_url(300, undefined, { ...edge });
  const parts = url.split('/'); // http:, '', host, demo, search, sig, ttl, query...
  const sig = parts[5];
  const tampered = [...parts.slice(0, 5), (sig[0] === '0' ? '1' : '0') + sig.slice(1), ...parts.slice(6)].join('/');
  const foreign = query().to_url(300, undefined, { ...edge, api_secret: 'not_the_secret' });
  const retimed = [...parts.slice(0, 6), '301', ...parts.slice(7)].join('/');
  for (const [name, u, status, msg] of [
    ['tampered signature', tampered, 401, 'Invalid URL signature'],
    ['another secret', foreign, 401, 'Invalid URL signature'],
    ['ttl changed', retimed, 401, 'Invalid URL signature'],
    ['negative ttl', query().to_url(-5, undefined, { ...edge }), 400, 'Invalid search URL ttl - -5'],
    ['ttl over a day', query().to_url(86401, undefined, { ...edge }), 400, 'Invalid search URL ttl - 86401'],
    ['junk base64', [...parts.slice(0, 7), 'not*base64'].join('/'), 400, 'Invalid search query'],
    ['forged cursor', query().to_url(300, 'forged.cursor', { ...edge }), 400, 'Invalid next_cursor - forged.cursor'],
  ]) {
    const r = await get(u);
    assert.equal(r.status, status, `${name}: ${r.status} ${r.text}`);
    assert.ok((r.headers.get('x-cld-error') || '').startsWith(msg), `${name}: ${r.headers.get('x-cld-error')}`);
  }

  console.log(JSON.stringify({ ok: true }));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : JSON.stringify(err));
  process.exit(1);
});
