package config

import "testing"

func TestLoopbackOnlyForLoopbackListeners(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080":        true,
		"127.1.2.3:80":          true,
		"localhost:8080":        true,
		"LOCALHOST:8080":        true,
		"[::1]:8080":            true,
		"::1":                   true,
		"[::ffff:127.0.0.1]:80": true,
		"127.0.0.1":             true,
		"":                      false,
		":8080":                 false,
		"0.0.0.0:8080":          false,
		"[::]:8080":             false,
		"10.0.0.5:8080":         false,
		"api.example.com:443":   false,
		"localhost.evil.com:80": false,
		"128.0.0.1:80":          false,
	} {
		if got := Loopback(addr); got != want {
			t.Errorf("Loopback(%q) = %v, want %v", addr, got, want)
		}
	}
}
