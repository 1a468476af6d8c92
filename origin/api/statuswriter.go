package api

import (
	"io"
	"net/http"
)

// StatusWriter records the status of the response written through it, for
// the metrics. It keeps what the origin's handlers and net/http rely on:
// io.ReaderFrom (http.ServeContent sends files with sendfile through the
// server's ReadFrom), http.Flusher, and Unwrap, through which
// http.ResponseController reaches the server's writer.
type StatusWriter struct {
	http.ResponseWriter
	status int // the final status written; 0 before the header
}

// WriteHeader records the first final (non-1xx) status.
func (w *StatusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write writes body bytes; without a header written, the status is 200.
func (w *StatusWriter) Write(b []byte) (int, error) {
	w.implicitOK()
	return w.ResponseWriter.Write(b)
}

// ReadFrom copies r to the response through the server's ReadFrom, which
// sends files with sendfile.
func (w *StatusWriter) ReadFrom(r io.Reader) (int64, error) {
	w.implicitOK()
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(w.ResponseWriter, r)
}

// Flush sends what is buffered; without a header written, the status is
// 200.
func (w *StatusWriter) Flush() {
	w.implicitOK()
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap is the wrapped writer, for http.ResponseController.
func (w *StatusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Code is the status the client got: 200 when the handler wrote nothing.
func (w *StatusWriter) Code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// implicitOK records the 200 net/http sends when a body is written before
// a header.
func (w *StatusWriter) implicitOK() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
}

// Unwrapped is the server's own writer under a StatusWriter, for
// http.MaxBytesReader: only the server's writer learns from it that the
// body was cut, to close the connection after the reply.
func Unwrapped(w http.ResponseWriter) http.ResponseWriter {
	if sw, ok := w.(*StatusWriter); ok {
		return sw.ResponseWriter
	}
	return w
}
