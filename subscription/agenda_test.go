package subscription

import (
	"testing"
	"time"
)

func TestSubscriptionCalendarBefore(t *testing.T) {
	tests := []struct {
		lead string
		at   time.Time
		want time.Time
	}{
		{"P3D", subDate(2026, time.March, 1, 10), subDate(2026, time.February, 26, 10)},
		{"P1M", subDate(2026, time.March, 31, 10), subDate(2026, time.February, 28, 10)},
		{"P1M", subDate(2028, time.March, 31, 10), subDate(2028, time.February, 29, 10)},
		{"P1Y", subDate(2029, time.February, 28, 10), subDate(2028, time.February, 28, 10)},
		{"P1W", subDate(2026, time.January, 3, 10), subDate(2025, time.December, 27, 10)},
		{"PT1S", subDate(2026, time.January, 1, 0), time.Date(2025, time.December, 31, 23, 59, 59, 0, time.UTC)},
		{"P1DT2H", subDate(2026, time.January, 2, 10), subDate(2026, time.January, 1, 8)},
	}
	for _, tt := range tests {
		if got := calendarBefore(subDur(t, tt.lead), tt.at); !got.Equal(tt.want) {
			t.Errorf("%s before %v = %v, want %v", tt.lead, tt.at, got, tt.want)
		}
	}
}
