package main

import "testing"

// A subscription started by the starter carries the request's digest too.
func TestSubscriptionStartConflict(t *testing.T) {
	h := newHarness(t)
	id := h.id("s-conflict")
	first := h.start(id, cardVisa)
	h.fails(1, []string{"subscription_exists (409)", "[field subscription_id]"},
		"subscription", "start", "--id", id, "--customer", "c-42", "--email", "jane@example.com", "--country", "DE",
		"--card-file", h.cardFile(cardVisa, "123"), "--exp", "12/2030", "--plan", "pro", "--amount", "1999",
		"--currency", "EUR", "--interval", "PT1M", "--retry", "P1D")
	if again := h.start(id, cardVisa); again.Card.Token != first.Card.Token || again.Totals.CyclesPaid != 1 {
		t.Errorf("replay answered %+v", again)
	}
}
