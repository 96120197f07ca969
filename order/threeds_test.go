package order

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/flow/flowtest"
	"github.com/cardflow/cardflow/payment"
)

// The 3-D Secure rows of the order lifecycle (since RevThreeDS), each with
// the SDK's time-skipping test environment.

const challengeURL = "http://127.0.0.1:8091/v1/hosted/challenge/auth_c1"

func challenge(id string) payment.Authentication {
	return payment.Authentication{ID: id, Status: payment.AuthChallengeRequired, ChallengeURL: challengeURL}
}

func passed(id string) payment.Authentication {
	return payment.Authentication{ID: id, Status: payment.AuthChallenged, ECI: "05", Value: "cavv-" + id, DSTransID: "ds-" + id, LiabilityShift: true}
}

// challengedOrder is an order whose card (tok_1) asks for a challenge.
func challengedOrder(t *testing.T, id string) *orderTest {
	ot := newOrderTest(t, testOrderInput(id))
	ot.authn["tok_1"] = challenge("auth_c1")
	return ot
}

func TestThreeDSFrictionless(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-3ds-frictionless"))
	ot.authn["tok_1"] = payment.Authentication{ID: "auth_f", Status: payment.AuthFrictionless, ECI: "05", Value: "cavv", DSTransID: "ds", LiabilityShift: true}
	ot.send(orderMin, "cancel")
	end := ot.run()
	placed := ot.ok(ot.place)
	assert.Equal(t, payment.OrderAuthorized, placed.Status)
	assert.Equal(t, &AuthenticationView{Status: payment.AuthFrictionless, ECI: "05", LiabilityShift: true}, placed.Authentication)
	assert.Nil(t, placed.NextAction)
	assert.Equal(t, payment.ThreeDSAutomatic, placed.ThreeDS)
	assert.Equal(t, []string{"fraud_screened", "authenticated", "authorized"}, orderEventTypes(placed))
	c, ok := ot.proc.Charge("order/o-3ds-frictionless/authorize/1")
	require.True(t, ok)
	assert.Equal(t, &payment.AuthenticationData{ID: "auth_f", ECI: "05", Value: "cavv", DSTransID: "ds"}, c.Authentication, "the authorization carries the authentication")
	require.Len(t, ot.asked, 1)
	assert.Equal(t, "order/o-3ds-frictionless/authenticate/1", ot.asked[0].Key)
	assert.False(t, ot.asked[0].Always)
	assert.Equal(t, int64(11498), ot.asked[0].Amount.Amount)
	assert.Equal(t, payment.OrderCancelled, end.Status)
}

func TestThreeDSChallengePassed(t *testing.T) {
	ot := challengedOrder(t, "o-3ds-pass")
	var waiting View
	ot.env.RegisterDelayedCallback(func() { waiting = ot.state() }, orderMin)
	ot.env.RegisterDelayedCallback(func() { ot.results["auth_c1"] = passed("auth_c1") }, 2*orderMin)
	back := ot.send(3*orderMin, UpdateAuthenticate, AuthenticateRequest{AuthenticationID: "auth_c1"})
	ot.send(4*orderMin, "capture")
	ot.send(5*orderMin, "ship")
	end := ot.run()

	placed := ot.ok(ot.place)
	assert.Equal(t, payment.OrderRequiresAction, placed.Status, "the place update answers with the challenge")
	assert.Equal(t, &payment.NextAction{Type: payment.NextActionRedirect, URL: challengeURL}, placed.NextAction)
	assert.Nil(t, placed.Authentication, "not over yet")
	assert.Equal(t, msgActionRequired, placed.Message)
	assert.Equal(t, payment.OrderRequiresAction, waiting.Status)

	v := ot.ok(back)
	assert.Equal(t, payment.OrderAuthorized, v.Status)
	assert.Nil(t, v.NextAction)
	assert.Equal(t, &AuthenticationView{Status: payment.AuthChallenged, ECI: "05", LiabilityShift: true}, v.Authentication)
	assert.Equal(t, msgAuthorized, v.Message)
	c, _ := ot.proc.Charge("order/o-3ds-pass/authorize/1")
	assert.Equal(t, "cavv-auth_c1", c.Authentication.Value)
	assert.Equal(t, []string{"fraud_screened", "action_required", "authenticated", "authorized", "captured", "shipped", "completed"}, orderEventTypes(end))
	assert.Equal(t, []string{
		"order.action_required→merchant", "order.payment_authorized→customer", "order.captured→merchant",
	}, ot.notices())
	n := ot.notes.Sorted(t, WorkflowID("o-3ds-pass"))[0]
	assert.Equal(t, challengeURL, flowtest.Data[Notice](t, n).NextAction.URL, "order.action_required carries next_action")
}

