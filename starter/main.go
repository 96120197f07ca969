// Command starter steers cardflow from a terminal, talking to Temporal directly
// (not through the shop API) with the same payload codec as the worker and the
// API: every order and subscription command of API.md, answered as JSON in the
// API's shapes, and `starter demo`, which plays every flow of the contract.
//
//	starter order place --id o-1 --currency EUR --customer c-42 --item SHOE-1:2:4999 \
//	    --card 4242424242424242 --exp 12/2030 --cvc 123
//	starter order capture o-1
//	starter subscription show s-1
//	starter demo
//
// Card numbers go to the processor's vault only; Temporal sees the token.
// Exit status: 0 done, 1 the command failed (409, 422, unreachable...), 2 usage.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cardflow/cardflow/api/shop"
	"github.com/cardflow/cardflow/internal/config"
)

const usage = `usage: starter [global flags] <kind> <command> [flags] [id]

  starter order place|show|capture|ship|cancel|abandon|submit|retry|cancel-items|return
  starter subscription start|show|cancel|payment-method|catch-up|refund
  starter order|subscription retry-operation   operator: retry a processor call left pending
  starter demo          play every flow of the contract against a running cardflow
  starter reconcile     compare the processor's ledger with every workflow's account
                        (flags -json, -recheck, -timeout; exit 1 discrepancies, 3 unreadable)

  starter <kind> --help and starter <kind> <command> --help show the details.

Answers are JSON in the API's shapes (API.md). Errors say what the API would
answer: "invalid_state (409): ..." or "invalid_request (422): ... [field x]".
Exit status: 0 done, 1 the command failed, 2 usage error.

global flags (before the kind; also TEMPORAL_* / CARDFLOW_* environment variables):
  -temporal-address host:port   Temporal frontend (TEMPORAL_ADDRESS, default localhost:7233)
  -temporal-namespace name      namespace (TEMPORAL_NAMESPACE, default default)
  -task-queue name              task queue of new workflows (CARDFLOW_TASK_QUEUE, default cardflow)
  -processor-url url            the processor's vault (CARDFLOW_PROCESSOR_URL, default http://127.0.0.1:8091)
  -processor-timeout d          one vault call (CARDFLOW_PROCESSOR_TIMEOUT)
  -dir path                     state directory with the dev codec key (CARDFLOW_DIR, default .cardflow)
The payload key is CARDFLOW_CODEC_KEY, else the dev key under -dir. The vault
and the ledger take the sandbox's secret key, CARDFLOW_SANDBOX_SECRET_KEY
(default sk_sandbox_local; no flag, so it stays out of the process list).
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is the whole command, callable in-process by the tests.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	err := runErr(args, stdin, stdout, stderr)
	var ue *usageError
	var se *shop.Error
	var code exitCode
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.As(err, &code):
		return int(code) // the command has reported it
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "starter:", err)
		return 2
	case errors.As(err, &se):
		fmt.Fprintln(stderr, "starter:", se)
		return 1
	default:
		fmt.Fprintln(stderr, "starter:", err)
		return 1
	}
}

func runErr(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	global, rest := splitGlobal(args)
	if len(rest) > 0 && rest[0] == "reconcile" {
		// reconcile (reconcile.go) has exit statuses of its own and takes the
		// configuration flags anywhere.
		return exitCode(reconcileCmd(append(global, rest[1:]...), stdout, stderr))
	}
	if len(rest) == 0 || isHelp(rest[0]) {
		w := stdout
		if len(rest) == 0 {
			w = stderr
		}
		fmt.Fprint(w, usage)
		if len(rest) == 0 {
			return usagef("what should I do?")
		}
		return errHelp
	}
	cfg, err := config.Load("starter", global)
	if err != nil {
		return usagef("global flags: %v", err)
	}
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr, cfg: cfg}
	switch rest[0] {
	case "order":
		return c.dispatch("order", orderCommands, rest[1:])
	case "subscription":
		return c.dispatch("subscription", subscriptionCommands, rest[1:])
	case "demo":
		return c.demo(rest[1:])
	}
	fmt.Fprint(stderr, usage)
	return usagef("no kind %q: order, subscription or demo", rest[0])
}

// exitCode carries a command's own exit status through runErr.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// splitGlobal splits the global flags (config.Load's, each with a value) from
// the command words that follow them.
func splitGlobal(args []string) (global, rest []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return args[:i], args[i+1:]
		case isHelp(a) || !strings.HasPrefix(a, "-"):
			return args[:i], args[i:]
		case !strings.Contains(a, "=") && i+1 < len(args):
			i++ // "-temporal-address host:port": the value is the next word
		}
	}
	return args, nil
}
