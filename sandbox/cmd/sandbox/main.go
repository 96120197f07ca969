// Command sandbox runs the sandbox card processor on its own:
//
//	go run ./sandbox/cmd/sandbox -addr 127.0.0.1:8091 -dir .cardflow -faults latency=20ms,error=0.05
//
// Flags default to CARDFLOW_SANDBOX_ADDR, CARDFLOW_DIR, CARDFLOW_SANDBOX_FAULTS and
// CARDFLOW_SANDBOX_AUTH_VALIDITY. The merchant's keys come from
// CARDFLOW_SANDBOX_SECRET_KEY and CARDFLOW_SANDBOX_PUBLISHABLE_KEY (dev defaults
// sk_sandbox_local, pk_test_sandbox; set to "" the publishable key is off), the
// browser origins that may tokenize from CARDFLOW_SANDBOX_ALLOWED_ORIGINS. The
// vault's keys: see keys.go. Logs go through cardflow's PAN-redacting logger at
// CARDFLOW_LOG_LEVEL.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/cardflow/cardflow/internal/config"
	"github.com/cardflow/cardflow/internal/logging"
	"github.com/cardflow/cardflow/sandbox"
)

func main() {
	log, err := logging.New(env("CARDFLOW_LOG_LEVEL", "info"))
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
	dir := flag.String("dir", env("CARDFLOW_DIR", ".cardflow"), "state directory (sandbox.db; on loopback also the dev vault key in keys/)")
	faults := flag.String("faults", os.Getenv("CARDFLOW_SANDBOX_FAULTS"), "fault injection, e.g. latency=20ms,error=0.05,timeout=0.05")
	flag.DurationVar(&validity, "auth-validity", validity, "how long an authorization can be captured")
	timeoutDelay := flag.Duration("timeout-delay", sandbox.DefaultTimeoutDelay, "how late the timeout fault answers")
	reseal := flag.Bool("reseal", false, "seal every card again with the first vault key, so older keys can be retired")
	flag.Parse()

	f, err := sandbox.ParseFaults(*faults)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return fmt.Errorf("create state directory %s: %w", *dir, err)
	}
	keys, keySource, err := vaultKeys(*dir, config.Loopback(*addr))
	if err != nil {
		return err
	}
	secret, publishable, err := merchantKeys()
	if err != nil {
		return err
	}
	if secret == sandbox.DevSecretKey && !config.Loopback(*addr) {
		return fmt.Errorf("CARDFLOW_SANDBOX_SECRET_KEY is the development key %s, which is public, and the sandbox listens off loopback on %s: set a key of your own", sandbox.DevSecretKey, *addr)
	}
	sb, err := sandbox.Open(sandbox.Config{
		DBPath:         filepath.Join(*dir, "sandbox.db"),
		Keys:           keys,
		SecretKey:      secret,
		PublishableKey: publishable,
		AllowedOrigins: list(os.Getenv("CARDFLOW_SANDBOX_ALLOWED_ORIGINS")),
		AuthValidity:   validity,
		Faults:         f,
		TimeoutDelay:   *timeoutDelay,
		Log:            log,
	})
	if err != nil {
		return err
	}
	defer func() {
		if err := sb.Close(); err != nil {
			log.Error("close sandbox", zap.Error(err))
		}
	}()
	if *reseal {
		n, err := sb.Reseal(context.Background())
		if err != nil {
			return err
		}
		log.Info("vault resealed", zap.Int("records", n), zap.String("key_id", keys.Primary()))
	}

	// Requests derive their context from base, so cancelling it on a signal wakes
	// requests that fault injection holds back, and Shutdown need not wait for them.
	base, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := &http.Server{
		Addr:        *addr,
		Handler:     sb.Handler(),
		BaseContext: func(net.Listener) context.Context { return base },
	}
	sb.SetTimeouts(srv)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	log.Info("sandbox processor listening", zap.String("url", "http://"+ln.Addr().String()),
		zap.String("dir", *dir), zap.Stringer("faults", f), zap.Duration("auth_validity", validity),
		zap.Stringer("vault_keys", keys), zap.String("vault_keys_from", keySource), zap.Bool("publishable_key", publishable != ""))

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

// merchantKeys reads the secret and the publishable key: unset is the dev
// default, set to "" is empty (refused for the secret key, off for the
// publishable one), so an empty variable never silently means a known key.
func merchantKeys() (secret, publishable string, err error) {
	secret, publishable = sandbox.DevSecretKey, sandbox.DevPublishableKey
	if v, ok := os.LookupEnv("CARDFLOW_SANDBOX_SECRET_KEY"); ok {
		secret = strings.TrimSpace(v)
	}
	if v, ok := os.LookupEnv("CARDFLOW_SANDBOX_PUBLISHABLE_KEY"); ok {
		publishable = strings.TrimSpace(v)
	}
	if secret == "" {
		return "", "", errors.New("CARDFLOW_SANDBOX_SECRET_KEY is set but empty")
	}
	return secret, publishable, nil
}

func list(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
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
