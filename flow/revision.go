package flow

import "go.temporal.io/sdk/workflow"

// ChangeID is the one workflow.GetVersion change id of both workflows. Each run
// reads its revision once, at its start, under it: a change id costs a marker
// and a TemporalChangeVersion upsert (two history events and a visibility
// write) in every run that records it, and a subscription starts a run every
// billing cycle, so later changes raise the version of this id instead of
// adding ids. Its name is that of the first change it carried (bounded
// processor retries); it is a Temporal name and never changes. Runs keep the
// revision they recorded; a run recorded by an older worker replays as it ran.
const ChangeID = "processor-outage-v1"

// Revision is the revision of the workflows' logic a run follows.
type Revision workflow.Version

const (
	// RevOriginal: unlimited processor retries, no attention state.
	RevOriginal = Revision(workflow.DefaultVersion)
	// RevAttention: bounded processor retries, the attention state and
	// retry-operation (attention.go).
	RevAttention Revision = 1
	// RevLean: fewer history events and workflow tasks for the same behaviour
	// (tools/bench/RESULTS.md): search attributes are upserted only where they
	// differ from the workflow's (not at the start when the API set them; a
	// status change upserts the status alone); a subscription's validity check
	// runs as a local activity first, as the order's does; a paid cycle's
	// notices go out from the next run, so continue-as-new starts no grace
	// timer when nothing else is left to wait for.
	RevLean Revision = 2
	// RevGuarded: the defences of issue 12. Every command's audit event names
	// who ran it (the payload's actor, "operator" when a signal or the CLI
	// sent none); an order refuses new attempts after Settings.MaxDeclines
	// declined ones in Settings.DeclineWindow (too_many_attempts), and a
	// subscription refuses card changes and catch-ups that would bill again
	// after as many declined catch-up bills; the fraud screen counts the
	// distinct cards an order has seen and runs its card-testing rules even
	// when the caller switched it off; running totals are added checked
	// (payment.AddAmount), and a command or bill that would overflow one is
	// refused; each update answers the digest of the request it ran for, so
	// the caller can tell a reused Idempotency-Key from a repeat
	// (idempotency_key_reused), and a subscription keeps the digest with each
	// applied key across continue-as-new.
	RevGuarded Revision = 3
	// RevPaymentPage: issue 13's payment page. An order may start without a
	// card, in awaiting_payment, whose first attempt is the page's retry and
	// which is cancelled when left for Settings.AbandonAfter; a subscription
	// may start without a card, incomplete, until the page's payment-method
	// starts its trial or first bill (or it expires after its
	// Settings.IncompleteAfter). Runs with a card take the same steps as
	// before.
	RevPaymentPage Revision = 4

	// RevThreeDS: 3-D Secure (issue 14). An order's attempt asks the
	// processor to authenticate the cardholder (three_ds automatic or
	// always) and authorizes with the authentication data; a challenge
	// leaves it requires_action until the customer is back (the authenticate
	// command, whose result is asked of the processor) or the authentication
	// timeout passes; a re-authorization is merchant-initiated with the
	// network transaction id of the authorization it replaces. A
	// subscription's customer-initiated payments (the first bill, the
	// zero-amount verification at the start of a trial, the catch-up of a
	// card change) authenticate likewise; every other bill is
	// merchant-initiated with the stored network transaction id.
	RevThreeDS Revision = 5

	// RevProcessorEvents: what the processor reports of money moved or a card
	// changed outside cardflow (a capture or refund in Stripe's dashboard,
	// Stripe's own card updater) reaches the workflows: an order takes the
	// processor-event signal, a subscription card-updated (order/external.go,
	// subscription/external.go). Runs before it have neither handler, so a
	// signal of those names is dropped by them as it was.
	RevProcessorEvents Revision = 6

	// RevCycleRefundsAtProcessor: a refund of a subscription's paid cycle made
	// at the processor (in Stripe's dashboard) reaches the subscription as the
	// processor-event signal, as an order's does since RevProcessorEvents: the
	// cycle's refunded amount and the totals count it, the audit trail shows
	// it and the customer gets the refund notice (subscription/external.go).
	// Runs before it have no such handler on a subscription and drop the
	// signal as they did. Orders take the same steps as in RevProcessorEvents.
	RevCycleRefundsAtProcessor Revision = 7

	// RevFirstCardVerified: a subscription started for the payment page
	// (incomplete) verifies its first card before anything starts, so it
	// stays incomplete while the card's 3-D Secure challenge waits; a passed
	// challenge whose zero-amount authorization is approved starts the trial
	// (anchored then) or the first bill; a failed or timed-out one leaves it
	// incomplete for another card (until its Settings.IncompleteAfter).
	// Before it the page's card started the trial first and verified after,
	// so the subscription was trialing while the challenge waited.
	RevFirstCardVerified Revision = 8

	// RevDeclinedCardsCount: a card whose zero-amount verification is
	// declined no longer starts anything. An incomplete subscription (the
	// payment page's) stays incomplete for another card, where before the
	// declined card started the trial (or billed at once) all the same. And
	// the declined verifications (and a new card's failed or unanswered
	// challenge) count against Settings.AttemptLimits, as
	// declined catch-up bills do: a card change (the page's included) that
	// would verify or bill answers too_many_attempts while the window is
	// full, so a subscription's card fields are no card tester's oracle.
	RevDeclinedCardsCount Revision = 9

	// RevPageLinkEnds: an order placed for the payment page and not paid yet
	// is cancelled when its link expires (the PageView's expires_at,
	// AbandonAfter after the order was placed), whatever declines on the page
	// came between; once the page's card was authorized (or held), a later
	// payment_failed keeps the ordinary clock. Before it a decline
	// (payment_failed) restarted the abandonment clock, so the order waited
	// up to another AbandonAfter for a customer whose link had expired and
	// who could no longer pay it. Subscriptions unchanged.
	RevPageLinkEnds Revision = 10

	// RevDisputes: an order learns of a dispute (chargeback) of its payment
	// from the processor-event kinds disputed and dispute_closed
	// (order/dispute.go): the audit trail, the view's dispute, the amounts'
	// disputed once one is lost, the merchant's order.disputed and
	// order.dispute_closed; an order that ends while a dispute is open
	// waits, bounded by Settings.DisputeWait, for its close. Before it
	// processor-event refuses those kinds as it refuses any kind it does not
	// know, so the signal is dropped. Subscriptions unchanged.
	RevDisputes Revision = 11

	// Latest is the revision new runs take; tests that pin an older one
	// name it as the newest a run supports.
	Latest = RevDisputes
)

