// Command stripe-mock-shim serves stripemock.Shim: stripe-mock (at -upstream)
// with a payment's life, for `make run-stripe`. A test double: loopback only.
package main

import (
	"flag"
	"log"
	"time"

	"github.com/cardflow/cardflow/internal/app"
	"github.com/cardflow/cardflow/internal/config"
	"github.com/cardflow/cardflow/tools/stripemock"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:12110", "where the shim listens (loopback)")
	upstream := flag.String("upstream", "http://127.0.0.1:12111", "stripe-mock's HTTP base URL")
	flag.Parse()
	if !config.Loopback(*addr) {
		log.Fatalf("stripe-mock-shim: %s is not loopback: a test double serves no network", *addr)
	}
	// Every deadline of a cardflow server, though it serves only loopback:
	// a stuck client of make run-stripe should not hold the shim.
	srv := app.NewServer(*addr, stripemock.NewShim(*upstream), app.Timeouts{ReadHeader: 5 * time.Second, Read: 30 * time.Second, Write: 60 * time.Second, Idle: 60 * time.Second})
	log.Printf("stripe-mock-shim on http://%s, forwarding to stripe-mock at %s", *addr, *upstream)
	log.Fatal(srv.ListenAndServe())
}
