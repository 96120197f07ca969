// Package stripe is the API's vault on Stripe: card data from a server-side
// integration becomes a payment method saved to the shop customer's Stripe
// customer, and its pm_... id is cardflow's token. Tokens made by Stripe's own
// card fields in the browser (a pm_... too) are read with Card. The API links
// it when CARDFLOW_PROCESSOR=stripe, beside adapters/vault (the sandbox's).
package stripe
