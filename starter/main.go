// Command starter steers cardflow from a terminal, talking to Temporal directly
// (not through the shop API): `starter order show o-1001`,
// `starter subscription show s-1`. Output is JSON in the API's shapes.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/cardflow/cardflow/internal/app"
	"github.com/cardflow/cardflow/internal/config"
	"github.com/cardflow/cardflow/workflows"
)

const usage = `usage: starter [flags] <kind> <command> <id>

kinds and commands:
  order show <order_id>                 the order as the API shows it
  subscription show <subscription_id>   the subscription as the API shows it

flags (also CARDFLOW_* / TEMPORAL_* environment variables):
  -temporal-address, -temporal-namespace, -log-level
`

var errUsage = errors.New("bad usage")

func main() {
	err := run(os.Args[1:], os.Stdout)
	if errors.Is(err, errUsage) {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "starter:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	var rest []string
	// Flags come first; the command words after them.
	for i, a := range args {
		if len(a) == 0 || a[0] != '-' {
			rest, args = args[i:], args[:i]
			break
		}
	}
	if len(rest) > 0 && (rest[0] == "help" || rest[0] == "--help") {
		fmt.Fprint(out, usage)
		return nil
	}
	cfg, err := config.Load("starter", args)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if len(rest) != 3 || rest[1] != "show" {
		return errUsage
	}
	var id string
	switch rest[0] {
	case "order":
		id = workflows.OrderWorkflowID(rest[2])
	case "subscription":
		id = workflows.SubscriptionWorkflowID(rest[2])
	default:
		return errUsage
	}
	keys, err := app.Keys(cfg)
	if err != nil {
		return err
	}
	c, err := app.Dial(cfg, zap.NewNop(), keys)
	if err != nil {
		return err
	}
	defer c.Close()
	return show(c, id, out)
}

func show(c client.Client, workflowID string, out io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := c.QueryWorkflow(ctx, workflowID, "", workflows.QueryState)
	if err != nil {
		return fmt.Errorf("query %s: %w", workflowID, err)
	}
	var state json.RawMessage
	if err := v.Get(&state); err != nil {
		return fmt.Errorf("decode state of %s: %w", workflowID, err)
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(state)
}
