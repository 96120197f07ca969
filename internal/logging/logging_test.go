package logging

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

func TestRedactMasksCardNumbers(t *testing.T) {
	core, logs := observer.New(zap.DebugLevel)
	log := Redact(zap.New(core)).With(zap.String("ctx", "card 4242424242424242"))
	log.Info("charging 4000 0000 0000 9995 now",
		zap.String("number", "5555555555554444"),
		zap.Error(errors.New("declined 378282246310005")),
		zap.Any("any", map[string]string{"n": "4000000000000002"}),
		zap.Int64("amount", 4242))
	Temporal(log).Info("sdk line", "pan", "4242424242424242")
	all := ""
	for _, e := range logs.All() {
		all += e.Message
		for k, v := range e.ContextMap() {
			all += k + "=" + strings.TrimSpace(toString(v))
		}
	}
	for _, pan := range []string{"4242424242424242", "4000 0000 0000 9995", "5555555555554444", "378282246310005", "4000000000000002"} {
		assert.NotContains(t, all, pan)
	}
	assert.Contains(t, all, "4242", "last4 may stay")
	assert.Contains(t, all, "amount=4242")
}

func toString(v any) string { return fmt.Sprint(v) }
