package payment

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestCardDataNeverPrinted(t *testing.T) {
	cards := []CardData{
		{Number: "4000056655665556", ExpMonth: 12, ExpYear: 2030, CVC: "987", Holder: "Jane Doe"},
		{Number: "3782 822463 10005", ExpMonth: 1, ExpYear: 2031, CVC: "7391"},
		{Number: "9999999999999995", CVC: "987"}, // unknown brand
		{Number: "not a card 987654", CVC: "987"},
	}
	for _, c := range cards {
		type wrapper struct {
			Card  CardData
			Cards []CardData
			Ptr   *CardData
		}
		w := wrapper{c, []CardData{c}, &c}
		var outs []string
		for _, v := range []any{c, &c, w, &w, map[string]CardData{"k": c}} {
			outs = append(outs, fmt.Sprintf("%v|%+v|%#v|%s|%q|%x|%X|%d|%10.4v|%T", v, v, v, v, v, v, v, v, v, v))
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("json.Marshal(%T): %v", v, err)
			}
			outs = append(outs, string(b))
		}
		outs = append(outs, fmt.Errorf("bad card %v: %w", c, errors.New("x")).Error(), fmt.Sprint(c), fmt.Sprintln(c))
		var buf bytes.Buffer
		// No time stamps: their digits can read like a CVC ("…04.987Z").
		noTime := &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}}
		slog.New(slog.NewTextHandler(&buf, noTime)).Info("charge", "card", c)
		slog.New(slog.NewJSONHandler(&buf, noTime)).Info("charge", "card", c, "ptr", &c)
		outs = append(outs, buf.String())

		for _, out := range outs {
			if leaks(out, c) || (c.Holder != "" && strings.Contains(out, c.Holder)) {
				t.Errorf("card data in %q", out)
			}
		}
	}
}

func TestCardDataMasked(t *testing.T) {
	c := CardData{Number: "4242 4242 4242 4242", ExpMonth: 12, ExpYear: 2030, CVC: "123", Holder: "Jane Doe"}
	checks := []struct{ got, want string }{
		{c.String(), "visa ••4242"},
		{fmt.Sprintf("%v", c), "visa ••4242"},
		{fmt.Sprintf("[%14s]", c), "[   visa ••4242]"},
		{fmt.Sprintf("%q", c), `"visa ••4242"`},
		{fmt.Sprintf("%#v", c), `payment.CardData{Number:"••4242", ExpMonth:12, ExpYear:2030, CVC:"[redacted]", Holder:"[redacted]"}`},
		{fmt.Sprintf("%#v", CardData{}), `payment.CardData{Number:"••", ExpMonth:0, ExpYear:0, CVC:"", Holder:""}`},
		{CardData{Number: "1234"}.String(), "card ••"}, // too short to show anything
		{CardData{Number: "378282246310005"}.String(), "amex ••0005"},
	}
	for _, tt := range checks {
		if tt.got != tt.want {
			t.Errorf("got %s; want %s", tt.got, tt.want)
		}
	}
	b, err := json.Marshal(c)
	if want := `{"number":"••4242","brand":"visa","exp_month":12,"exp_year":2030}`; err != nil || string(b) != want {
		t.Errorf("json.Marshal = %s, %v; want %s", b, err, want)
	}
	// Decoding is untouched: the API still reads request bodies into CardData.
	var d CardData
	in := `{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"123","holder":"Jane Doe"}`
	if err := json.Unmarshal([]byte(in), &d); err != nil || d.Number != "4242424242424242" || d.CVC != "123" || d.Holder != "Jane Doe" {
		t.Errorf("json.Unmarshal = %#v, %v", d, err)
	}
}

func TestMaskPAN(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"4242424242424242", "424242******4242"},
		{"card 4242424242424242 ok", "card 424242******4242 ok"},
		{"4242 4242 4242 4242", "4242 42** **** 4242"},
		{"4242-4242-4242-4242", "4242-42**-****-4242"},
		{"4242  4242 - 4242 4242", "4242  42** - **** 4242"},
		{"378282246310005", "378282*****0005"},
		{"3782 822463 10005", "3782 82**** *0005"},
		{"pan=4242424242424242&cvc=123", "pan=424242******4242&cvc=123"},
		{"x4242424242424242y", "x424242******4242y"},
		{`{"number":"5555555555554444"}`, `{"number":"555555******4444"}`},
		{"4242 4242 4242 4242 123", "4242 42** **** 4242 123"},
		{"4242424242424242 12 2030", "424242******4242 12 2030"},
		{"4242424242424242 5555555555554444", "424242******4242 555555******4444"},
		{"2026-01-31 4242424242424242", "2026-01-31 424242******4242"},
		{"€ 4242424242424242 ü", "€ 424242******4242 ü"},
		{"6759649826438453000", "6759649826438453000"}, // 19 digits, not Luhn
		{"30569309025904", "305693****5904"},
		{"4222222222222", "422222***2222"},
		{"123456789012", "123456789012"}, // 12 digits, not Luhn
		// Left alone: not Luhn, too short, too long, separated by other characters.
		{"4242424242424241", "4242424242424241"},
		{"79927398713", "79927398713"},
		{"42424242424242424242", "42424242424242424242"},
		{"4242.4242.4242.4242", "4242.42**.****.4242"},
		{"id_4242_4242_4242_4242", "id_4242_42**_****_4242"},
		{"/v1/4242/4242/4242/4242/x", "/v1/4242/42**/****/4242/x"},
		{"order o-1001 amount 9998 at 2026-11-21T10:00:00Z", "order o-1001 amount 9998 at 2026-11-21T10:00:00Z"},
	}
	for _, tt := range tests {
		if got := MaskPAN(tt.in); got != tt.want {
			t.Errorf("MaskPAN(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
