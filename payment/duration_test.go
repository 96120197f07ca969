package payment

import (
	"encoding/json"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin for the DST test, on machines without zoneinfo
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want Duration
		str  string // canonical String; "" = in
	}{
		{"P1M", Duration{Months: 1}, ""},
		{"P14D", Duration{Days: 14}, ""},
		{"PT30S", Duration{Clock: 30 * time.Second}, ""},
		{"P1Y2M10DT2H30M15S", Duration{Years: 1, Months: 2, Days: 10, Clock: 2*time.Hour + 30*time.Minute + 15*time.Second}, ""},
		{"P2W", Duration{Weeks: 2}, ""},
		{"PT1.5S", Duration{Clock: 1500 * time.Millisecond}, ""},
		{"PT1,5S", Duration{Clock: 1500 * time.Millisecond}, "PT1.5S"},
		{"PT0.000000001S", Duration{Clock: 1}, ""},
		{"PT2M0.25S", Duration{Clock: 2*time.Minute + 250*time.Millisecond}, ""},
		{"P1Y", Duration{Years: 1}, ""},
		{"P3D", Duration{Days: 3}, ""},
		{"P1W2D", Duration{Weeks: 1, Days: 2}, ""},
		{"P1DT12H", Duration{Days: 1, Clock: 12 * time.Hour}, ""},
		{"PT1H", Duration{Clock: time.Hour}, ""},
		{"PT36H", Duration{Clock: 36 * time.Hour}, ""},
		{"PT90M", Duration{Clock: 90 * time.Minute}, "PT1H30M"},
		{"PT3600S", Duration{Clock: time.Hour}, "PT1H"},
		{"P01D", Duration{Days: 1}, "P1D"},
		{"P0D", Duration{}, "PT0S"},
		{"PT0S", Duration{}, ""},
		{"P0Y0M0W0DT0H0M0.0S", Duration{}, "PT0S"},
		{"P292Y", Duration{Years: 292}, ""},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			continue
		}
		str := tt.str
		if str == "" {
			str = tt.in
		}
		if s := got.String(); s != str {
			t.Errorf("ParseDuration(%q).String() = %q; want %q", tt.in, s, str)
		}
		if again, err := ParseDuration(got.String()); err != nil || again != got {
			t.Errorf("round trip of %q: %+v, %v", tt.in, again, err)
		}
	}
}

func TestParseDurationErrors(t *testing.T) {
	for _, in := range []string{
		"", "P", "PT", "T1H", "1D", "p1d", "P1d", "pt30s",
		"-P1D", "P-1D", "P+1D", "PT-1S", "P1DT", "P1D ", " P1D", "P 1D", "P1 D",
		"P1.5D", "P1,5M", "PT1.5M", "PT1.5H", "PT.5S", "PT1.S", "PT1..5S", "PT1.5.5S", "PT1.1234567891S",
		"P1D1M", "P1M1M", "P1M1Y", "PT1S2M", "PT1H1H", "P1DT1D", "P1HT1H", "PT1HT1M", "P1YT",
		"P1Y2", "PD", "PTS", "P1", "PT1", "P1X", "PT1D", "P1W1W", "PTT1H",
		"P99999999999999999999D", "P300Y", "P4000M", "PT9223372037S", "P106752D",
		"PT2562047H47M16.854775808S", "P1Y\x00", "P１D",
	} {
		if d, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) = %+v; want an error", in, d)
		}
	}
}

func TestDurationText(t *testing.T) {
	type plan struct {
		Interval Duration `json:"interval"`
		Trial    Duration `json:"trial,omitzero"`
	}
	var p plan
	if err := json.Unmarshal([]byte(`{"interval":"P1M","trial":"P14D"}`), &p); err != nil ||
		p != (plan{Duration{Months: 1}, Duration{Days: 14}}) {
		t.Fatalf("json.Unmarshal = %+v, %v", p, err)
	}
	b, err := json.Marshal(plan{Interval: Duration{Months: 1}})
	if want := `{"interval":"P1M"}`; err != nil || string(b) != want {
		t.Errorf("json.Marshal = %s, %v; want %s", b, err, want)
	}
	for _, bad := range []string{`{"interval":"1 month"}`, `{"interval":""}`, `{"interval":30}`} {
		if err := json.Unmarshal([]byte(bad), &p); err == nil {
			t.Errorf("json.Unmarshal(%s) accepted", bad)
		}
	}
	if !(Duration{}).IsZero() || (Duration{Clock: 1}).IsZero() || (Duration{Weeks: 1}).IsZero() {
		t.Error("IsZero is wrong")
	}
}

