package order

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/cardflow/cardflow/flow/flowtest"
	"github.com/cardflow/cardflow/payment"
)

// orderProcessor stands in for the processor behind the mocked activities. Like
// the sandbox it keeps a ledger, dedups by idempotency key, enforces the limits
// of every payment (a violation is a contract error, which the workflow must
// never provoke) and declines captures of expired authorizations.
type orderProcessor struct {
	mu       sync.Mutex
	now      func() time.Time
	validity time.Duration
	silent   bool                // do not tell the expiry of authorizations
	script   map[string][]string // token → outcomes of the next charges ("approve" or a decline code)
	payments map[string]*orderPayment
	byKey    map[string]orderCall
	ledger   []orderLedgerEntry
	errors   []string // contract errors answered: a workflow bug
	next     int
	down     bool // every call fails without acting, as a processor outage
	lose     int  // the next calls act, but their answer is lost, as a timeout
}

type orderPayment struct {
	authorized, captured, voided, refunded int64
	expires                                time.Time
}

type orderLedgerEntry struct {
	Key, Type, PaymentID, Token string
	Amount                      int64
	Approved                    bool
}

type orderCall struct {
	req any
	out payment.Outcome
}

var errOrderLost = errors.New("processor call timed out")

func newOrderProcessor(now func() time.Time) *orderProcessor {
	return &orderProcessor{now: now, validity: 7 * 24 * time.Hour, script: map[string][]string{},
		payments: map[string]*orderPayment{}, byKey: map[string]orderCall{}}
}

// SetDown starts or ends an outage; the next lose calls then act and lose their answer.
func (p *orderProcessor) SetDown(down bool, lose int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down, p.lose = down, lose
}

// Script makes the next charges on token take these outcomes, in order.
func (p *orderProcessor) Script(token string, outcomes ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.script[token] = append(p.script[token], outcomes...)
}

func (p *orderProcessor) Authorize(_ context.Context, c payment.Charge) (payment.Outcome, error) {
	return p.call("authorize", c.Key, c)
}
func (p *orderProcessor) Sale(_ context.Context, c payment.Charge) (payment.Outcome, error) {
	return p.call("sale", c.Key, c)
}
func (p *orderProcessor) Capture(_ context.Context, op payment.Operation) (payment.Outcome, error) {
	return p.call("capture", op.Key, op)
}
func (p *orderProcessor) Void(_ context.Context, op payment.Operation) (payment.Outcome, error) {
	return p.call("void", op.Key, op)
}
func (p *orderProcessor) Refund(_ context.Context, op payment.Operation) (payment.Outcome, error) {
	return p.call("refund", op.Key, op)
}

// call answers a repeated key with the first answer, and a key reused for
// another request with a contract error, as the sandbox does; then the faults.
func (p *orderProcessor) call(typ, key string, req any) (out payment.Outcome, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down {
		return payment.Outcome{}, flowtest.ErrDown
	}
	prev, seen := p.byKey[key]
	switch {
	case seen && prev.req != req:
		return payment.Outcome{}, p.contract("idempotency_key_reused", "key %s reused for another request", key)
	case seen:
		out = prev.out
	case typ == "authorize" || typ == "sale":
		out, err = p.charge(typ, req.(payment.Charge))
	default:
		out, err = p.operate(typ, req.(payment.Operation))
	}
	if err == nil && p.lose > 0 {
		p.lose--
		return payment.Outcome{}, errOrderLost
	}
	return out, err
}

func (p *orderProcessor) contract(code, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	p.errors = append(p.errors, code+": "+msg)
	return temporal.NewNonRetryableApplicationError(msg, code, nil)
}

// record books an answered call.
func (p *orderProcessor) record(typ, key, token string, req any, amount int64, out payment.Outcome) {
	p.ledger = append(p.ledger, orderLedgerEntry{Key: key, Type: typ, PaymentID: out.PaymentID, Token: token, Amount: amount, Approved: out.Approved})
	p.byKey[key] = orderCall{req: req, out: out}
}

