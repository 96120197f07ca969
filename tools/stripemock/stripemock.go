// Package stripemock starts stripe-mock (github.com/stripe/stripe-mock, pinned
// in tools/stripe-mock) for tests: Stripe's OpenAPI spec answers every request,
// refusing one that does not match it, with Stripe's fixtures.
package stripemock

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Env names the stripe-mock binary (`make test` sets it to .cardflow/bin/stripe-mock).
const Env = "CARDFLOW_STRIPE_MOCK"

// SkipEnv, set to 1, lets a local run skip the tests that need stripe-mock
// when the binary is absent. CI never sets it: there, no binary is a failure.
const SkipEnv = "CARDFLOW_SKIP_STRIPE_MOCK"

// Start runs stripe-mock on a free loopback port for the test and returns its
// base URL. Without the binary the test fails, naming how to build it.
func Start(t testing.TB) string {
	t.Helper()
	bin := os.Getenv(Env)
	if bin == "" {
		if os.Getenv(SkipEnv) == "1" {
			t.Skipf("%s=1: skipping the stripe-mock tests", SkipEnv)
		}
		t.Fatalf("%s is not set: build stripe-mock with `make stripe-mock` and set %s=$PWD/.cardflow/bin/stripe-mock "+
			"(or run `make test`, which does both); %s=1 skips these tests on a local run only", Env, Env, SkipEnv)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s=%s: %v (build it with `make stripe-mock`)", Env, bin, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	// Both listeners on loopback with ports of the system's choosing: tests in
	// parallel packages each get their own.
	cmd := exec.CommandContext(ctx, bin, "-http-addr", "127.0.0.1:", "-https-addr", "127.0.0.1:")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("stripe-mock: %v", err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start stripe-mock %s: %v", bin, err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "Listening for HTTP at address: "); ok {
				addr <- a
				break
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case a := <-addr:
		return "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatalf("stripe-mock %s did not say where it listens within 30s", bin)
		return ""
	}
}
