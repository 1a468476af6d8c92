// Package imaging turns originals into derived images with libvips. It is
// the only package that imports github.com/h2non/bimg (and the only one
// that needs cgo for images): everything else sees bytes, delivery
// transformation values, and errors with a public message.
package imaging
