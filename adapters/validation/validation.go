package validation

import "github.com/cardflow/cardflow/activities"

var _ activities.Validator = (*Checker)(nil)
