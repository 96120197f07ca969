package sandbox_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/adapters/vault"
	"github.com/cardflow/cardflow/payment"
)

func TestTestCards(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		number, code, iso string
		class             payment.Class
		risk              int
	}{
		{"4242424242424242", "", "00", "", 5},
		{"5555555555554444", "", "00", "", 5},
		{"378282246310005", "", "00", "", 5},
		{"4000000000000002", "do_not_honor", "05", payment.Soft, 5},
		{"4000000000009995", "insufficient_funds", "51", payment.Soft, 5},
		{"4000000000000119", "processing_error", "96", payment.Soft, 5},
		{"4000000000009987", "lost_card", "41", payment.Hard, 5},
		{"4000000000009979", "stolen_card", "43", payment.Hard, 5},
		{"4000000000000069", "expired_card", "54", payment.Hard, 5},
		{"4000000000000127", "incorrect_cvc", "N7", payment.Hard, 5},
		{"4000000000004954", "", "00", "", 92},
		{"4000000000009235", "", "00", "", 70},
		// Not in the table: approved, low risk, whatever the brand.
		{"2223003122003222", "", "00", "", 5}, // Mastercard 2-series
		{"6011111111111117", "", "00", "", 5}, // Discover
		{"3530111333300000", "", "00", "", 5}, // JCB
		{"36227206271667", "", "00", "", 5},   // Diners
		{"6200000000000005", "", "00", "", 5}, // UnionPay
	}
	for _, tt := range tests {
		t.Run(tt.number, func(t *testing.T) {
			tok := e.tokenize(tt.number)
			assert.Equal(t, payment.Last4(tt.number), tok.Last4)
			for _, kind := range []string{"authorize", "sale"} {
				ch := payment.Charge{Key: kind + "/" + tt.number, Token: tok.Token, Amount: eur(1000)}
				charge := e.p.Authorize
				if kind == "sale" {
					charge = e.p.Sale
				}
				o, err := charge(ctx(t), ch)
				require.NoError(t, err)
				assert.Equal(t, tt.code == "", o.Approved, kind)
				assert.NotEmpty(t, o.PaymentID)
				assert.NotEmpty(t, o.OperationID)
				assert.Equal(t, eur(1000), o.Amount)
				if tt.code != "" {
					require.NotNil(t, o.Failure, kind)
					assert.Equal(t, payment.Failure{Stage: payment.StageProcessor, Code: tt.code, Class: tt.class, ProcessorCode: tt.iso,
						Message: payment.DeclineFor(tt.code).Message}, *o.Failure, kind)
				} else {
					assert.Nil(t, o.Failure, kind)
				}
				l := e.ledger(vault.LedgerQuery{IdempotencyKey: ch.Key})
				require.Len(t, l, 1, kind)
				want := "approved"
				if tt.code != "" {
					want = "declined"
				}
				assert.Equal(t, want, l[0].Status)
				assert.Equal(t, tt.code, l[0].Code)
				assert.Equal(t, tt.iso, l[0].ProcessorCode)
				assert.Equal(t, kind, l[0].Type)
				assert.Equal(t, o.PaymentID, l[0].PaymentID)
				assert.Equal(t, tok.Token, l[0].Token)
			}
			risk, err := e.p.Risk(ctx(t), tok.Token)
			require.NoError(t, err)
			assert.Equal(t, tt.risk, risk)
		})
	}
}

func TestRiskBands(t *testing.T) {
	e := newEnv(t)
	high, err := e.p.Risk(ctx(t), e.tokenize("4000000000004954").Token)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, high, 90)
	review, err := e.p.Risk(ctx(t), e.tokenize("4000000000009235").Token)
	require.NoError(t, err)
	assert.True(t, review >= 65 && review <= 74, "risk %d not in 65-74", review)
	_, err = e.p.Risk(ctx(t), "tok_unknown")
	contractErr(t, err, 404, "token_not_found")
}

