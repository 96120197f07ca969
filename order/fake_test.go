package order

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/sdk/temporal"

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

// errOrderDown and errOrderLost are transport faults: retryable errors.
var (
	errOrderDown = errors.New("processor unavailable: 503")
	errOrderLost = errors.New("processor call timed out")
)

// SetDown starts or ends an outage.
func (p *orderProcessor) SetDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
}

// LoseNext makes the next n calls act and then lose their answer.
func (p *orderProcessor) LoseNext(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lose = n
}

// fault is the fault of a call that acted (or not) with out and err.
func (p *orderProcessor) fault(out payment.Outcome, err error) (payment.Outcome, error) {
	if err == nil && p.lose > 0 {
		p.lose--
		return payment.Outcome{}, errOrderLost
	}
	return out, err
}

type orderPayment struct {
	id                                     string
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
	err error
}

// orderDeclines are the declines the fake knows, with the catalogue's class and ISO code.
var orderDeclines = map[string]payment.Failure{
	"insufficient_funds":    {Code: "insufficient_funds", Class: payment.Soft, ProcessorCode: "51", Message: "Insufficient funds. Please use another card."},
	"do_not_honor":          {Code: "do_not_honor", Class: payment.Soft, ProcessorCode: "05", Message: "Your bank declined the payment."},
	"lost_card":             {Code: "lost_card", Class: payment.Hard, ProcessorCode: "41", Message: "This card cannot be used. Please use another card."},
	"authorization_expired": {Code: "authorization_expired", Class: payment.Hard, ProcessorCode: "", Message: "The authorization has expired."},
}

func newOrderProcessor(now func() time.Time) *orderProcessor {
	return &orderProcessor{now: now, validity: 7 * 24 * time.Hour, script: map[string][]string{},
		payments: map[string]*orderPayment{}, byKey: map[string]orderCall{}}
}

// Script makes the next charges on token take these outcomes, in order.
func (p *orderProcessor) Script(token string, outcomes ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.script[token] = append(p.script[token], outcomes...)
}

func (p *orderProcessor) Authorize(_ context.Context, c payment.Charge) (payment.Outcome, error) {
	return p.charge("authorize", c)
}

func (p *orderProcessor) Sale(_ context.Context, c payment.Charge) (payment.Outcome, error) {
	return p.charge("sale", c)
}

func (p *orderProcessor) Capture(_ context.Context, op payment.Operation) (payment.Outcome, error) {
	return p.operate("capture", op)
}

func (p *orderProcessor) Void(_ context.Context, op payment.Operation) (payment.Outcome, error) {
	return p.operate("void", op)
}

func (p *orderProcessor) Refund(_ context.Context, op payment.Operation) (payment.Outcome, error) {
	return p.operate("refund", op)
}

// dedup answers a repeated key with the first answer, and a key reused for
// another request with a contract error, as the sandbox does.
func (p *orderProcessor) dedup(key string, req any) (orderCall, bool) {
	c, ok := p.byKey[key]
	if ok && c.req != req {
		return orderCall{err: p.contract("idempotency_key_reused", "key %s reused for another request", key)}, true
	}
	return c, ok
}

func (p *orderProcessor) contract(code, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	p.errors = append(p.errors, code+": "+msg)
	return temporal.NewNonRetryableApplicationError(msg, code, nil)
}

func (p *orderProcessor) charge(typ string, c payment.Charge) (payment.Outcome, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down {
		return payment.Outcome{}, errOrderDown
	}
	return p.fault(p.chargeOnce(typ, c))
}

func (p *orderProcessor) chargeOnce(typ string, c payment.Charge) (payment.Outcome, error) {
	if prev, ok := p.dedup(c.Key, c); ok {
		return prev.out, prev.err
	}
	if c.Amount.Amount <= 0 {
		return payment.Outcome{}, p.contract("invalid_amount", "%s of %d", typ, c.Amount.Amount)
	}
	outcome := "approve"
	if s := p.script[c.Token]; len(s) > 0 {
		outcome, p.script[c.Token] = s[0], s[1:]
	}
	p.next++
	pay := &orderPayment{id: fmt.Sprintf("pay_%d", p.next)}
	out := payment.Outcome{PaymentID: pay.id, OperationID: fmt.Sprintf("op_%d", p.next), Amount: c.Amount}
	if outcome == "approve" {
		out.Approved = true
		pay.authorized = c.Amount.Amount
		if typ == "sale" {
			pay.captured = c.Amount.Amount
		} else {
			pay.expires = p.now().Add(p.validity)
			if !p.silent {
				out.ExpiresAt = pay.expires
			}
		}
		p.payments[pay.id] = pay
	} else {
		f := orderDeclines[outcome]
		f.Stage = payment.StageProcessor
		out.Failure = &f
	}
	p.ledger = append(p.ledger, orderLedgerEntry{Key: c.Key, Type: typ, PaymentID: pay.id, Token: c.Token, Amount: c.Amount.Amount, Approved: out.Approved})
	p.byKey[c.Key] = orderCall{req: c, out: out}
	return out, nil
}

func (p *orderProcessor) operate(typ string, op payment.Operation) (payment.Outcome, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down {
		return payment.Outcome{}, errOrderDown
	}
	return p.fault(p.operateOnce(typ, op))
}

func (p *orderProcessor) operateOnce(typ string, op payment.Operation) (payment.Outcome, error) {
	if prev, ok := p.dedup(op.Key, op); ok {
		return prev.out, prev.err
	}
	pay, ok := p.payments[op.PaymentID]
	if !ok {
		return payment.Outcome{}, p.contract("payment_not_found", "%s on %s", typ, op.PaymentID)
	}
	amount := op.Amount.Amount
	open := pay.authorized - pay.captured - pay.voided
	out := payment.Outcome{Approved: true, PaymentID: pay.id, Amount: op.Amount}
	switch {
	case amount <= 0:
		return payment.Outcome{}, p.contract("invalid_amount", "%s of %d", typ, amount)
	case typ == "capture" && amount > open, typ == "void" && amount > open:
		return payment.Outcome{}, p.contract("amount_exceeds_authorization", "%s of %d, %d open on %s", typ, amount, open, pay.id)
	case typ == "refund" && amount > pay.captured-pay.refunded:
		return payment.Outcome{}, p.contract("amount_exceeds_captured", "refund of %d, %d refundable on %s", amount, pay.captured-pay.refunded, pay.id)
	case typ == "capture" && !pay.expires.IsZero() && !p.now().Before(pay.expires):
		f := orderDeclines["authorization_expired"]
		f.Stage = payment.StageProcessor
		out.Approved, out.Failure = false, &f
	case typ == "capture":
		pay.captured += amount
	case typ == "void":
		pay.voided += amount
	case typ == "refund":
		pay.refunded += amount
	}
	p.next++
	out.OperationID = fmt.Sprintf("op_%d", p.next)
	p.ledger = append(p.ledger, orderLedgerEntry{Key: op.Key, Type: typ, PaymentID: pay.id, Amount: amount, Approved: out.Approved})
	p.byKey[op.Key] = orderCall{req: op, out: out}
	return out, nil
}

// Totals sums the approved ledger entries as Amounts counts them.
func (p *orderProcessor) Totals() Amounts {
	p.mu.Lock()
	defer p.mu.Unlock()
	var a Amounts
	for _, e := range p.ledger {
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
	p.mu.Lock()
	defer p.mu.Unlock()
	var keys []string
	for _, e := range p.ledger {
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
