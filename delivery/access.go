package delivery

import (
	"strconv"
	"strings"
)

// Access is what an origin tells an edge, in HeaderAccess, about who may
// see an answer it caches: a request with a valid token (VerifyToken), and
// anyone during one of the anonymous windows (an asset's access_control
// entries of type anonymous). Its text form is
//
//	token[ anonymous=<start>-<end>]...
//
// with Unix seconds, either side empty for an open end.
type Access struct {
	// Windows are the anonymous windows; none means a token always.
	Windows []Window
}

// Window is one anonymous window, [Start, End) in Unix seconds; zero is
// an open end.
type Window struct {
	Start, End int64
}

// Contains reports whether now (Unix seconds) is within the window.
func (w Window) Contains(now int64) bool {
	return (w.Start == 0 || now >= w.Start) && (w.End == 0 || now < w.End)
}

// Anonymous reports whether anyone may see the answer at now (Unix
// seconds): now is within one of the windows.
func (a *Access) Anonymous(now int64) bool {
	for _, w := range a.Windows {
		if w.Contains(now) {
			return true
		}
	}
	return false
}

// String is the header's value.
func (a *Access) String() string {
	var b strings.Builder
	b.WriteString("token")
	for _, w := range a.Windows {
		b.WriteString(" anonymous=")
		if w.Start != 0 {
			b.WriteString(strconv.FormatInt(w.Start, 10))
		}
		b.WriteByte('-')
		if w.End != 0 {
			b.WriteString(strconv.FormatInt(w.End, 10))
		}
	}
	return b.String()
}

// ParseAccess reads the header's value. A value it cannot read is taken
// as "token" with no windows: the strictest reading.
func ParseAccess(s string) Access {
	f := strings.Fields(s)
	if len(f) == 0 || f[0] != "token" {
		return Access{}
	}
	var a Access
	for _, w := range f[1:] {
		v, ok := strings.CutPrefix(w, "anonymous=")
		start, end, dash := strings.Cut(v, "-")
		if !ok || !dash {
			return Access{}
		}
		var win Window
		var err1, err2 error
		if start != "" {
			win.Start, err1 = strconv.ParseInt(start, 10, 64)
		}
		if end != "" {
			win.End, err2 = strconv.ParseInt(end, 10, 64)
		}
		if err1 != nil || err2 != nil {
			return Access{}
		}
		a.Windows = append(a.Windows, win)
	}
	return a
}