func TestCardExpiredAtChargeDate(t *testing.T) {
	e := newEnv(t)
	c, err := e.c.Tokenize(ctx(t), "cus_1", payment.CardData{Number: "4242424242424242", ExpMonth: 12, ExpYear: 2026, CVC: "123"})
	require.NoError(t, err)
	assert.True(t, e.authorize("k1", c.Token, 100).Approved, "good through the end of its expiry month")
	e.clock.Advance(41 * 24 * time.Hour) // 2027-01-01
	o := e.authorize("k2", c.Token, 100)
	require.False(t, o.Approved)
	assert.Equal(t, "expired_card", o.Failure.Code)
	assert.Equal(t, payment.Hard, o.Failure.Class)
}

func TestTokenize(t *testing.T) {
	e := newEnv(t)
	c := e.tokenize("4242 4242 4242 4242")
	assert.Regexp(t, `^tok_[0-9a-f]{24}$`, c.Token)
	assert.Equal(t, payment.Card{Token: c.Token, Brand: payment.Visa, Last4: "4242", ExpMonth: 12, ExpYear: 2030, BINCountry: "US"}, c)
	info, err := e.c.Card(ctx(t), c.Token)
	require.NoError(t, err)
	assert.Equal(t, payment.TokenInfo{Card: c, CustomerID: "cus_1"}, info)

	de := e.tokenize("4000002760000016")
	assert.Equal(t, "DE", de.BINCountry, "400000<ISO numeric country>... test numbers carry their country")
	assert.Equal(t, payment.Amex, e.tokenize("378282246310005").Brand)

	_, err = e.c.Card(ctx(t), "tok_nope")
	contractErr(t, err, 404, "token_not_found")

	for _, tt := range []struct {
		name  string
		card  payment.CardData
		field string
	}{
		{"luhn", payment.CardData{Number: "4242424242424241", ExpMonth: 12, ExpYear: 2030, CVC: "123"}, payment.FieldNumber},
		{"brand", payment.CardData{Number: "9999999999999995", ExpMonth: 12, ExpYear: 2030, CVC: "123"}, payment.FieldNumber},
		{"month", payment.CardData{Number: "4242424242424242", ExpMonth: 13, ExpYear: 2030, CVC: "123"}, payment.FieldExpMonth},
		{"expired", payment.CardData{Number: "4242424242424242", ExpMonth: 10, ExpYear: 2026, CVC: "123"}, payment.FieldExpMonth},
		{"cvc", payment.CardData{Number: "378282246310005", ExpMonth: 12, ExpYear: 2030, CVC: "123"}, payment.FieldCVC},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.c.Tokenize(ctx(t), "cus_1", tt.card)
			contractErr(t, err, 422, "invalid_card")
			var perr *payment.ProcessorError
			require.ErrorAs(t, err, &perr)
			assert.Equal(t, tt.field, perr.Field)
			assert.NotContains(t, err.Error(), tt.card.Number)
		})
	}
	_, err = e.c.Tokenize(ctx(t), "", card("4242424242424242"))
	contractErr(t, err, 422, "invalid_request")

	var body apiErr
	resp := e.raw("POST", "/v1/tokens", "", `{"customer_id":"c","number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"123","pin":"1"}`, &body)
	assert.Equal(t, 400, resp.StatusCode, "unknown fields are rejected")
	assert.Equal(t, "invalid_request", body.Error.Code)
}

// Charges of the same card must not need distinct tokens: every tokenization is a
// new token, each with its own script and history.
func TestTokensAreIndependent(t *testing.T) {
	e := newEnv(t)
	a, b := e.tokenize("4242424242424242"), e.tokenize("4242424242424242")
	require.NotEqual(t, a.Token, b.Token)
	require.NoError(t, e.c.ScriptOutcomes(ctx(t), a.Token, "insufficient_funds"))
	assert.True(t, e.authorize("b1", b.Token, 100).Approved)
	assert.False(t, e.authorize("a1", a.Token, 100).Approved)
	for i, tok := range []string{a.Token, b.Token} {
		assert.Len(t, e.ledger(vault.LedgerQuery{Token: tok}), 1, fmt.Sprint(i))
	}
}
