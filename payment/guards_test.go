package payment

import (
	"errors"
	"math"
	"testing"
)

// Running totals never wrap: AddAmount refuses a sum past int64 and leaves
// the total as it was.
func TestAddAmountRefusesOverflow(t *testing.T) {
	tests := []struct {
		total, amount, want int64
		overflow            bool
	}{
		{0, 9998, 9998, false},
		{math.MaxInt64 - 1, 1, math.MaxInt64, false},
		{math.MaxInt64, 1, math.MaxInt64, true},
		{1 << 62, 1 << 62, 1 << 62, true},
		{math.MinInt64, -1, math.MinInt64, true},
		{-5, 3, -2, false},
	}
	for _, tt := range tests {
		got, err := AddAmount(tt.total, tt.amount)
		if got != tt.want || errors.Is(err, ErrAmountOverflow) != tt.overflow {
			t.Errorf("AddAmount(%d, %d) = %d, %v; want %d, overflow %v", tt.total, tt.amount, got, err, tt.want, tt.overflow)
		}
	}
	if _, err := (Money{Amount: math.MaxInt64, Currency: "EUR"}).Add(Money{Amount: 1, Currency: "EUR"}); !errors.Is(err, ErrAmountOverflow) {
		t.Errorf("Money.Add past int64: %v, want ErrAmountOverflow", err)
	}
}

// A card reported lost or stolen, to be picked up, fraudulent or restricted
// tells the customer exactly what a decline without a code tells: a card
// tester cannot tell these from any other decline by the wording. The code
// and the ISO code, the merchant's, stay exact, and so does the class.
func TestFraudFlavouredDeclinesReadAsAPlainDecline(t *testing.T) {
	plain := DeclineFor("").Message
	for code, iso := range map[string]string{LostCard: "41", StolenCard: "43", PickupCard: "04", Fraudulent: "59", RestrictedCard: "62"} {
		f := DeclineFor(code).Failure(StageProcessor)
		if f.Message != plain || f.Code != code || f.ProcessorCode != iso || f.Class != Hard {
			t.Errorf("%s: %+v, want message %q, code %s, processor_code %s, hard", code, f, plain, code, iso)
		}
	}
}