// ReadRevision is the run's revision; call it once, at the start of the run.
func ReadRevision(ctx workflow.Context) Revision {
	return Revision(workflow.GetVersion(ctx, ChangeID, workflow.Version(RevOriginal), workflow.Version(Latest)))
}

// Attention reports bounded processor retries and the attention state.
func (r Revision) Attention() bool { return r >= RevAttention }

// Lean reports the leaner histories of RevLean.
func (r Revision) Lean() bool { return r >= RevLean }

// Guarded reports the defences of RevGuarded: actors, attempt limits,
// card-testing rules, checked totals and request digests.
func (r Revision) Guarded() bool { return r >= RevGuarded }

// PaymentPage reports the payment page's starts without a card of
// RevPaymentPage.
func (r Revision) PaymentPage() bool { return r >= RevPaymentPage }

// ThreeDS reports the 3-D Secure flows of RevThreeDS.
func (r Revision) ThreeDS() bool { return r >= RevThreeDS }

// ProcessorEvents reports the processor-event and card-updated signals of
// RevProcessorEvents.
func (r Revision) ProcessorEvents() bool { return r >= RevProcessorEvents }

// CycleRefundsAtProcessor reports the subscription's processor-event signal
// of RevCycleRefundsAtProcessor.
func (r Revision) CycleRefundsAtProcessor() bool { return r >= RevCycleRefundsAtProcessor }

// FirstCardVerified reports that an incomplete subscription's first card is
// verified (and authenticated) before its trial or first bill starts
// (RevFirstCardVerified).
func (r Revision) FirstCardVerified() bool { return r >= RevFirstCardVerified }

// DeclinedCardsCount reports that a declined verification starts nothing
// and counts against the attempt limits (RevDeclinedCardsCount).
func (r Revision) DeclinedCardsCount() bool { return r >= RevDeclinedCardsCount }

// PageLinkEnds reports that a payment-page order ends when its link expires
// (RevPageLinkEnds).
func (r Revision) PageLinkEnds() bool { return r >= RevPageLinkEnds }

// Disputes reports the order's disputes of RevDisputes.
func (r Revision) Disputes() bool { return r >= RevDisputes }
