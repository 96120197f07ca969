// Package fraud scores the chargeback probability of a charge: the
// activities' Screener.
package fraud

import "github.com/cardflow/cardflow/activities"

var _ activities.Screener = (*Rules)(nil)
