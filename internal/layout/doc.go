// Package layout has no code: its test checks that cardflow's imports point
// down (README "Layout"), by asking the go command what each binary and
// package links.
package layout