func TestDurationApprox(t *testing.T) {
	const day = 24 * time.Hour
	for in, want := range map[string]time.Duration{
		"P1M":               30 * day,
		"P1Y":               365 * day,
		"P2W":               14 * day,
		"P3D":               3 * day,
		"PT1.5S":            1500 * time.Millisecond,
		"P1Y2M10DT2H30M15S": (365+60+10)*day + 2*time.Hour + 30*time.Minute + 15*time.Second,
	} {
		d, _ := ParseDuration(in)
		if got := d.Approx(); got != want {
			t.Errorf("%s.Approx() = %v; want %v", in, got, want)
		}
	}
	// What Approx is for: a 3-day notice fits a monthly plan, a 5-week one does not.
	month, _ := ParseDuration("P1M")
	if !((Duration{Days: 3}).Approx() < month.Approx()) || (Duration{Weeks: 5}).Approx() < month.Approx() {
		t.Error("notice comparison wrong")
	}
}

// daysIn is written out here rather than borrowed from time, so the test does not
// compute its expectations the way the code does.
func daysIn(year int, m time.Month) int {
	switch m {
	case time.February:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

func TestDurationNthMonthly(t *testing.T) {
	monthly := Duration{Months: 1}
	for _, year := range []int{2026, 2024} { // 2024 and 2028 are leap years
		anchor := time.Date(year, time.January, 31, 10, 0, 0, 0, time.UTC)
		for n := 0; n <= 36; n++ {
			y, m := year+n/12, time.Month(n%12+1)
			want := time.Date(y, m, min(31, daysIn(y, m)), 10, 0, 0, 0, time.UTC)
			if got := monthly.Nth(anchor, n); !got.Equal(want) {
				t.Errorf("P1M.Nth(%s, %d) = %s; want %s", anchor.Format(time.DateOnly), n, got, want)
			}
		}
	}
	// The first steps, spelled out.
	anchor := time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)
	for n, want := range []string{"2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31",
		"2024-06-30", "2024-07-31", "2024-08-31", "2024-09-30", "2024-10-31", "2024-11-30", "2024-12-31",
		"2025-01-31", "2025-02-28"} {
		if got := monthly.Nth(anchor, n).Format(time.DateOnly); got != want {
			t.Errorf("P1M.Nth(2024-01-31, %d) = %s; want %s", n, got, want)
		}
	}
}

func TestDurationNth(t *testing.T) {
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		d      string
		anchor string
		n      int
		want   string
	}{
		{"P1M", "2026-01-15T10:00:00Z", 1, "2026-02-15T10:00:00Z"},
		{"P1M", "2026-03-31T10:00:00Z", 1, "2026-04-30T10:00:00Z"},
		{"P1M", "2026-03-31T10:00:00Z", -1, "2026-02-28T10:00:00Z"},
		{"P1M", "2026-03-31T10:00:00Z", 0, "2026-03-31T10:00:00Z"},
		{"P3M", "2025-11-30T00:00:00Z", 1, "2026-02-28T00:00:00Z"},
		{"P1Y", "2024-02-29T12:00:00Z", 1, "2025-02-28T12:00:00Z"},
		{"P1Y", "2024-02-29T12:00:00Z", 4, "2028-02-29T12:00:00Z"},
		{"P1Y1M", "2025-01-31T00:00:00Z", 1, "2026-02-28T00:00:00Z"},
		{"P14D", "2026-01-31T10:00:00Z", 2, "2026-02-28T10:00:00Z"},
		{"P2W", "2026-12-25T00:00:00Z", 1, "2027-01-08T00:00:00Z"},
		{"PT30S", "2026-01-01T00:00:00Z", 3, "2026-01-01T00:01:30Z"},
		{"PT1.5S", "2026-01-01T00:00:00Z", 3, "2026-01-01T00:00:04.5Z"},
		// Months from the anchor first, then the days: Jan 31 + 1M1D = Feb 28 + 1D.
		{"P1M1D", "2026-01-31T00:00:00Z", 1, "2026-03-01T00:00:00Z"},
		{"P1DT12H", "2026-01-01T00:00:00Z", 2, "2026-01-04T00:00:00Z"},
		// The anchor's zone and wall clock are kept.
		{"P1M", "2026-01-31T23:30:00+01:00", 1, "2026-02-28T23:30:00+01:00"},
	}
	for _, tt := range tests {
		d, err := ParseDuration(tt.d)
		if err != nil {
			t.Fatal(err)
		}
		got := d.Nth(at(tt.anchor), tt.n)
		if want := at(tt.want); !got.Equal(want) || got.Format(time.RFC3339Nano) != want.Format(time.RFC3339Nano) {
			t.Errorf("%s.Nth(%s, %d) = %s; want %s", tt.d, tt.anchor, tt.n, got.Format(time.RFC3339Nano), tt.want)
		}
		if tt.n == 1 && !d.AddTo(at(tt.anchor)).Equal(got) {
			t.Errorf("%s.AddTo(%s) differs from Nth(_, 1)", tt.d, tt.anchor)
		}
	}
}

