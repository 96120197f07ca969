// Package validation is the account / payment-method validity check that runs
// before every charge: the activities' Validator.
package validation