func TestThreeDSChallengeFailed(t *testing.T) {
	ot := challengedOrder(t, "o-3ds-fail")
	ot.env.RegisterDelayedCallback(func() {
		ot.results["auth_c1"] = payment.Authentication{ID: "auth_c1", Status: payment.AuthFailed, ECI: "07"}
	}, orderMin)
	back := ot.send(2*orderMin, UpdateAuthenticate, AuthenticateRequest{})
	again := ot.send(150*time.Second, UpdateAuthenticate, AuthenticateRequest{}) // the challenge is over
	retry := ot.send(3*orderMin, "retry", RetryRequest{Card: orderCard("tok_2", "4444")})
	ot.send(4*orderMin, "cancel")
	ot.run()

	v := ot.ok(back)
	assert.Equal(t, payment.OrderPaymentFailed, v.Status)
	require.NotNil(t, v.Failure)
	assert.Equal(t, payment.AuthenticationFailed, v.Failure.Code)
	assert.Equal(t, payment.Soft, v.Failure.Class)
	assert.Equal(t, payment.DeclineFor(payment.AuthenticationFailed).Message, v.Message)
	assert.Equal(t, &AuthenticationView{Status: payment.AuthFailed, ECI: "07"}, v.Authentication)
	assert.Zero(t, v.Amounts.Authorized)

	r := ot.ok(retry)
	assert.Equal(t, payment.OrderAuthorized, r.Status, "the customer may retry with another card")
	assert.Equal(t, &AuthenticationView{Status: payment.AuthNotRequired}, r.Authentication, "the new card needed none")
	flowtest.WantRejected(t, again, flow.ErrTypeInvalidState, "")
	require.Len(t, ot.screens, 2)
	assert.Equal(t, 1, ot.screens[1].AuthenticationFailures, "the fraud screen hears of the failed authentication")
}

func TestThreeDSTimeout(t *testing.T) {
	ot := challengedOrder(t, "o-3ds-timeout")
	var before, after View
	ot.env.RegisterDelayedCallback(func() { before = ot.state() }, 14*orderMin)
	ot.env.RegisterDelayedCallback(func() { after = ot.state() }, 16*orderMin)
	ot.send(17*orderMin, "abandon")
	end := ot.run()
	assert.Equal(t, payment.OrderRequiresAction, before.Status)
	assert.Equal(t, payment.OrderPaymentFailed, after.Status)
	assert.Equal(t, payment.AuthenticationTimeout, after.Failure.Code)
	assert.Equal(t, payment.Soft, after.Failure.Class)
	assert.Equal(t, payment.DeclineFor(payment.AuthenticationTimeout).Message, after.Message)
	assert.Nil(t, after.NextAction)
	assert.Equal(t, payment.OrderCancelled, end.Status)
	assert.Equal(t, []string{"order.action_required→merchant", "order.payment_failed→customer", "order.cancelled→merchant"}, ot.notices())
	assert.Empty(t, ot.proc.Keys(), "nothing was authorized")
}

func TestThreeDSTimeoutIsASetting(t *testing.T) {
	in := testOrderInput("o-3ds-timeout-setting")
	in.Settings.AuthenticationTimeout = 3 * time.Minute
	ot := newOrderTest(t, in)
	ot.authn["tok_1"] = challenge("auth_c1")
	var after View
	ot.env.RegisterDelayedCallback(func() { after = ot.state() }, 4*orderMin)
	ot.send(5*orderMin, "cancel")
	ot.run()
	assert.Equal(t, payment.OrderPaymentFailed, after.Status)
}

// A browser that comes back claiming success, before the processor knows of
// any, moves nothing: the order asked the processor, which says the
// challenge is not over.
func TestThreeDSForgedReturn(t *testing.T) {
	ot := challengedOrder(t, "o-3ds-forged")
	ot.results["auth_c1"] = challenge("auth_c1")
	forged := ot.send(orderMin, UpdateAuthenticate, AuthenticateRequest{AuthenticationID: "auth_c1"})
	other := ot.send(2*orderMin, UpdateAuthenticate, AuthenticateRequest{AuthenticationID: "auth_someone_elses"})
	ot.send(20*orderMin, "cancel")
	end := ot.run()
	v := ot.ok(forged)
	assert.Equal(t, payment.OrderRequiresAction, v.Status)
	assert.Zero(t, v.Amounts.Authorized)
	assert.NotNil(t, v.NextAction)
	flowtest.WantRejected(t, other, flow.ErrTypeInvalidRequest, "authentication_id")
	assert.Contains(t, orderEventTypes(end), EventAuthenticationPending)
	assert.Empty(t, ot.proc.Keys(), "nothing was authorized")
}

func TestThreeDSAbandonAndCancel(t *testing.T) {
	for _, cmd := range []string{"abandon", "cancel"} {
		t.Run(cmd, func(t *testing.T) {
			ot := challengedOrder(t, "o-3ds-"+cmd)
			u := ot.send(orderMin, cmd)
			end := ot.run()
			assert.Equal(t, payment.OrderCancelled, ot.ok(u).Status)
			assert.Equal(t, msgCancelled, end.Message)
			assert.Empty(t, ot.proc.Keys())
			assert.Equal(t, []string{"order.action_required→merchant", "order.cancelled→merchant"}, ot.notices())
		})
	}
}