// TestDurationAddToDrifts shows why billing dates come from Nth and the anchor:
// stepping one month at a time loses the 31st after February.
func TestDurationAddToDrifts(t *testing.T) {
	monthly := Duration{Months: 1}
	t0 := time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)
	stepped := monthly.AddTo(monthly.AddTo(t0))
	if stepped.Day() != 28 || monthly.Nth(t0, 2).Day() != 31 {
		t.Errorf("AddTo twice = %s, Nth(2) = %s", stepped, monthly.Nth(t0, 2))
	}
}

// TestDurationDST: days are calendar days, the clock part is elapsed time.
func TestDurationDST(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin") // time/tzdata embeds it
	if err != nil {
		t.Fatal(err)
	}
	before := time.Date(2026, 3, 28, 10, 0, 0, 0, berlin) // clocks go forward on the 29th
	if got := (Duration{Days: 1}).AddTo(before); got.Hour() != 10 || got.Day() != 29 {
		t.Errorf("P1D across DST = %s; want 10:00 on the 29th", got)
	}
	if got := (Duration{Clock: 24 * time.Hour}).AddTo(before); got.Hour() != 11 {
		t.Errorf("PT24H across DST = %s; want 11:00", got)
	}
}

// FuzzParseDuration: no input panics, and what parses prints to a string that
// parses to the same value.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{
		"P1M", "P14D", "PT30S", "P1Y2M10DT2H30M15S", "P2W", "PT1.5S", "PT1,5S", "P0D", "PT0S",
		"PT90M", "P1W2D", "PT0.000000001S", "P292Y", "P106751DT23H47M16.854775807S",
		"", "P", "PT", "P1DT", "-P1D", "P1.5D", "PT1.1234567891S", "P99999999999999999999D", "P1D1M",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			if d != (Duration{}) {
				t.Fatalf("ParseDuration(%q) failed but returned %+v", s, d)
			}
			return
		}
		if d.Years < 0 || d.Months < 0 || d.Weeks < 0 || d.Days < 0 || d.Clock < 0 || d.Approx() < 0 {
			t.Fatalf("ParseDuration(%q) = %+v, negative", s, d)
		}
		again, err := ParseDuration(d.String())
		if err != nil || again != d {
			t.Fatalf("ParseDuration(%q) = %+v; String %q parses to %+v, %v", s, d, d.String(), again, err)
		}
		var u Duration
		b, _ := d.MarshalText()
		if err := u.UnmarshalText(b); err != nil || u != d {
			t.Fatalf("text round trip of %q: %+v, %v", s, u, err)
		}
	})
}