func (p *orderProcessor) charge(typ string, c payment.Charge) (payment.Outcome, error) {
	if c.Amount.Amount <= 0 {
		return payment.Outcome{}, p.contract("invalid_amount", "%s of %d", typ, c.Amount.Amount)
	}
	outcome := "approve"
	if s := p.script[c.Token]; len(s) > 0 {
		outcome, p.script[c.Token] = s[0], s[1:]
	}
	p.next++
	out := payment.Outcome{PaymentID: fmt.Sprintf("pay_%d", p.next), OperationID: fmt.Sprintf("op_%d", p.next), Amount: c.Amount,
		NetworkTransactionID: fmt.Sprintf("ntx_%d", p.next)}
	if outcome == "approve" {
		pay := &orderPayment{authorized: c.Amount.Amount}
		if typ == "sale" {
			pay.captured = c.Amount.Amount
		} else {
			pay.expires = p.now().Add(p.validity)
			if !p.silent {
				out.ExpiresAt = pay.expires
			}
		}
		out.Approved, p.payments[out.PaymentID] = true, pay
	} else {
		out.Failure = payment.DeclineFor(outcome).Failure(payment.StageProcessor)
	}
	p.record(typ, c.Key, c.Token, c, c.Amount.Amount, out)
	return out, nil
}

func (p *orderProcessor) operate(typ string, op payment.Operation) (payment.Outcome, error) {
	pay, ok := p.payments[op.PaymentID]
	if !ok {
		return payment.Outcome{}, p.contract("payment_not_found", "%s on %s", typ, op.PaymentID)
	}
	amount := op.Amount.Amount
	open := pay.authorized - pay.captured - pay.voided
	out := payment.Outcome{Approved: true, PaymentID: op.PaymentID, Amount: op.Amount}
	switch {
	case amount <= 0:
		return payment.Outcome{}, p.contract("invalid_amount", "%s of %d", typ, amount)
	case typ != "refund" && amount > open:
		return payment.Outcome{}, p.contract("amount_exceeds_authorization", "%s of %d, %d open on %s", typ, amount, open, op.PaymentID)
	case typ == "refund" && amount > pay.captured-pay.refunded:
		return payment.Outcome{}, p.contract("amount_exceeds_captured", "refund of %d, %d refundable on %s", amount, pay.captured-pay.refunded, op.PaymentID)
	case typ == "capture" && !pay.expires.IsZero() && !p.now().Before(pay.expires):
		out.Approved, out.Failure = false, payment.DeclineFor(payment.AuthorizationExpired).Failure(payment.StageProcessor)
	case typ == "capture":
		pay.captured += amount
	case typ == "void":
		pay.voided += amount
	case typ == "refund":
		pay.refunded += amount
	}
	p.next++
	out.OperationID = fmt.Sprintf("op_%d", p.next)
	p.record(typ, op.Key, "", op, amount, out)
	return out, nil
}

// Totals sums the approved ledger entries as Amounts counts them.
func (p *orderProcessor) Totals() Amounts {
	var a Amounts
	for _, e := range p.Ledger() {
		if !e.Approved {
			continue
		}
		switch e.Type {
		case "authorize":
			a.Authorized += e.Amount
		case "sale":
			a.Authorized += e.Amount
			a.Captured += e.Amount
		case "capture":
			a.Captured += e.Amount
		case "void":
			a.Voided += e.Amount
		case "refund":
			a.Refunded += e.Amount
		}
	}
	return a
}

// Open is what all payments together still hold on the card (authorized and
// neither captured nor voided), and how many payments hold it.
func (p *orderProcessor) Open() (amount int64, payments int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pay := range p.payments {
		if open := pay.authorized - pay.captured - pay.voided; open > 0 {
			amount += open
			payments++
		}
	}
	return amount, payments
}

// Keys lists the idempotency keys of the ledger, oldest first.
func (p *orderProcessor) Keys() []string {
	var keys []string
	for _, e := range p.Ledger() {
		keys = append(keys, e.Key)
	}
	return keys
}

// Ledger returns a copy of the ledger.
func (p *orderProcessor) Ledger() []orderLedgerEntry {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]orderLedgerEntry(nil), p.ledger...)
}

// Errors lists the contract errors answered.
func (p *orderProcessor) Errors() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.errors...)
}

// Charge is the request a charge's key was answered for.
func (p *orderProcessor) Charge(key string) (payment.Charge, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.byKey[key].req.(payment.Charge)
	return c, ok
}
