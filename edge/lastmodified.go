package edge

import (
	"bytes"
	"time"

	"github.com/valyala/fasthttp"
)

// lastModified is the Last-Modified an entry answers with: the origin's,
// or the Date this edge sends when the origin's is later (RFC 9110 8.8.2:
// a Last-Modified later than Date is invalid, and a cache then compares
// If-Modified-Since against a date that has not happened).
//
// It is later when the origin's clock is ahead of the edge's, and right
// after an upload even on one machine: fasthttp does not read the clock
// for every response but sends a Date it renders once a second, so the
// edge's Date runs up to a second behind, while the origin stamps the
// upload's exact second. That Date never goes back, so an entry clamped
// when it is filled stays valid on every hit, and hits do no work for it.
func lastModified(origin []byte) []byte {
	if len(origin) == 0 {
		return nil
	}
	lm, err := fasthttp.ParseHTTPDate(origin)
	if err != nil {
		return copyBytes(origin)
	}
	date, ok := sentDate()
	if ok && lm.After(date) {
		return fasthttp.AppendHTTPDate(nil, date)
	}
	return copyBytes(origin)
}

var dateLine = []byte("\r\nDate: ")

// sentDate is the Date fasthttp puts on a response written now, read from
// a response header it renders (it keeps the value to itself).
func sentDate() (time.Time, bool) {
	var h fasthttp.ResponseHeader
	b := h.AppendBytes(nil)
	i := bytes.Index(b, dateLine)
	if i < 0 {
		return time.Time{}, false
	}
	v := b[i+len(dateLine):]
	if j := bytes.IndexByte(v, '\r'); j >= 0 {
		v = v[:j]
	}
	t, err := fasthttp.ParseHTTPDate(v)
	return t, err == nil
}
