package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"go.uber.org/zap"

	stripe "github.com/cardflow/cardflow/adapters/vault/stripe"
	"github.com/cardflow/cardflow/internal/app"
	"github.com/cardflow/cardflow/internal/config"
	"github.com/cardflow/cardflow/internal/reconcile"
)

// reconcileCmd runs `starter reconcile`: it compares the processor's ledger with
// every order's and subscription's own account and prints each discrepancy with
// its ids, then a summary line. args are the starter's configuration flags
// (-temporal-address, -processor-url, ...; also CARDFLOW_* / TEMPORAL_*) and
// reconcile's own, in any order:
//
//	-json             print the report as JSON instead of lines
//	-recheck 5s       look again after this long at what disagrees (a workflow
//	                  in the middle of a money call disagrees for a moment)
//	-timeout 5m       give up after this long
//
// Exit status: 0 all agree, 1 discrepancies, 2 bad usage, 3 the books could not
// be read (Temporal, the ledger).
func reconcileCmd(args []string, stdout, stderr io.Writer) int {
	own := flag.NewFlagSet("starter reconcile", flag.ContinueOnError)
	own.SetOutput(stderr)
	asJSON := own.Bool("json", false, "print the report as JSON")
	recheck := own.Duration("recheck", 5*time.Second, "wait before looking again at what disagrees (0: report the first look)")
	timeout := own.Duration("timeout", 5*time.Minute, "give up after this long")
	// Reconcile's flags are picked out here; the rest are the shared
	// configuration flags, which config.Load knows.
	var mine, rest []string
	for i := 0; i < len(args); i++ {
		name, _, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if !strings.HasPrefix(args[i], "-") || own.Lookup(name) == nil {
			rest = append(rest, args[i])
			continue
		}
		mine = append(mine, args[i])
		if !hasValue && name != "json" && i+1 < len(args) {
			i++
			mine = append(mine, args[i])
		}
	}
	if err := own.Parse(mine); err != nil {
		return 2
	}
	cfg, err := config.Load("starter reconcile", rest)
	if err != nil {
		fmt.Fprintln(stderr, "starter reconcile:", err, "(its own flags: -json, -recheck d, -timeout d)")
		return 2
	}
	keys, err := app.Keys(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "starter reconcile:", err)
		return 3
	}
	c, err := app.Dial(cfg, zap.NewNop(), keys)
	if err != nil {
		fmt.Fprintln(stderr, "starter reconcile:", err)
		return 3
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	rep, err := reconcile.Run(ctx, reconcile.Temporal{Client: c}, ledgerOf(cfg), reconcile.Options{Recheck: *recheck})
	if err != nil {
		fmt.Fprintln(stderr, "starter reconcile:", err)
		return 3
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		err = rep.Write(stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "starter reconcile: write the report:", err)
		return 3
	}
	if !rep.OK() {
		return 1
	}
	return 0
}

// ledgerOf is the books of the processor CARDFLOW_PROCESSOR selects: the
// sandbox's ledger, or Stripe's objects read through the Stripe adapter.
func ledgerOf(cfg config.Config) reconcile.LedgerSource {
	if cfg.Processor == config.ProcessorStripe {
		return reconcile.StripeLedger{Books: stripe.New(stripe.Config{Key: cfg.StripeSecretKey, BaseURL: cfg.StripeAPIBase, Timeout: cfg.ProcessorTimeout})}
	}
	return reconcile.HTTPLedger{BaseURL: cfg.ProcessorURL, Key: cfg.SandboxSecretKey}
}
