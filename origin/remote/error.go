package remote

// Failure says why a download failed, for callers that answer each
// differently (fetch delivery URLs); an upload answers every one as 400.
type Failure int

const (
	Unavailable Failure = iota // could not connect, an error status, a failed read
	BadURL                     // not an absolute http(s) URL
	NotFound                   // the remote answered 404 or 410
	Refused                    // an address or redirect host not allowed
	TooLarge                   // over the size limit
	Timeout                    // the remote did not answer in time
)

// Error is a failed download: why, and a short reason in plain words
// ("404 Not Found", "address not allowed"). Size is the size that was too
// large (TooLarge).
type Error struct {
	Why    Failure
	Reason string
	Size   int64
}

func (e *Error) Error() string { return "remote: " + e.Reason }
