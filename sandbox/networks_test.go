package sandbox_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/adapters/vault"
	"github.com/cardflow/cardflow/payment"
)

// networkCards are README's test numbers of every network: one or more per
// brand, with the lengths and ranges that used to be refused or misread.
var networkCards = []struct {
	number  string
	brand   payment.Brand
	country string
}{
	{"4242424242424242", payment.Visa, "US"},
	{"400000000000000002", payment.Visa, "US"}, // 18 digits
	{"5555555555554444", payment.Mastercard, "US"},
	{"2223003122003222", payment.Mastercard, "US"},
	{"378282246310005", payment.Amex, "US"},
	{"6011111111111117", payment.Discover, "US"},
	{"6590000000000003", payment.Discover, "US"}, // 65 outside the nested ranges
	{"3530111333300000", payment.JCB, "US"},
	{"213100000000001", payment.JCB, "US"}, // older 15-digit range
	{"180000000000002", payment.JCB, "US"},
	{"36227206271667", payment.Diners, "US"},
	{"6200000000000005", payment.UnionPay, "US"},
	{"62000000000005", payment.UnionPay, "US"},  // 14 digits
	{"620000000000000", payment.UnionPay, "US"}, // 15 digits
	{"8100000000000002", payment.UnionPay, "US"},
	{"6759649826438453", payment.Maestro, "US"},
	{"5066991111111118", payment.Elo, "BR"},
	{"6362970000457013", payment.Elo, "BR"},
	{"6500310000000005", payment.Elo, "BR"}, // inside Discover's 65
	{"4011780000000006", payment.Elo, "BR"}, // inside Visa's 4
	{"6062828888666688", payment.Hipercard, "BR"},
	{"3841000000000007", payment.Hipercard, "BR"}, // inside Diners' 38
	{"6370950000000005", payment.Hiper, "BR"},
	{"6373742300000000", payment.Hiper, "BR"},
	{"2200000000000004", payment.Mir, "RU"},
	{"9792030394440796", payment.Troy, "TR"},
	{"6500520000000009", payment.Troy, "TR"},
	{"5060990580000217499", payment.Verve, "NG"}, // 19 digits, inside Maestro's 50
	{"6500020000000000", payment.Verve, "NG"},
	{"6521500000000006", payment.RuPay, "IN"},
	{"6069850000000003", payment.RuPay, "IN"},
	{"8172000000000005", payment.RuPay, "IN"},
	{"5019717010103742", payment.Dankort, "DK"},
}

// Every network's test number tokenizes under its brand over the real HTTP
// handler, and an authorization and a sale on it are approved, with their ledger
// entries.
func TestNetworkTestCards(t *testing.T) {
	e := newEnv(t)
	seen := map[payment.Brand]bool{}
	for _, tt := range networkCards {
		seen[tt.brand] = true
		t.Run(string(tt.brand)+"/"+tt.number, func(t *testing.T) {
			var body struct {
				Card struct {
					Brand      string `json:"brand"`
					Last4      string `json:"last4"`
					BINCountry string `json:"bin_country"`
				} `json:"card"`
			}
			c := card(tt.number)
			resp := e.raw("POST", "/v1/tokens", "", map[string]any{"customer_id": "cus_1", "number": c.Number,
				"exp_month": c.ExpMonth, "exp_year": c.ExpYear, "cvc": c.CVC}, &body)
			require.Equal(t, 201, resp.StatusCode)
			assert.Equal(t, string(tt.brand), body.Card.Brand, "the brand's JSON value")
			assert.Equal(t, tt.country, body.Card.BINCountry)

			tok := e.tokenize(tt.number)
			assert.Equal(t, payment.Card{Token: tok.Token, Brand: tt.brand, Last4: payment.Last4(tt.number), ExpMonth: 12, ExpYear: 2030, BINCountry: tt.country}, tok)
			for _, kind := range []string{"authorize", "sale"} {
				ch := payment.Charge{Key: kind + "/" + tt.number, Token: tok.Token, Amount: eur(1000)}
				charge := e.p.Authorize
				if kind == "sale" {
					charge = e.p.Sale
				}
				o, err := charge(ctx(t), ch)
				require.NoError(t, err)
				assert.True(t, o.Approved, kind)
				assert.Nil(t, o.Failure, kind)
				l := e.ledger(vault.LedgerQuery{IdempotencyKey: ch.Key})
				require.Len(t, l, 1, kind)
				assert.Equal(t, "approved", l[0].Status, kind)
				assert.Equal(t, int64(1000), l[0].Amount, kind)
			}
		})
	}
	for _, b := range payment.Brands() {
		assert.True(t, seen[b], "%s has no test number", b)
	}
}

// A number of a recognised network with a length it does not issue is an
// invalid_length, an unrecognised prefix stays unknown_brand, and the security
// code follows the network.
func TestNetworkCardErrors(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name, number, cvc, field, reason string
	}{
		{"elo of 19 digits", "5066991111111111110", "123", payment.FieldNumber, payment.InvalidLength},
		{"jcb 35 of 15 digits", "352800000000007", "123", payment.FieldNumber, payment.InvalidLength},
		{"mir of 15 digits", "220000000000004", "123", payment.FieldNumber, payment.InvalidLength},
		{"unrecognised prefix", "9111111111111111", "123", payment.FieldNumber, payment.UnknownBrand},
		{"troy with a 4-digit code", "9792030394440796", "1234", payment.FieldCVC, payment.InvalidCVC},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body struct {
				Error struct {
					Code    string `json:"code"`
					Field   string `json:"field"`
					Reason  string `json:"reason"`
					Message string `json:"message"`
				} `json:"error"`
			}
			resp := e.raw("POST", "/v1/tokens", "", map[string]any{"customer_id": "cus_1", "number": tt.number,
				"exp_month": 12, "exp_year": 2030, "cvc": tt.cvc}, &body)
			assert.Equal(t, 422, resp.StatusCode)
			assert.Equal(t, "invalid_card", body.Error.Code)
			assert.Equal(t, tt.field, body.Error.Field)
			assert.Equal(t, tt.reason, body.Error.Reason)
			assert.NotContains(t, body.Error.Message, tt.number)
		})
	}
}
