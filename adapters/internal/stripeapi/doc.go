// Package stripeapi is what cardflow's two Stripe adapters share: the Stripe
// processor (adapters/processor/stripe, the worker's) and the Stripe vault
// (adapters/vault/stripe, the API's). It builds the stripe-go client, maps
// Stripe's errors onto cardflow's decline catalogue and contract errors,
// converts amounts between ISO 4217 minor units and Stripe's, and reads a
// payment method as a payment.Card. Nothing outside adapters/ sees Stripe.
package stripeapi
