package sandbox_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/adapters/vault"
	"github.com/cardflow/cardflow/payment"
)

func TestScriptedOutcomes(t *testing.T) {
	e := newEnv(t)
	tok := e.tokenize("4242424242424242")
	c := ctx(t)
	require.NoError(t, e.c.ScriptOutcomes(c, tok.Token, "insufficient_funds", "approve", "lost_card"))

	var got []string
	for i, key := range []string{"a1", "a2", "a3", "a4"} {
		charge := e.p.Authorize
		if i == 2 {
			charge = e.p.Sale // sales take the script too
		}
		o, err := charge(c, payment.Charge{Key: key, Token: tok.Token, Amount: eur(100)})
		require.NoError(t, err)
		if o.Approved {
			got = append(got, "approve")
		} else {
			got = append(got, o.Failure.Code+"/"+string(o.Failure.Class)+"/"+o.Failure.ProcessorCode)
		}
	}
	assert.Equal(t, []string{"insufficient_funds/soft/51", "approve", "lost_card/hard/41", "approve"}, got, "then the card's own again")

	// A script overrides a test card's own decline, and a new script replaces the old.
	dnh := e.tokenize("4000000000000002")
	require.NoError(t, e.c.ScriptOutcomes(c, dnh.Token, "do_not_honor", "do_not_honor"))
	require.NoError(t, e.c.ScriptOutcomes(c, dnh.Token, "approve"))
	assert.True(t, e.authorize("d1", dnh.Token, 100).Approved)
	assert.Equal(t, "do_not_honor", e.authorize("d2", dnh.Token, 100).Failure.Code)

	err := e.c.ScriptOutcomes(c, tok.Token, "approve", "no_such_code")
	contractErr(t, err, 422, "unknown_outcome")
	err = e.c.ScriptOutcomes(c, "tok_unknown", "approve")
	contractErr(t, err, 404, "token_not_found")
}

func TestAccountUpdater(t *testing.T) {
	e := newEnv(t)
	c := ctx(t)

	t.Run("default answer for the expired-card number", func(t *testing.T) {
		tok := e.tokenize("4000000000000069")
		o := e.authorize("exp/1", tok.Token, 100)
		require.False(t, o.Approved)
		assert.Equal(t, "expired_card", o.Failure.Code)
		assert.Equal(t, payment.Hard, o.Failure.Class)

		u, err := e.p.UpdateCard(c, "exp/upd1", tok.Token)
		require.NoError(t, err)
		want := tok
		want.ExpYear += 3
		assert.Equal(t, payment.CardUpdate{Updated: true, Card: want}, u)
		info, err := e.c.Card(c, tok.Token)
		require.NoError(t, err)
		assert.Equal(t, want, info.Card, "the same token now carries the new expiry")
		assert.True(t, e.authorize("exp/2", tok.Token, 100).Approved)

		u, err = e.p.UpdateCard(c, "exp/upd2", tok.Token)
		require.NoError(t, err)
		assert.Equal(t, payment.CardUpdate{Card: want}, u, "news only once")
	})
	t.Run("a set new number and expiry", func(t *testing.T) {
		tok := e.tokenize("4000000000009987")
		require.False(t, e.authorize("lost/1", tok.Token, 100).Approved)
		require.NoError(t, e.c.SetUpdater(c, tok.Token, vault.UpdaterAnswer{Number: "5555555555554444", ExpMonth: 1, ExpYear: 2031}))
		u, err := e.p.UpdateCard(c, "lost/upd", tok.Token)
		require.NoError(t, err)
		assert.Equal(t, payment.CardUpdate{Updated: true, Card: payment.Card{Token: tok.Token, Brand: payment.Mastercard,
			Last4: "4444", ExpMonth: 1, ExpYear: 2031, BINCountry: "US"}}, u)
		assert.True(t, e.authorize("lost/2", tok.Token, 100).Approved, "the token charges the new card")
	})
	t.Run("a set new expiry overrides the default", func(t *testing.T) {
		tok := e.tokenize("4000000000000069")
		require.NoError(t, e.c.SetUpdater(c, tok.Token, vault.UpdaterAnswer{ExpMonth: 6, ExpYear: 2032}))
		u, err := e.p.UpdateCard(c, "exp2/upd", tok.Token)
		require.NoError(t, err)
		assert.True(t, u.Updated)
		assert.Equal(t, "0069", u.Card.Last4)
		assert.Equal(t, [2]int{6, 2032}, [2]int{u.Card.ExpMonth, u.Card.ExpYear})
		assert.True(t, e.authorize("exp2/1", tok.Token, 100).Approved)
	})
	t.Run("closed", func(t *testing.T) {
		tok := e.tokenize("4000000000009979")
		require.NoError(t, e.c.SetUpdater(c, tok.Token, vault.UpdaterAnswer{Closed: true}))
		u, err := e.p.UpdateCard(c, "closed/upd", tok.Token)
		require.NoError(t, err)
		assert.Equal(t, payment.CardUpdate{Closed: true, Card: tok}, u)
	})
	t.Run("no news", func(t *testing.T) {
		tok := e.tokenize("4242424242424242")
		u, err := e.p.UpdateCard(c, "none/upd", tok.Token)
		require.NoError(t, err)
		assert.Equal(t, payment.CardUpdate{Card: tok}, u)
	})
	t.Run("idempotent", func(t *testing.T) {
		tok := e.tokenize("4000000000000069")
		u1, err := e.p.UpdateCard(c, "idem/upd", tok.Token)
		require.NoError(t, err)
		u2, err := e.p.UpdateCard(c, "idem/upd", tok.Token)
		require.NoError(t, err)
		assert.True(t, u2.Updated, "the replay is the first answer, not 'no news'")
		assert.Equal(t, u1, u2)
		other := e.tokenize("4242424242424242")
		_, err = e.p.UpdateCard(c, "idem/upd", other.Token)
		contractErr(t, err, 409, "idempotency_key_reused")
	})
	t.Run("errors", func(t *testing.T) {
		_, err := e.p.UpdateCard(c, "err/upd", "tok_unknown")
		contractErr(t, err, 404, "token_not_found")
		err = e.c.SetUpdater(c, "tok_unknown", vault.UpdaterAnswer{Closed: true})
		contractErr(t, err, 404, "token_not_found")
		tok := e.tokenize("4242424242424242")
		err = e.c.SetUpdater(c, tok.Token, vault.UpdaterAnswer{Number: "4242424242424241", ExpMonth: 1, ExpYear: 2031})
		contractErr(t, err, 422, "invalid_card")
		err = e.c.SetUpdater(c, tok.Token, vault.UpdaterAnswer{ExpMonth: 13, ExpYear: 2031})
		contractErr(t, err, 422, "invalid_request")
		resp := e.raw("POST", "/v1/tokens/"+tok.Token+"/account-updater", "", nil, nil)
		assert.Equal(t, 400, resp.StatusCode, "the updater needs an idempotency key")
	})
}
