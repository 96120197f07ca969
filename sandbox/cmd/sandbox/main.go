// Command sandbox runs the sandbox card processor on its own:
//
//	go run ./sandbox/cmd/sandbox -addr 127.0.0.1:8091 -dir .cardflow -faults latency=20ms,error=0.05
//
// Flags default to CARDFLOW_SANDBOX_ADDR, CARDFLOW_DIR, CARDFLOW_SANDBOX_FAULTS and
// CARDFLOW_SANDBOX_AUTH_VALIDITY. The card key comes from CARDFLOW_SANDBOX_KEY (hex),
// else from <dir>/sandbox.key, generated on first start.
package main

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/cardflow/cardflow/sandbox"
)

func main() {
	log, err := zap.NewProduction()
	if err != nil {
		fmt.Fprintln(os.Stderr, "sandbox: logger:", err)
		os.Exit(1)
	}
	defer func() { _ = log.Sync() }()
	if err := run(log); err != nil {
		log.Fatal("sandbox stopped", zap.Error(err))
	}
}

func run(log *zap.Logger) error {
	validity, err := envDuration("CARDFLOW_SANDBOX_AUTH_VALIDITY", sandbox.DefaultAuthValidity)
	if err != nil {
		return err
	}
	addr := flag.String("addr", env("CARDFLOW_SANDBOX_ADDR", "127.0.0.1:8091"), "listen address")
	dir := flag.String("dir", env("CARDFLOW_DIR", ".cardflow"), "state directory (sandbox.db, sandbox.key)")
	faults := flag.String("faults", os.Getenv("CARDFLOW_SANDBOX_FAULTS"), "fault injection, e.g. latency=20ms,error=0.05,timeout=0.05")
	flag.DurationVar(&validity, "auth-validity", validity, "how long an authorization can be captured")
	timeoutDelay := flag.Duration("timeout-delay", sandbox.DefaultTimeoutDelay, "how late the timeout fault answers")
	flag.Parse()

	f, err := sandbox.ParseFaults(*faults)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return fmt.Errorf("create state directory %s: %w", *dir, err)
	}
	key, err := loadKey(filepath.Join(*dir, "sandbox.key"))
	if err != nil {
		return err
	}
	sb, err := sandbox.Open(sandbox.Config{
		DBPath:       filepath.Join(*dir, "sandbox.db"),
		Key:          key,
		AuthValidity: validity,
		Faults:       f,
		TimeoutDelay: *timeoutDelay,
		Log:          log,
	})
	if err != nil {
		return err
	}
	defer func() {
		if err := sb.Close(); err != nil {
			log.Error("close sandbox", zap.Error(err))
		}
	}()

	// Requests derive their context from base, so cancelling it on a signal wakes
	// requests that fault injection holds back, and Shutdown need not wait for them.
	base, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := &http.Server{
		Addr:              *addr,
		Handler:           sb.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return base },
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	log.Info("sandbox processor listening", zap.String("url", "http://"+ln.Addr().String()),
		zap.String("dir", *dir), zap.Stringer("faults", f), zap.Duration("auth_validity", validity))

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	sig, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	select {
	case err := <-errc:
		return fmt.Errorf("serve %s: %w", *addr, err)
	case <-sig.Done():
	}
	log.Info("shutting down")
	cancel()
	ctx, done := context.WithTimeout(context.Background(), 10*time.Second)
	defer done()
	if err := srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("shut down %s: %w", *addr, err)
	}
	return nil
}

// loadKey reads the card key from CARDFLOW_SANDBOX_KEY, else from path, creating
// it (0600) on first start so that restarts keep opening the same vault.
func loadKey(path string) ([]byte, error) {
	if h := strings.TrimSpace(os.Getenv("CARDFLOW_SANDBOX_KEY")); h != "" {
		key, err := hex.DecodeString(h)
		if err != nil {
			return nil, fmt.Errorf("CARDFLOW_SANDBOX_KEY is not hex: %w", err)
		}
		return key, nil
	}
	b, err := os.ReadFile(path)
	if err == nil {
		key, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil {
			return nil, fmt.Errorf("key file %s is not hex: %w", path, err)
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read key file %s: %w", path, err)
	}
	key := make([]byte, 32)
	if _, err := crand.Read(key); err != nil {
		return nil, fmt.Errorf("generate card key: %w", err)
	}
	// O_EXCL: if another process created the key meanwhile, use theirs.
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return loadKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("create key file %s: %w", path, err)
	}
	if _, err := fh.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		_ = fh.Close()
		return nil, fmt.Errorf("write key file %s: %w", path, err)
	}
	if err := fh.Close(); err != nil {
		return nil, fmt.Errorf("write key file %s: %w", path, err)
	}
	return key, nil
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) (time.Duration, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}
