package sandbox_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/sandbox"
)

// serve runs the sandbox on a real listener with SetTimeouts' deadlines.
func serve(t *testing.T, cfg func(*sandbox.Config)) string {
	t.Helper()
	e := newEnv(t, cfg)
	srv := &http.Server{Handler: e.sb.Handler()}
	e.sb.SetTimeouts(srv)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// closedWithin reads conn until the server closes it; false if it is still open
// after d. It answers what was read.
func closedWithin(t *testing.T, conn net.Conn, d time.Duration) (bool, string) {
	t.Helper()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(d)))
	b, err := io.ReadAll(conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded) {
		return false, string(b)
	}
	return true, string(b)
}

// A client that trickles its body is cut off at the read deadline, without the
// request taking effect; one that holds an idle keep-alive at the idle deadline.
func TestSlowClientsAreCutOffByTheDeadlines(t *testing.T) {
	addr := serve(t, func(c *sandbox.Config) { c.ReadTimeout, c.IdleTimeout = 500*time.Millisecond, 500*time.Millisecond })

	t.Run("trickled body", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer conn.Close()
		_, err = io.WriteString(conn, "POST /v1/tokens HTTP/1.1\r\nHost: sandbox\r\nAuthorization: Bearer "+secretKey+
			"\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{")
		require.NoError(t, err)
		go func() { // one byte every 100 ms, for far longer than the deadline
			for range 50 {
				time.Sleep(100 * time.Millisecond)
				if _, err := io.WriteString(conn, " "); err != nil {
					return
				}
			}
		}()
		closed, answer := closedWithin(t, conn, 4*time.Second)
		assert.True(t, closed, "the connection is still open after 4 s")
		assert.False(t, strings.HasPrefix(answer, "HTTP/1.1 2"), "a trickled request took effect: %q", answer)
	})

	t.Run("idle keep-alive", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer conn.Close()
		_, err = io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: sandbox\r\n\r\n")
		require.NoError(t, err)
		r := bufio.NewReader(conn)
		res, err := http.ReadResponse(r, nil)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, res.Body)
		require.Equal(t, http.StatusOK, res.StatusCode)
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(4*time.Second)))
		_, err = r.ReadByte()
		assert.ErrorIs(t, err, io.EOF, "the idle connection is still open after 4 s")
	})
}

// Without configured timeouts the sandbox still has every deadline.
func TestServerHasEveryTimeoutByDefault(t *testing.T) {
	e := newEnv(t)
	var srv http.Server
	e.sb.SetTimeouts(&srv)
	assert.Equal(t, sandbox.DefaultReadHeaderTimeout, srv.ReadHeaderTimeout)
	assert.Equal(t, sandbox.DefaultReadTimeout, srv.ReadTimeout)
	assert.Equal(t, sandbox.DefaultIdleTimeout, srv.IdleTimeout)
	assert.Greater(t, srv.WriteTimeout, e.cfg.TimeoutDelay, "the timeout fault still answers, late")
}
