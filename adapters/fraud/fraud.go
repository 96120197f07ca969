package fraud

import "github.com/cardflow/cardflow/activities"

var _ activities.Screener = (*Rules)(nil)
