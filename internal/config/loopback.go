package config

import (
	"net"
	"net/netip"
	"strings"
)

// Loopback reports whether a listener on addr ("host:port", or a bare host)
// is reachable from this machine only: its host is localhost or a loopback
// address (127.0.0.0/8, ::1). An empty host ("", ":8080") listens on every
// interface, and any other name may resolve anywhere, so both are off
// loopback: when in doubt, the answer is the one that asks for more care.
func Loopback(addr string) bool {
	host := addr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.WithZone("").Unmap().IsLoopback()
}
