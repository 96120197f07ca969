package flow

import (
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"
)

// Sender is embedded in every command's payload: who sent the command and
// the digest of the request that carried it. Both are optional on the wire:
// a signal from the Temporal UI or a command from the starter carries none.
type Sender struct {
	// Actor names who ran the command in its audit event (events[].actor): the
	// API's "key:sk_…_a1b2" (a key id, never the key), or ActorOperator.
	Actor string `json:"actor,omitempty"`
	// Digest identifies the request (the API's digest of its body, without
	// card number or CVC). Since RevGuarded an update answers it back, so the
	// caller tells a repeat of its request from an Idempotency-Key reused for
	// another body: Temporal answers a repeated update id with the first
	// outcome without running the handler again.
	Digest string `json:"request_digest,omitempty"`
}

func (s Sender) sender() Sender { return s }

// ActorOperator is the actor of a command that named none: a signal from the
// Temporal UI or `temporal workflow signal`, or the starter CLI.
const ActorOperator = "operator"

// SenderOf is the Sender embedded in a command's payload, the zero Sender for
// a payload without one (nil too).
func SenderOf(payload any) Sender {
	if s, ok := payload.(interface{ sender() Sender }); ok {
		return s.sender()
	}
	return Sender{}
}

// ActorOf is who sent the payload, ActorOperator when it names nobody.
func ActorOf(payload any) string {
	if a := SenderOf(payload).Actor; a != "" {
		return a
	}
	return ActorOperator
}

// Echoed is an update's answer that carries the digest of the request it ran
// for (the views' request_digest): Send compares it with the digest it sent.
type Echoed interface {
	EchoedDigest() string
}

// Rejections of the guards of RevGuarded.
const (
	// ErrTypeTooManyAttempts: too many declined attempts in the window; the
	// API answers 429.
	ErrTypeTooManyAttempts = "too_many_attempts"
	// ErrTypeKeyReused: an Idempotency-Key already used with another request;
	// the API answers 422 naming the Idempotency-Key header.
	ErrTypeKeyReused = "idempotency_key_reused"
)

// TooManyAttempts refuses an attempt while l's declines fill its window; the
// next is allowed from until.
func TooManyAttempts(l AttemptLimits, until time.Time) error {
	return temporal.NewNonRetryableApplicationError(
		"too many declined attempts: "+strconv.Itoa(l.MaxDeclines)+" within "+l.DeclineWindow.String()+"; try again after "+until.UTC().Format(time.RFC3339),
		ErrTypeTooManyAttempts, nil, "card")
}

// KeyReused refuses a command whose Idempotency-Key was used with another request.
func KeyReused(key string) error {
	return temporal.NewNonRetryableApplicationError(
		"Idempotency-Key "+key+" was already used with a different request", ErrTypeKeyReused, nil, "Idempotency-Key")
}

// Declines are the times of recent declined attempts that count against
// AttemptLimits, oldest first, at most MaxDeclines of them.
type Declines []time.Time

// Add records a declined attempt at t, keeping the last l.MaxDeclines.
func (d Declines) Add(t time.Time, l AttemptLimits) Declines {
	d = append(d, t)
	if len(d) > l.MaxDeclines {
		d = append(Declines(nil), d[len(d)-l.MaxDeclines:]...)
	}
	return d
}

// Until is when the limit lifts: zero unless MaxDeclines declines are
// remembered, else the moment the oldest of them leaves the window (which may
// have passed).
func (d Declines) Until(l AttemptLimits) time.Time {
	if l.MaxDeclines <= 0 || len(d) < l.MaxDeclines {
		return time.Time{}
	}
	return d[len(d)-l.MaxDeclines].Add(l.DeclineWindow)
}

// Check refuses an attempt at now while MaxDeclines declines lie within the window.
func (d Declines) Check(now time.Time, l AttemptLimits) error {
	if until := d.Until(l); now.Before(until) {
		return TooManyAttempts(l, until)
	}
	return nil
}

// Defaults of AttemptLimits.
const (
	DefaultMaxDeclines   = 10
	DefaultDeclineWindow = time.Hour
	// maxDeclinesCap bounds the declines a workflow remembers.
	maxDeclinesCap = 100
)

// AttemptLimits bound the declined attempts a customer can make, since
// RevGuarded: an order's retries with another card, a subscription's
// catch-up bills (a card change or catch-up while past due or suspended).
// Both workflows' settings embed it. Without a limit an order is a
// card-testing oracle: an attacker tries stolen numbers until one passes.
type AttemptLimits struct {
	// MaxDeclines declined attempts within DeclineWindow refuse the next
	// (too_many_attempts) until the oldest leaves the window (default 10, at
	// most 100).
	MaxDeclines   int           `json:"max_declines,omitempty"`
	DeclineWindow time.Duration `json:"decline_window,omitempty"` // default 1h
}

// WithDefaults fills the zero fields.
func (l AttemptLimits) WithDefaults() AttemptLimits {
	if l.MaxDeclines <= 0 {
		l.MaxDeclines = DefaultMaxDeclines
	}
	l.MaxDeclines = min(l.MaxDeclines, maxDeclinesCap)
	if l.DeclineWindow <= 0 {
		l.DeclineWindow = DefaultDeclineWindow
	}
	return l
}
