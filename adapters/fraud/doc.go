// Package fraud scores the chargeback probability of a charge: the
// activities' Screener.
package fraud
