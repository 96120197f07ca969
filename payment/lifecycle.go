package payment

import (
	"fmt"
	"slices"
	"strings"
)

// Lifecycle is a state machine written as data, the one place that says what
// may happen when: its rows (in status From, trigger On leads to To, moving
// money as Money says), which of the triggers are commands (sent from outside:
// an API call, a Temporal update or signal) rather than events the workflow
// observes, and what each status means. Orders and subscriptions each have
// one (OrderLifecycle, SubscriptionLifecycle), in this one shape: the update
// validators accept a command only if a row starts from the current status
// with it (409 otherwise), the workflows move only along rows, and the tests
// walk the tables.
type Lifecycle[S, T ~string] struct {
	noun     string // "order", for messages
	statuses []Meaning[S]
	commands []T
	rows     []Transition[S, T]
}

// Meaning is a status and its one-line explanation, for people.
type Meaning[S ~string] struct {
	Status S
	Means  string
}

// Transition is one row of a lifecycle.
type Transition[S, T ~string] struct {
	From  S
	On    T
	To    S
	Money MoneyMove
}

// MoneyMove is what a transition does at the processor.
type MoneyMove string

const (
	MoneyNone      MoneyMove = ""
	MoneyAuthorize MoneyMove = "authorize"
	MoneySale      MoneyMove = "sale"           // authorize and capture in one call
	MoneyCapture   MoneyMove = "capture"        // the total less cancelled items; a void releases the rest
	MoneyVoid      MoneyMove = "void"           // release what is authorized and not captured
	MoneyRefund    MoneyMove = "refund"         // give back (part of) what was captured
	MoneyReauth    MoneyMove = "authorize+void" // authorize anew, then void the old authorization
)

// Statuses lists every status, the start first.
func (l *Lifecycle[S, T]) Statuses() []S {
	out := make([]S, len(l.statuses))
	for i, m := range l.statuses {
		out[i] = m.Status
	}
	return out
}

// Commands lists the triggers sent from outside, in the order of the API's tables.
func (l *Lifecycle[S, T]) Commands() []T { return slices.Clone(l.commands) }

// Rows returns a copy of the rows.
func (l *Lifecycle[S, T]) Rows() []Transition[S, T] { return slices.Clone(l.rows) }

// IsCommand reports whether t is sent from outside (as opposed to an event).
func (l *Lifecycle[S, T]) IsCommand(t T) bool { return slices.Contains(l.commands, t) }

// Valid reports whether s is a status of the lifecycle.
func (l *Lifecycle[S, T]) Valid(s S) bool {
	return slices.ContainsFunc(l.statuses, func(m Meaning[S]) bool { return m.Status == s })
}

// Meaning is a one-line explanation of the status, for people.
func (l *Lifecycle[S, T]) Meaning(s S) string {
	i := slices.IndexFunc(l.statuses, func(m Meaning[S]) bool { return m.Status == s })
	if i < 0 {
		return ""
	}
	return l.statuses[i].Means
}

// Terminal reports whether s is an end: no row leads from it to another
// status (an ended subscription still takes refunds, which leave it as it is).
func (l *Lifecycle[S, T]) Terminal(s S) bool {
	return l.Valid(s) && !slices.ContainsFunc(l.rows, func(t Transition[S, T]) bool { return t.From == s && t.To != s })
}

// Allows reports whether command c is accepted in status s.
func (l *Lifecycle[S, T]) Allows(s S, c T) bool {
	return l.IsCommand(c) && slices.ContainsFunc(l.rows, func(t Transition[S, T]) bool { return t.From == s && t.On == c })
}

// Next returns the row that trigger on takes from status from, or an error if
// the lifecycle has none: a workflow never moves off the table.
func (l *Lifecycle[S, T]) Next(from S, on T) (Transition[S, T], error) {
	i := slices.IndexFunc(l.rows, func(t Transition[S, T]) bool { return t.From == from && t.On == on })
	if i < 0 {
		return Transition[S, T]{}, fmt.Errorf("%s: no transition from %s on %s", l.noun, from, on)
	}
	return l.rows[i], nil
}

// Check says why command c is not accepted in status s, in words fit for the
// API's 409 answer; nil when it is accepted.
func (l *Lifecycle[S, T]) Check(s S, c T) error {
	if l.Allows(s, c) {
		return nil
	}
	if !l.IsCommand(c) {
		return fmt.Errorf("%s is not %s command", c, article(l.noun))
	}
	var in []string
	for _, t := range l.rows {
		if t.On == c && !slices.Contains(in, string(t.From)) {
			in = append(in, string(t.From))
		}
	}
	return fmt.Errorf("%s is not allowed while the %s is %s (%s); allowed when %s",
		c, l.noun, s, l.Meaning(s), strings.Join(in, ", "))
}

func article(noun string) string {
	if strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}
