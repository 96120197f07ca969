package testenv

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/cardflow/cardflow/internal/app"
	"github.com/cardflow/cardflow/internal/config"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
)

var (
	devOnce sync.Once
	dev     *testsuite.DevServer
	devErr  error
)

// Main runs the package's tests and then stops the shared dev server. Use it as
// `func TestMain(m *testing.M) { testenv.Main(m) }`.
func Main(m *testing.M) {
	code := m.Run()
	if dev != nil {
		_ = dev.Stop()
	}
	os.Exit(code)
}

// Address is the Temporal frontend the tests use: TEMPORAL_ADDRESS when set
// (`make test-cluster` points the system tests at its cluster that way, with
// the TEMPORAL_TLS_* variables app.Dial reads), else the shared dev server.
func Address(t testing.TB) string {
	t.Helper()
	if a := os.Getenv("TEMPORAL_ADDRESS"); a != "" {
		return a
	}
	return DevServer(t).FrontendHostPort()
}

// ClientOptions reach Address as cardflow's processes do (TLS and API key
// from the environment), without cardflow's codec or logs: a raw client.
func ClientOptions(t testing.TB) client.Options {
	t.Helper()
	opts, err := app.TemporalOptions(os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	opts.HostPort = Address(t)
	opts.Logger = log.NewStructuredLogger(slog.New(slog.DiscardHandler))
	return opts
}

// DevServer starts (once per test binary) and returns the shared Temporal dev server.
func DevServer(t testing.TB) *testsuite.DevServer {
	t.Helper()
	devOnce.Do(func() {
		var cli string
		cli, devErr = temporalCLI()
		if devErr != nil {
			return
		}
		dev, devErr = testsuite.StartDevServer(context.Background(), testsuite.DevServerOptions{
			ExistingPath:  cli,
			ClientOptions: &client.Options{Logger: log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))},
			LogLevel:      "error",
			ExtraArgs: append([]string{
				"--search-attribute", "CardflowKind=Keyword",
				"--search-attribute", "CardflowStatus=Keyword",
				"--search-attribute", "CardflowCustomerId=Keyword",
				"--search-attribute", "CardflowAttention=Keyword",
			}, config.DevServerArgs()...),
		})
	})
	if devErr != nil {
		t.Fatalf("start the Temporal dev server: %v", devErr)
	}
	return dev
}

// temporalCLI finds the pinned CLI: $CARDFLOW_TEMPORAL_CLI (set by `make test`), else
// .cardflow/bin/temporal at the module root. It never downloads anything.
func temporalCLI() (string, error) {
	if p := os.Getenv("CARDFLOW_TEMPORAL_CLI"); p != "" {
		return p, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, ".cardflow", "bin", "temporal")
			if _, err := os.Stat(p); err != nil {
				return "", fmt.Errorf("no Temporal CLI at %s: run `make test` (it builds the pinned CLI)", p)
			}
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}
