package sandbox

import (
	"time"

	"github.com/cardflow/cardflow/payment"
)

// testCard is how the sandbox treats a card number of API.md's table.
type testCard struct {
	decline string // decline code; empty: approved
	risk    int    // the processor's risk signal
}

// lowRisk is the risk signal of every card not in the table.
const lowRisk = 5

// testCards is API.md's table. The expired-card number is special: it declines only
// until the account updater has changed the card (see decide).
var testCards = map[string]testCard{
	"4242424242424242": {risk: lowRisk},
	"5555555555554444": {risk: lowRisk},
	"378282246310005":  {risk: lowRisk},
	"4000000000000002": {decline: payment.DoNotHonor, risk: lowRisk},
	"4000000000009995": {decline: payment.InsufficientFunds, risk: lowRisk},
	"4000000000000119": {decline: payment.ProcessingError, risk: lowRisk},
	"4000000000009987": {decline: payment.LostCard, risk: lowRisk},
	"4000000000009979": {decline: payment.StolenCard, risk: lowRisk},
	expiredCard:        {decline: payment.ExpiredCard, risk: lowRisk},
	"4000000000000127": {decline: payment.IncorrectCVC, risk: lowRisk},
	"4000000000004954": {risk: 92},
	"4000000000009235": {risk: 70},
}

// expiredCard declines expired_card until the account updater has answered a new
// expiry for it; by default the updater answers one three years later.
const expiredCard = "4000000000000069"

// approve is the scripted outcome that approves.
const approve = "approve"

// riskOf is the processor's risk signal for a card number.
func riskOf(number string) int {
	if tc, ok := testCards[number]; ok {
		return tc.risk
	}
	return lowRisk
}

// decide is the card's own answer to a charge at time at: its expiry first (a card
// is good through the last day of its expiry month), then the test card table.
func decide(c vaultCard, at time.Time) string {
	if c.card().ExpiredAt(at) {
		return payment.ExpiredCard
	}
	if c.Number == expiredCard && c.Updated {
		return approve
	}
	if tc, ok := testCards[c.Number]; ok && tc.decline != "" {
		return tc.decline
	}
	return approve
}