// The customer's return and the shop's cancel arrive together: one of them
// goes first, and the order ends cancelled with nothing left on the card.
func TestThreeDSResultRacesCancel(t *testing.T) {
	for _, first := range []string{"return", "cancel"} {
		t.Run(first, func(t *testing.T) {
			ot := challengedOrder(t, "o-3ds-race-"+first)
			ot.results["auth_c1"] = passed("auth_c1")
			var back, cancel *flowtest.Update
			if first == "return" {
				back = ot.send(orderMin, UpdateAuthenticate, AuthenticateRequest{})
				cancel = ot.send(orderMin, "cancel")
			} else {
				cancel = ot.send(orderMin, "cancel")
				back = ot.send(orderMin, UpdateAuthenticate, AuthenticateRequest{})
			}
			end := ot.run()
			assert.Equal(t, payment.OrderCancelled, end.Status)
			assert.Equal(t, end.Amounts.Authorized, end.Amounts.Voided, "whatever was authorized is released")
			open, _ := ot.proc.Open()
			assert.Zero(t, open)
			assert.Equal(t, payment.OrderCancelled, ot.ok(cancel).Status)
			if first == "return" {
				assert.Equal(t, payment.OrderAuthorized, ot.ok(back).Status)
				assert.Equal(t, int64(11498), end.Amounts.Voided)
			} else {
				flowtest.WantRejected(t, back, flow.ErrTypeInvalidState, "")
				assert.Zero(t, end.Amounts.Authorized)
			}
		})
	}
}

func TestThreeDSModes(t *testing.T) {
	for _, mode := range []string{payment.ThreeDSNever, payment.ThreeDSAlways} {
		t.Run(mode, func(t *testing.T) {
			in := testOrderInput("o-3ds-" + mode)
			in.ThreeDS = mode
			ot := newOrderTest(t, in)
			ot.authn["tok_1"] = payment.Authentication{ID: "auth_a", Status: payment.AuthAttempted, ECI: "06", Value: "v", LiabilityShift: true}
			ot.send(orderMin, "cancel")
			ot.run()
			v := ot.ok(ot.place)
			assert.Equal(t, payment.OrderAuthorized, v.Status)
			assert.Equal(t, mode, v.ThreeDS)
			c, _ := ot.proc.Charge("order/o-3ds-" + mode + "/authorize/1")
			if mode == payment.ThreeDSNever {
				assert.Empty(t, ot.asked, "never asks for no authentication")
				assert.Nil(t, c.Authentication)
				assert.Nil(t, v.Authentication)
				return
			}
			require.Len(t, ot.asked, 1)
			assert.True(t, ot.asked[0].Always)
			assert.Equal(t, &AuthenticationView{Status: payment.AuthAttempted, ECI: "06", LiabilityShift: true}, v.Authentication)
			assert.NotNil(t, c.Authentication)
		})
	}
}

func TestThreeDSUnavailable(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-3ds-unavailable"))
	ot.authn["tok_1"] = payment.Authentication{ID: "auth_u", Status: payment.AuthUnavailable}
	ot.send(orderMin, "cancel")
	end := ot.run()
	v := ot.ok(ot.place)
	assert.Equal(t, payment.OrderAuthorized, v.Status)
	assert.Equal(t, &AuthenticationView{Status: payment.AuthUnavailable}, v.Authentication, "no liability shift")
	c, _ := ot.proc.Charge("order/o-3ds-unavailable/authorize/1")
	assert.Equal(t, &payment.AuthenticationData{ID: "auth_u"}, c.Authentication, "the id alone")
	assert.Contains(t, orderEventTypes(end), EventAuthenticationSkipped)
}

// A re-authorization before the authorization expires is merchant-initiated:
// the customer is not there to authenticate again.
func TestThreeDSReauthorizationIsMerchantInitiated(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-3ds-reauth"))
	ot.authn["tok_1"] = payment.Authentication{ID: "auth_f", Status: payment.AuthFrictionless, ECI: "05", Value: "v", LiabilityShift: true}
	ot.send(6*24*time.Hour+time.Hour, "cancel")
	ot.run()
	c, ok := ot.proc.Charge("order/o-3ds-reauth/authorize/2")
	require.True(t, ok, "re-authorized")
	assert.Equal(t, payment.InitiatorMerchant, c.Initiator)
	assert.Equal(t, "ntx_1", c.NetworkTransactionID, "the first authorization's network transaction")
	assert.Nil(t, c.Authentication)
	require.Len(t, ot.asked, 1, "no second authentication")
}

func TestThreeDSModeIsChecked(t *testing.T) {
	in := testOrderInput("o-3ds-bad")
	in.ThreeDS = "sometimes"
	_, _, field, _ := flow.Rejection(in.Check())
	assert.Equal(t, "three_ds", field)
}
