package blob

import "fmt"

// Error is a failure of a store's backend (an S3 request that failed,
// after its retries). Error() is for logs: it has the operation, the key
// and the cause, which may name the bucket, the endpoint and the server's
// own message. Clients get Public() (the origin answers such failures as
// its internal errors), never Error().
type Error struct {
	Op  string // "put", "get", "head", "delete", "list", …
	Key string // the blob's key, when there is one
	Err error
}

func (e *Error) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("blob: %s: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("blob: %s %s: %v", e.Op, e.Key, e.Err)
}

// Unwrap gives the cause.
func (e *Error) Unwrap() error { return e.Err }

// Public is what a client may be told: nothing about the store.
func (e *Error) Public() string { return "Internal error" }
