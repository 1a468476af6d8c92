package testkit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// Answer is a response, read whole.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// String is the answer in a line for a failing test's message: the
// status, the body (as text when it is short text, else its length and a
// digest that tells two bodies apart) and the headers.
func (a Answer) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d, ", a.Status)
	if len(a.Body) <= 200 && utf8.Valid(a.Body) && !slices.Contains(a.Body, 0) {
		fmt.Fprintf(&b, "body %q", a.Body)
	} else {
		sum := sha256.Sum256(a.Body)
		fmt.Fprintf(&b, "%d bytes sha256:%s", len(a.Body), hex.EncodeToString(sum[:6]))
	}
	names := make([]string, 0, len(a.Header))
	for name := range a.Header {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Fprintf(&b, ", %s: %s", name, strings.Join(a.Header[name], ", "))
	}
	return b.String()
}

// Do sends method to url with headers given as name, value pairs ("Host"
// sets the request's host) with http.DefaultClient, and reads the answer
// whole; anything that keeps it from doing so fails the test.
func Do(tb testing.TB, method, url string, headers ...string) Answer {
	tb.Helper()
	if len(headers)%2 != 0 {
		tb.Fatalf("testkit: %s %s: headers come as name, value pairs: %q", method, url, headers)
	}
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < len(headers); i += 2 {
		if headers[i] == "Host" {
			req.Host = headers[i+1]
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: reading the body: %v", method, url, err)
	}
	return Answer{resp.StatusCode, resp.Header, b}
}

// Get is Do with GET.
func Get(tb testing.TB, url string, headers ...string) Answer {
	tb.Helper()
	return Do(tb, http.MethodGet, url, headers...)
}
