package payment

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// A browser that applies IINRules as documented reads the same brand and
// lengths as DetectBrand and CheckCard.
func TestIINRulesAgreeWithDetectBrand(t *testing.T) {
	rules := IINRules()
	detect := func(num string) (IINRule, bool) {
		var best IINRule
		for _, r := range rules {
			n := len(r.Lo)
			if len(num) >= n && n > len(best.Lo) && r.Lo <= num[:n] && num[:n] <= r.Hi {
				best = r
			}
		}
		return best, best.Brand != ""
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range 1 + rng.IntN(19) {
			b.WriteByte(byte('0' + rng.IntN(10)))
		}
		num := b.String()
		want, wok := DetectBrand(num)
		got, gok := detect(num)
		if wok != gok || want != got.Brand {
			t.Fatalf("%s: rules say %q %v, DetectBrand %q %v", num, got.Brand, gok, want, wok)
		}
		if gok {
			r, _ := lookupIIN(num)
			if slices.Contains(got.Lengths, len(num)) != r.validLength(len(num)) {
				t.Fatalf("%s: rules' lengths %v disagree with the table", num, got.Lengths)
			}
			if got.CVC != want.CVCLength() {
				t.Fatalf("%s: cvc %d, want %d", num, got.CVC, want.CVCLength())
			}
		}
	}
}
