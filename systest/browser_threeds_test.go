//go:build e2epay

package systest

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cardflow/cardflow/tools/testenv"
)

// TestThreeDSChallengeInABrowser drives the sandbox's challenge page in
// headless Chromium, as a customer's browser: the page, the button, the
// redirect to cardflow's return endpoint and the payment message there.
// Screenshots go to .cardflow/e2e-3ds/. It runs with the payment page's
// browser tests (make e2e-pay, in .ci/run), which install Chromium; without
// one (CARDFLOW_CHROMIUM, else chromium on PATH) it fails.
func TestThreeDSChallengeInABrowser(t *testing.T) {
	browser := os.Getenv("CARDFLOW_CHROMIUM")
	if browser == "" {
		browser, _ = exec.LookPath("chromium")
	}
	if browser == "" {
		t.Fatal("no Chromium: set CARDFLOW_CHROMIUM or install chromium (make e2e-pay does)")
	}
	env := testenv.New(t, testenv.Options{})
	shots := filepath.Join(moduleRoot(t), ".cardflow", "e2e-3ds")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.WindowSize(900, 700))...)
	defer cancel()

	for _, tt := range []struct {
		outcome, button, status, code string
	}{
		{"pass", `button[value="pass"]`, "authorized", ""},
		{"fail", `button[value="fail"]`, "payment_failed", "authentication_failed"},
	} {
		t.Run(tt.outcome, func(t *testing.T) {
			id := orderID("tds-browser-" + tt.outcome)
			v := tdsDo(t, env, http.MethodPost, "/v1/orders", orderRequest(id, "4000000000003220"), http.StatusCreated)
			if v.NextAction == nil {
				t.Fatalf("no next_action: %+v", v)
			}
			ctx, cancel := chromedp.NewContext(alloc)
			defer cancel()
			ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
			defer cancel()
			button := chromedp.CSS(tt.button)
			status := chromedp.CSS(`[role="status"]`)
			if err := chromedp.Do(ctx, chromedp.Navigate(v.NextAction.URL), chromedp.WaitVisible(button)); err != nil {
				t.Fatalf("challenge page: %v", err)
			}
			page, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(ctx, chromedp.Click(button), chromedp.WaitVisible(status)); err != nil {
				t.Fatalf("answer %s: %v", tt.outcome, err)
			}
			text, err := chromedp.Run(ctx, chromedp.Text(status))
			if err != nil {
				t.Fatal(err)
			}
			message, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatal(err)
			}
			for name, png := range map[string][]byte{"challenge-" + tt.outcome + ".png": page, "return-" + tt.outcome + ".png": message} {
				if err := os.WriteFile(filepath.Join(shots, name), png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			after := tdsDo(t, env, http.MethodGet, "/v1/orders/"+id, nil, http.StatusOK)
			if after.Status != tt.status || tt.code != "" && (after.Failure == nil || after.Failure.Code != tt.code) {
				t.Fatalf("after the browser's %s: %+v", tt.outcome, after)
			}
			if strings.TrimSpace(text) != after.Message {
				t.Errorf("the return page says %q, the order's message is %q", text, after.Message)
			}
		})
	}
}

// moduleRoot is the repository root, found from the working directory (the package's).
func moduleRoot(t *testing.T) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(wd)
}
