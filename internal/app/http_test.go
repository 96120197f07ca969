package app

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cardflow/cardflow/codec"
	"github.com/cardflow/cardflow/internal/config"
)

// serve runs NewServer(h, ts) on a loopback port until the test ends.
func serve(t *testing.T, h http.Handler, ts Timeouts) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(ln.Addr().String(), h, ts)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// closedWithin reports whether the server closes conn within d, reading
// (and dropping) whatever it answers meanwhile.
func closedWithin(conn net.Conn, d time.Duration) bool {
	_ = conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, conn)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

var short = Timeouts{ReadHeader: 300 * time.Millisecond, Read: 500 * time.Millisecond, Write: 2 * time.Second, Idle: 500 * time.Millisecond}

// A slowloris client sends its headers, then its body a byte at a time: the
// read timeout ends it long before the body is complete, and the handler never
// sees a whole request.
func TestServerCutsOffTrickledBody(t *testing.T) {
	var whole atomic.Int32
	addr := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			http.Error(w, "request body too slow", http.StatusRequestTimeout)
			return
		}
		whole.Add(1)
	}), short)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const size = 100 // at 50 ms a byte: 5 s
	if _, err := io.WriteString(conn, "POST /v1/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	cut := make(chan time.Duration, 1)
	go func() {
		if closedWithin(conn, 4*time.Second) {
			cut <- time.Since(start)
		}
		close(cut)
	}()
	for i := 0; i < size; i++ {
		if _, err := conn.Write([]byte("x")); err != nil {
			break
		}
		select {
		case d, ok := <-cut:
			if !ok {
				t.Fatal("the connection was still open after 4 s of trickling")
			}
			if d > 2*time.Second {
				t.Errorf("cut off after %v, want about the 500 ms read timeout", d)
			}
			if whole.Load() != 0 {
				t.Error("the handler got the whole trickled body")
			}
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("the server read the whole trickled body (%d bytes in %v)", size, time.Since(start))
}

// A client that sends one request and then keeps the connection open without
// another is disconnected after the idle timeout.
func TestServerClosesIdleKeepAlive(t *testing.T) {
	addr := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), short)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Close {
		t.Fatalf("first answer %d (close %v), want 200 on a kept-alive connection", res.StatusCode, res.Close)
	}
	start := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, err = br.ReadByte()
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the idle connection was still open after 3 s")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("closed after %v idle, want about the 500 ms idle timeout", d)
	}
}

// The API's handlers wait for a workflow's answer: the write timeout outlasts
// reading the body and the longest handler, so honest slow answers arrive.
func TestAPITimeoutsOutlastTheLongestHandler(t *testing.T) {
	handle := 10*time.Second + 30*time.Second // processor timeout + update timeout
	ts := APITimeouts(handle)
	if ts.Write <= ts.Read+handle {
		t.Errorf("write timeout %v does not outlast the body (%v) and the handler (%v)", ts.Write, ts.Read, handle)
	}
	for name, d := range map[string]time.Duration{"read header": ts.ReadHeader, "read": ts.Read, "write": ts.Write, "idle": ts.Idle} {
		if d <= 0 {
			t.Errorf("%s timeout %v: none", name, d)
		}
	}
	srv := NewServer("127.0.0.1:0", http.NotFoundHandler(), ts)
	if srv.ReadHeaderTimeout != ts.ReadHeader || srv.ReadTimeout != ts.Read || srv.WriteTimeout != ts.Write || srv.IdleTimeout != ts.Idle {
		t.Errorf("server timeouts %v %v %v %v, want %+v", srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout, ts)
	}
}

// An API (and so its codec server) listening off loopback without
// CARDFLOW_CODEC_AUTH refuses to start.
func TestAPIServerRefusesCodecOffLoopbackWithoutToken(t *testing.T) {
	cfg := config.Default()
	ts := APITimeouts(time.Minute)
	t.Setenv(codec.EnvAuth, "")
	for _, addr := range []string{"0.0.0.0:8080", ":8080", "10.1.2.3:8080", "api.example.com:8080"} {
		cfg.APIAddr = addr
		_, err := APIServer(cfg, http.NotFoundHandler(), ts)
		if err == nil || !strings.Contains(err.Error(), codec.EnvAuth) || !strings.Contains(err.Error(), addr) {
			t.Errorf("%s without a codec token: %v, want a refusal naming %s and the address", addr, err, codec.EnvAuth)
		}
	}
	for _, addr := range []string{"127.0.0.1:8080", "localhost:8080", "[::1]:8080"} {
		cfg.APIAddr = addr
		if _, err := APIServer(cfg, http.NotFoundHandler(), ts); err != nil {
			t.Errorf("%s: %v, want a server on loopback without a token", addr, err)
		}
	}
	t.Setenv(codec.EnvAuth, "s3cret")
	cfg.APIAddr = "0.0.0.0:8080"
	cfg.MetricsAuth = "metrics-token" // off loopback /metrics needs one too
	srv, err := APIServer(cfg, http.NotFoundHandler(), ts)
	if err != nil {
		t.Fatalf("off loopback with a codec token: %v", err)
	}
	if srv.Addr != cfg.APIAddr || srv.WriteTimeout != ts.Write {
		t.Errorf("server on %s with write timeout %v, want %s and %v", srv.Addr, srv.WriteTimeout, cfg.APIAddr, ts.Write)
	}
}
