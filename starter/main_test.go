package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/codec"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/subscription"
	"github.com/cardflow/cardflow/tools/testenv"
)

// The starter's tests run it in-process against a whole cardflow on loopback
// (testenv: a shared Temporal dev server, and per test a sandbox processor and a
// worker on its own task queue). They set CARDFLOW_CODEC_KEY, so none is parallel.
func TestMain(m *testing.M) { testenv.Main(m) }

// cliHarness runs starter commands against one Env.
type cliHarness struct {
	t   *testing.T
	env *testenv.Env
	// global are the connection flags that point the starter at env.
	global []string
	// suffix keeps ids unique on the dev server shared by every test.
	suffix string
	// stdin is what the next command reads for --json -.
	stdin string
}

func newHarness(t *testing.T) *cliHarness {
	t.Helper()
	env := testenv.New(t, testenv.Options{})
	t.Setenv("CARDFLOW_CODEC_KEY", testenv.CodecKey)
	return &cliHarness{
		t:   t,
		env: env,
		global: []string{
			"-temporal-address", testenv.Address(t),
			"-task-queue", env.TaskQueue,
			"-processor-url", env.Sandbox,
			"-dir", t.TempDir(),
		},
		suffix: time.Now().Format("150405.000000"),
	}
}

// id makes a test's order or subscription id unique on the shared dev server.
func (h *cliHarness) id(name string) string { return name + "-" + h.suffix }

// run runs the starter with the connection flags and args.
func (h *cliHarness) run(args ...string) (code int, stdout, stderr string) {
	h.t.Helper()
	var out, errOut bytes.Buffer
	stdin := strings.NewReader(h.stdin)
	h.stdin = ""
	code = run(append(append([]string{}, h.global...), args...), stdin, &out, &errOut)
	return code, out.String(), errOut.String()
}

// ok runs a command that must succeed and decodes its JSON answer into v.
func (h *cliHarness) ok(v any, args ...string) {
	h.t.Helper()
	code, out, errOut := h.run(args...)
	if code != 0 {
		h.t.Fatalf("starter %s: exit %d, stderr %q", strings.Join(args, " "), code, errOut)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		h.t.Fatalf("starter %s: answer is not the API's shape: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// fails runs a command that must fail with exit status code and a stderr
// holding every one of want.
func (h *cliHarness) fails(code int, want []string, args ...string) {
	h.t.Helper()
	got, out, errOut := h.run(args...)
	if got != code {
		h.t.Fatalf("starter %s: exit %d, want %d (stdout %q, stderr %q)", strings.Join(args, " "), got, code, out, errOut)
	}
	for _, w := range want {
		if !strings.Contains(errOut, w) {
			h.t.Errorf("starter %s: stderr %q lacks %q", strings.Join(args, " "), errOut, w)
		}
	}
	if code == 1 && out != "" {
		h.t.Errorf("a failed command printed an answer: %q", out)
	}
}

func (h *cliHarness) order(args ...string) order.View {
	h.t.Helper()
	var v order.View
	h.ok(&v, args...)
	return v
}

func (h *cliHarness) subscription(args ...string) subscription.View {
	h.t.Helper()
	var v subscription.View
	h.ok(&v, args...)
	return v
}

// place places a one-line order (2 × 49.99 EUR) paid with number; more flags
// may follow.
func (h *cliHarness) place(id, number string, more ...string) order.View {
	h.t.Helper()
	args := append([]string{"order", "place", "--id", id, "--currency", "EUR", "--customer", "c-42",
		"--email", "jane@example.com", "--country", "DE", "--item", "SHOE-1:2:4999",
		"--card-file", h.cardFile(number, "123"), "--exp", "12/2030"}, more...)
	return h.order(args...)
}

// cardFile writes a card for --card-file and returns its path.
func (h *cliHarness) cardFile(number, cvc string) string {
	h.t.Helper()
	return writeJSON(h.t, map[string]string{"number": number, "cvc": cvc})
}

// writeJSON writes v to a file for --json and returns its path.
func writeJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// startInput answers the decrypted input of the workflow's first run, and fails
// if the stored payload was plain JSON.
func startInput(t *testing.T, env *testenv.Env, workflowID string) string {
	t.Helper()
	keys, err := codec.ParseKeys(testenv.CodecKey)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	it := env.Client.GetWorkflowHistory(ctx, workflowID, "", false, 0)
	ev, err := it.Next()
	if err != nil {
		t.Fatalf("history of %s: %v", workflowID, err)
	}
	raw := ev.GetWorkflowExecutionStartedEventAttributes().GetInput().GetPayloads()
	if len(raw) != 1 || json.Valid(raw[0].GetData()) {
		t.Fatalf("input of %s is not one encrypted payload", workflowID)
	}
	dec, err := codec.NewCodec(keys).Decode(raw)
	if err != nil {
		t.Fatalf("decrypt input of %s: %v", workflowID, err)
	}
	return string(dec[0].GetData())
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		out  string // in stdout (help) or stderr (errors)
	}{
		{[]string{"--help"}, 0, "starter order place"},
		{[]string{"order", "--help"}, 0, "cancel-items"},
		{[]string{"subscription", "help"}, 0, "payment-method"},
		{[]string{"order", "place", "--help"}, 0, "-item SKU:QUANTITY:UNIT_AMOUNT"},
		{[]string{"order", "retry", "-h"}, 0, "-exp MM/YYYY"},
		{[]string{"subscription", "start", "--help"}, 0, "-retry P1D,P3D,P5D"},
		{[]string{"subscription", "refund", "--help"}, 0, "-cycle"},
		{[]string{"demo", "--help"}, 0, "-quick"},
		{nil, 2, "usage: starter"},
		{[]string{"invoice"}, 2, `no kind "invoice"`},
		{[]string{"order", "pay"}, 2, `no command "pay"`},
		{[]string{"order", "capture"}, 2, "which order?"},
		{[]string{"order", "capture", "o-1", "o-2"}, 2, "give one order id, not o-1 o-2"},
		{[]string{"order", "capture", "o-1", "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"order", "place", "--id", "o-1", "--item", "SHOE-1"}, 2, "SKU:QUANTITY:UNIT_AMOUNT"},
		{[]string{"order", "place", "--id", "o-1", "--exp", "1230"}, 2, "MM/YYYY"},
		{[]string{"order", "place", "--json", "/nonexistent/body.json"}, 2, "--json"},
		{[]string{"subscription", "start", "--id", "s-1", "--interval", "monthly"}, 2, "-interval"},
		{[]string{"-temporal-address"}, 2, ""},
		{[]string{"reconcile", "-bogus"}, 2, ""},
		{[]string{"order", "retry-operation", "--help"}, 0, "-operation-key"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(tc.args, strings.NewReader(""), &out, &errOut)
			if code != tc.code {
				t.Fatalf("exit %d, want %d (stdout %q, stderr %q)", code, tc.code, out.String(), errOut.String())
			}
			where := errOut.String()
			if tc.code == 0 {
				where = out.String()
			}
			if !strings.Contains(where, tc.out) {
				t.Errorf("output lacks %q:\n%s", tc.out, where)
			}
		})
	}
}

func TestSplitGlobal(t *testing.T) {
	global, rest := splitGlobal([]string{"-temporal-address", "h:1", "-task-queue=q", "order", "show", "o-1", "-x"})
	if strings.Join(global, " ") != "-temporal-address h:1 -task-queue=q" || strings.Join(rest, " ") != "order show o-1 -x" {
		t.Errorf("global %q, rest %q", global, rest)
	}
}
