// Package origin is the asset service: durable storage of originals and
// derived files, Cloudinary's Upload and Admin APIs under /v1_1/<cloud>/,
// and delivery of originals and transformations to edges. Image work goes
// through the Transformer interface, which origin/imaging implements with
// libvips; this package itself needs no cgo.
package origin
