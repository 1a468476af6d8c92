package bench

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
)

// Every load loop talks to loopback only: a benchmark aimed at another
// machine by mistake would be a denial of service.

// checkLoopback refuses a host:port that is not on this machine's loopback.
func checkLoopback(hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return fmt.Errorf("bench: %q: %w", hostport, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("bench: %s is not a loopback address; the bench only loads 127.0.0.1/::1", hostport)
	}
	return nil
}

// checkBaseURL checks an http://host:port base URL given on the command
// line and returns it without a trailing slash.
func checkBaseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return "", fmt.Errorf("bench: %q is not an http://host:port URL", raw)
	}
	if err := checkLoopback(u.Host); err != nil {
		return "", err
	}
	return "http://" + u.Host, nil
}

// portOf is the port of an http://host:port URL, 0 if it has none.
func portOf(base string) int {
	u, err := url.Parse(base)
	if err != nil {
		return 0
	}
	p, _ := strconv.Atoi(u.Port())
	return p
}

// freePort asks the kernel for a free loopback port. Another process could
// take it before the server binds it; on a benchmark machine that is rare,
// and the start fails loudly if it happens.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// loopbackAddr is 127.0.0.1:port.
func loopbackAddr(port int) string { return "127.0.0.1:" + strconv.Itoa(port) }
