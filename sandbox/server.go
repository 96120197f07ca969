package sandbox

import (
	"net/http"
	"time"
)

// Server timeouts, Config's zero values. A request is a header and at most
// maxBody, sent at once by every client the sandbox has, so seconds are plenty.
const (
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 10 * time.Second
	DefaultIdleTimeout       = 60 * time.Second
	// The write timeout is TimeoutDelay plus this, so that the timeout fault
	// still answers late rather than never.
	writeTimeoutSlack = 20 * time.Second
)

// SetTimeouts gives srv, which serves s.Handler(), a deadline for every phase
// of a connection: a client trickling its header or body, reading its answer
// slowly or holding an idle keep-alive cannot hold a goroutine and a file
// descriptor for ever.
func (s *Sandbox) SetTimeouts(srv *http.Server) {
	or := func(d, def time.Duration) time.Duration {
		if d > 0 {
			return d
		}
		return def
	}
	srv.ReadHeaderTimeout = or(s.cfg.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	srv.ReadTimeout = or(s.cfg.ReadTimeout, DefaultReadTimeout)
	srv.WriteTimeout = or(s.cfg.WriteTimeout, s.cfg.TimeoutDelay+writeTimeoutSlack)
	srv.IdleTimeout = or(s.cfg.IdleTimeout, DefaultIdleTimeout)
}
