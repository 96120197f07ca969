package payment

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Duration is an ISO 8601 duration such as P1M, P14D or PT30S. Years, months,
// weeks and days are calendar units (a month is as long as the month it falls in,
// a day may have 23 hours at a DST change); Clock is elapsed time. The zero value
// is the empty duration, written PT0S. Durations are comparable with ==, field by
// field: P1W and P7D differ.
type Duration struct {
	Years, Months, Weeks, Days int
	Clock                      time.Duration // hours, minutes and seconds
}

// Lengths of the units for Approx, and for the bound ParseDuration keeps.
const (
	dayLen   = 24 * time.Hour
	weekLen  = 7 * dayLen
	monthLen = 30 * dayLen
	yearLen  = 365 * dayLen
)

// ParseDuration parses an ISO 8601 duration: "P", then any of nY nM nW nD in this
// order, then optionally "T" and any of nH nM nS, at least one component in all.
// Only seconds may have a fraction ("PT1.5S", "PT1,5S"; at most nanoseconds). Signs
// are not allowed. The whole must be shorter than about 292 years (Approx must fit
// a time.Duration), which no billing interval comes near.
func ParseDuration(s string) (Duration, error) {
	bad := func(why string) (Duration, error) {
		return Duration{}, fmt.Errorf("payment: invalid duration %q: %s", s, why)
	}
	rest, ok := strings.CutPrefix(s, "P")
	if !ok {
		return bad("must start with P")
	}
	date, clock, hasT := strings.Cut(rest, "T")
	if date == "" && clock == "" {
		return bad("no components")
	}
	if hasT && clock == "" {
		return bad("T without hours, minutes or seconds")
	}
	var d Duration
	var total time.Duration // Approx so far, to reject overflow
	add := func(v int64, unit time.Duration) bool {
		if v > int64((math.MaxInt64-total)/unit) {
			return false
		}
		total += time.Duration(v) * unit
		return true
	}

	dateUnits := []*int{&d.Years, &d.Months, &d.Weeks, &d.Days}
	dateLens := []time.Duration{yearLen, monthLen, weekLen, dayLen}
	last := -1
	for date != "" {
		num, u, r, ok := durationPart(date)
		i := strings.IndexByte("YMWD", u)
		if !ok || i < 0 {
			return bad("want a number and one of Y, M, W, D before T")
		}
		if i <= last {
			return bad("units out of order or repeated")
		}
		v, err := strconv.ParseInt(num, 10, 64)
		if err != nil || !allDigits(num) {
			return bad("bad number " + strconv.Quote(num))
		}
		if !add(v, dateLens[i]) {
			return bad("too long")
		}
		*dateUnits[i] = int(v)
		date, last = r, i
	}

	clockLens := []time.Duration{time.Hour, time.Minute, time.Second}
	last = -1
	for clock != "" {
		num, u, r, ok := durationPart(clock)
		i := strings.IndexByte("HMS", u)
		if !ok || i < 0 {
			return bad("want a number and one of H, M, S after T")
		}
		if i <= last {
			return bad("units out of order or repeated")
		}
		whole, frac, hasFrac := strings.Cut(strings.Replace(num, ",", ".", 1), ".")
		v, err := strconv.ParseInt(whole, 10, 64)
		if err != nil || !allDigits(whole) || (hasFrac && (u != 'S' || !allDigits(frac) || len(frac) > 9)) {
			return bad("bad number " + strconv.Quote(num))
		}
		if !add(v, clockLens[i]) {
			return bad("too long")
		}
		d.Clock += time.Duration(v) * clockLens[i]
		if hasFrac {
			ns, _ := strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
			if !add(ns, 1) {
				return bad("too long")
			}
			d.Clock += time.Duration(ns)
		}
		clock, last = r, i
	}
	return d, nil
}

// durationPart splits "12D..." into "12", 'D' and "...". The number may carry a
// decimal point or comma; the caller decides whether that is allowed.
func durationPart(s string) (num string, unit byte, rest string, ok bool) {
	i := 0
	for i < len(s) && (isDigit(s[i]) || s[i] == '.' || s[i] == ',') {
		i++
	}
	if i == 0 || i == len(s) {
		return "", 0, "", false
	}
	return s[:i], s[i], s[i+1:], true
}

// String is the canonical ISO 8601 form: zero components left out, Clock split
// into hours, minutes and seconds ("PT90M" comes back as "PT1H30M"), the zero
// duration "PT0S". Negative fields, which ParseDuration never returns, print with a
// sign that ParseDuration rejects.
func (d Duration) String() string {
	if d.IsZero() {
		return "PT0S"
	}
	var b strings.Builder
	put := func(v int64, unit byte) {
		if v != 0 {
			b.WriteString(strconv.FormatInt(v, 10))
			b.WriteByte(unit)
		}
	}
	b.WriteByte('P')
	put(int64(d.Years), 'Y')
	put(int64(d.Months), 'M')
	put(int64(d.Weeks), 'W')
	put(int64(d.Days), 'D')
	if d.Clock != 0 {
		b.WriteByte('T')
		put(int64(d.Clock/time.Hour), 'H')
		put(int64(d.Clock%time.Hour/time.Minute), 'M')
		if s := d.Clock % time.Minute; s != 0 {
			b.WriteString(strconv.FormatInt(int64(s/time.Second), 10))
			if ns := s % time.Second; ns != 0 {
				if ns < 0 {
					ns = -ns
				}
				frac := fmt.Sprintf("%09d", int64(ns))
				b.WriteString("." + strings.TrimRight(frac, "0"))
			}
			b.WriteByte('S')
		}
	}
	return b.String()
}

// IsZero reports whether d is the empty duration (also used by json's omitzero).
func (d Duration) IsZero() bool { return d == Duration{} }

// MarshalText writes String, so a Duration is a JSON string like "P1M".
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses with ParseDuration; the empty string is an error.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Approx is d as elapsed time with a month of 30 days and a year of 365, for
// comparisons such as "the notice is shorter than the interval", never for dates.
func (d Duration) Approx() time.Duration {
	return time.Duration(d.Years)*yearLen + time.Duration(d.Months)*monthLen +
		time.Duration(d.Weeks)*weekLen + time.Duration(d.Days)*dayLen + d.Clock
}

// AddTo returns t plus d, one step: Nth(t, 1).
func (d Duration) AddTo(t time.Time) time.Time { return d.Nth(t, 1) }

// Nth returns anchor plus n times d: the n-th billing date of a plan that started
// at anchor. Years and months are counted from the anchor, not step by step, and
// clamped to the end of a shorter month, so a monthly plan from Jan 31 bills on
// Feb 28 (29), Mar 31, Apr 30: stepping with AddTo instead would drift to the
// 28th for good. Then n×(weeks and days) are added as calendar days and n×Clock
// as elapsed time, in anchor's location.
func (d Duration) Nth(anchor time.Time, n int) time.Time {
	t := anchor
	if months := n * (d.Years*12 + d.Months); months != 0 {
		y, m, dd := anchor.Date()
		hh, mm, ss := anchor.Clock()
		first := time.Date(y, m+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
		last := first.AddDate(0, 1, -1).Day()
		t = time.Date(first.Year(), first.Month(), min(dd, last), hh, mm, ss, anchor.Nanosecond(), anchor.Location())
	}
	if days := n * (d.Weeks*7 + d.Days); days != 0 {
		t = t.AddDate(0, 0, days)
	}
	return t.Add(time.Duration(n) * d.Clock)
}
