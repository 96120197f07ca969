package main

import "encoding/json"

// The API's answers as the soak reads them: only what it checks, decoded
// independently of the code under test.

type orderView struct {
	OrderID string `json:"order_id"`
	Status  string `json:"status"`
	Amounts struct {
		Total      int64 `json:"total"`
		Authorized int64 `json:"authorized"`
		Captured   int64 `json:"captured"`
		Refunded   int64 `json:"refunded"`
		Voided     int64 `json:"voided"`
	} `json:"amounts"`
	Failure *struct {
		Stage string `json:"stage"`
		Code  string `json:"code"`
	} `json:"failure"`
	// Attention is a processor call that got no answer within its retry
	// policy: an order or subscription waiting for an operator is not settled.
	Attention json.RawMessage `json:"attention"`
}

type subscriptionView struct {
	SubscriptionID string `json:"subscription_id"`
	Status         string `json:"status"`
	Cycle          int    `json:"cycle"`
	Card           struct {
		Token string `json:"token"`
	} `json:"card"`
	Payments []struct {
		Cycle    int    `json:"cycle"`
		Amount   int64  `json:"amount"`
		Status   string `json:"status"`
		Refunded int64  `json:"refunded"`
	} `json:"payments"`
	Totals struct {
		CyclesPaid int   `json:"cycles_paid"`
		Paid       int64 `json:"paid"`
		Refunded   int64 `json:"refunded"`
	} `json:"totals"`
	Attention json.RawMessage `json:"attention"` // see orderView
}

// waiting reports whether an attention is raised (absent and null are not).
func waiting(attention json.RawMessage) bool {
	return len(attention) > 0 && string(attention) != "null"
}

// card is a card as the API takes it. American Express has a 4-digit CVC.
func card(number string) map[string]any {
	cvc := "123"
	if len(number) == 15 {
		cvc = "1234"
	}
	return map[string]any{"number": number, "exp_month": 12, "exp_year": 2030, "cvc": cvc, "holder": "Soak Tester"}
}

// Test cards of the sandbox (API.md).
const (
	cardVisa         = "4242424242424242"
	cardMastercard   = "5555555555554444"
	cardAmex         = "378282246310005"
	cardDoNotHonor   = "4000000000000002" // soft
	cardInsufficient = "4000000000009995" // soft
	cardProcessing   = "4000000000000119" // soft
	cardLost         = "4000000000009987" // hard
	cardExpired      = "4000000000000069" // hard until the account updater answers
	cardFraud        = "4000000000004954" // approved, fraud score 90+: rejected by the screen
)
