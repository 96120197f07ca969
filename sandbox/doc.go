// Package sandbox is cardflow's sandbox card processor: a real HTTP service that
// behaves like a processor in test mode. It tokenizes cards into its vault (the
// only place a card number ever rests, sealed with AES-GCM; CVCs are checked and
// forgotten), authorizes, captures, voids, refunds and sells, answers the account
// updater and a per-token risk signal, dedups every money call by its
// Idempotency-Key, and keeps a ledger. All of it persists in one SQLite file, so a
// restart never orphans a token a workflow still holds.
//
// Every endpoint but tokenization and /healthz needs the merchant's secret key
// (Authorization: Bearer); tokenization also takes the publishable key (auth.go).
//
// Processor endpoints (adapters/processor/sandbox and adapters/vault speak these):
//
//	POST /v1/tokens                           tokenize: 201 {card, customer_id}; bad card data 422
//	GET  /v1/tokens/{token}                   {card, customer_id}; never the number
//	GET  /v1/tokens/{token}/risk              {"score": 0-100}
//	POST /v1/tokens/{token}/account-updater   {updated, closed, card}      (Idempotency-Key)
//	POST /v1/payments                         {type: authorize|sale, token, amount, currency} (Idempotency-Key)
//	GET  /v1/payments/{id}                    the payment, its totals and operations
//	POST /v1/payments/{id}/capture            {amount, currency}          (Idempotency-Key)
//	POST /v1/payments/{id}/void               {amount: 0 = all uncaptured} (Idempotency-Key)
//	POST /v1/payments/{id}/refund             {amount, currency}          (Idempotency-Key)
//
// Test-mode endpoints (never faulty):
//
//	POST /v1/sandbox/tokens/{token}/outcomes  {"outcomes": ["insufficient_funds", "approve"]}
//	PUT  /v1/sandbox/tokens/{token}/updater   {"number", "exp_month", "exp_year"} or {"closed": true}
//	GET  /v1/sandbox/ledger                   [?token=][&payment_id=][&idempotency_key=][&limit=][&after=]
//	GET  /v1/sandbox/faults, PUT /v1/sandbox/faults {"faults": "error=0.1,timeout=0.1"}
//
// A money call answers 200 with status "approved" or "declined" (a decline is a
// result and a ledger entry, never an HTTP error). Contract errors are 4xx
// {"error": {"code", "message", "field"}}; sandbox/README.md lists them, with the
// test cards, the limits and the fault injection.
package sandbox
