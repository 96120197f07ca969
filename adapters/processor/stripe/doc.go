// Package stripe is the processor port (activities.Processor) on Stripe's
// PaymentIntents: authorize is a PaymentIntent confirmed with
// capture_method=manual, sale the same with automatic capture, capture sends
// amount_to_capture, void cancels the PaymentIntent, refund creates a refund
// of an amount against it, and the account updater reads the payment method's
// current card (Stripe updates saved cards by itself). Every money call sends
// the port's idempotency key as Stripe's Idempotency-Key. The worker selects it
// with CARDFLOW_PROCESSOR=stripe.
package stripe
