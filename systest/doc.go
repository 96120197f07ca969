// Package systest holds cardflow's system tests; see main_test.go.
package systest
