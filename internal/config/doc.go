// Package config reads cardflow's settings from CARDFLOW_* / TEMPORAL_* environment
// variables and command-line flags (flags win). Defaults work against the local
// dev server that `make run` starts.
package config
