// Generates auth tokens with the official Node SDK for delivery's token
// tests (delivery/authtoken_test.go): reads a JSON array of cases on stdin,
// each {"token": <generate_auth_token options>} or {"url": [public_id,
// <cloudinary.url options>]}, and prints {"ok":true,"out":[...]} with the
// token (or URL) of each.
'use strict';
const cloudinary = require('cloudinary').v2;

let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => {
  const out = JSON.parse(input).map((c) => {
    if (c.token) return cloudinary.utils.generate_auth_token(c.token);
    return cloudinary.url(c.url[0], c.url[1]);
  });
  process.stdout.write(JSON.stringify({ ok: true, out }) + '\n');
});
