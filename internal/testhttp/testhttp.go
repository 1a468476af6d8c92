// Package testhttp sends the requests of tests that talk to a real server
// over HTTP, the same way in every package: one call, the whole answer.
package testhttp

import (
	"io"
	"net/http"
	"testing"
)

// Answer is a response, read whole.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends method to url with headers given as name, value pairs ("Host"
// sets the request's host), and reads the answer; anything that keeps it
// from doing so fails the test.
func Do(t testing.TB, method, url string, headers ...string) Answer {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i] == "Host" {
			req.Host = headers[i+1]
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, url, err)
	}
	return Answer{resp.StatusCode, resp.Header, b}
}
