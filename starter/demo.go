package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/cardflow/cardflow/api/shop"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/subscription"
)

var demoCmd = command{
	name:     "demo",
	synopsis: "[--quick] [--suffix S] [--ui-url URL] [--timeout D]",
	summary: "Play every flow of the contract against a running cardflow (make run): orders from the\n" +
		"happy path to returns, and subscriptions with second-long plans. Prints one line per\n" +
		"flow with its workflow id and final status; exits 1 if a flow did not end as expected.",
}

// scenario is one flow of the demo. run drives it through the same session
// calls as the commands and answers the workflow's final status and a detail.
type scenario struct {
	kind string // "order" or "subscription"
	name string // last part of the id
	what string
	run  func(ctx context.Context, d *demo, id string) (status, detail string, err error)
}

// demo holds what every flow shares: the session and the plan's timing.
type demo struct {
	s     *session
	quick bool
	// interval, trial and retry are the subscriptions' second-long plan.
	interval, trial, retry string
}

type flowResult struct {
	id, status, detail string
	err                error
}

func (c *cli) demo(args []string) error {
	fs := c.flagSet("", demoCmd)
	quick := fs.Bool("quick", false, "shorter subscription timing (PT1S trials and retries, PT2S cycles), for tests")
	suffix := fs.String("suffix", "", "suffix of every id (default: random, so the demo can run again)")
	uiURL := fs.String("ui-url", "http://localhost:8233", "the Temporal UI, for the links printed at the end")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up after this long")
	pos, err := c.parse(fs, demoCmd, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("starter demo: unexpected arguments: %s", strings.Join(pos, " "))
	}
	if *suffix == "" {
		b := make([]byte, 3)
		_, _ = rand.Read(b)
		*suffix = hex.EncodeToString(b)
	}
	s, err := dial(c.cfg)
	if err != nil {
		return err
	}
	defer s.close()
	d := &demo{s: s, quick: *quick, interval: "PT10S", trial: "PT5S", retry: "PT5S"}
	if d.quick {
		d.interval, d.trial, d.retry = "PT2S", "PT1S", "PT1S"
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	flows := append(append(orderFlows(), subscriptionFlows()...), pageFlows()...)
	started := time.Now()
	failed := c.report(flows, d.play(ctx, flows, *suffix))
	fmt.Fprintf(c.stdout, "\n%d flows in %s. Temporal UI: %s\n  e.g. %s\n", len(flows), time.Since(started).Round(100*time.Millisecond),
		runsURL(*uiURL, c.cfg.TemporalNamespace, *suffix), workflowURL(*uiURL, c.cfg.TemporalNamespace, demoID("order", "happy", *suffix)))
	if failed > 0 {
		return fmt.Errorf("%d of %d demo flows failed", failed, len(flows))
	}
	return nil
}

// report prints one line per flow as its result comes in, in the flows' order,
// and answers how many failed.
func (c *cli) report(flows []scenario, results []chan flowResult) (failed int) {
	for i, f := range flows {
		r := <-results[i]
		if r.err != nil {
			failed++
			fmt.Fprintf(c.stdout, "FAIL %-40s %s: %v\n", r.id, f.what, r.err)
			continue
		}
		fmt.Fprintf(c.stdout, "ok   %-40s %-18s %s · %s\n", r.id, r.status, f.what, r.detail)
	}
	return failed
}

// play runs the flows concurrently (a few at a time, to spare a small machine)
// and answers one channel per flow, so results print in the flows' order.
func (d *demo) play(ctx context.Context, flows []scenario, suffix string) []chan flowResult {
	results := make([]chan flowResult, len(flows))
	slots := make(chan struct{}, 8)
	for i, f := range flows {
		results[i] = make(chan flowResult, 1)
		go func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			id := "demo-" + suffix + "-" + f.name
			status, detail, err := f.run(ctx, d, id)
			results[i] <- flowResult{id: demoID(f.kind, f.name, suffix), status: status, detail: detail, err: err}
		}()
	}
	return results
}

// demoID is the workflow id of a flow: order/demo-<suffix>-<name>.
func demoID(kind, name, suffix string) string {
	id := "demo-" + suffix + "-" + name
	if kind == "order" {
		return order.WorkflowID(id)
	}
	return subscription.WorkflowID(id)
}

func workflowURL(ui, ns, workflowID string) string {
	return strings.TrimRight(ui, "/") + "/namespaces/" + url.PathEscape(ns) + "/workflows/" + url.PathEscape(workflowID)
}

func runsURL(ui, ns, suffix string) string {
	q := fmt.Sprintf(`WorkflowId STARTS_WITH "order/demo-%s" OR WorkflowId STARTS_WITH "subscription/demo-%s"`, suffix, suffix)
	return strings.TrimRight(ui, "/") + "/namespaces/" + url.PathEscape(ns) + "/workflows?query=" + url.QueryEscape(q)
}

// waitFor polls the subscription until ok says it got where the flow leads.
func (d *demo) waitFor(ctx context.Context, id string, ok func(subscription.View) bool) (subscription.View, error) {
	for {
		v, err := shop.QuerySubscription(ctx, d.s.temporal, id)
		if err == nil && ok(v) {
			return v, nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = fmt.Errorf("still %s", v.Status)
			}
			return v, errors.Join(errors.New("gave up waiting"), err)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// expect fails a step whose answer is not in the status the flow expects.
func expect[S ~string](step string, got S, want ...S) error {
	for _, w := range want {
		if got == w {
			return nil
		}
	}
	return fmt.Errorf("%s: status %s, want %v", step, got, want)
}
