package main

import "fmt"

// usageError is a command line that cannot be run: exit status 2. A failed
// command is a *shop.Error (the API's status, code, message and field, so an
// operator reads the same words in the terminal as a shop reads in an HTTP
// answer): exit status 1.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}
