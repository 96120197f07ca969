package telemetry

import (
	"io"
	"slices"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Scrape is one /metrics answer parsed, by family name as exported
// (cardflow_processor_calls_total; a histogram without its suffixes), for
// the tests and tools that read one.
type Scrape map[string]*dto.MetricFamily

// ParseScrape reads Prometheus' text format.
func ParseScrape(r io.Reader) (Scrape, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	return p.TextToMetricFamilies(r)
}

// Value sums the samples of family name whose labels include labels (name,
// value pairs): a counter's or gauge's value, a histogram's count.
func (s Scrape) Value(name string, labels ...string) float64 {
	var sum float64
	for _, m := range s.matching(name, labels) {
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		}
	}
	return sum
}

// LabelValues lists the values label takes in family name, sorted.
func (s Scrape) LabelValues(name, label string) []string {
	var out []string
	for _, m := range s.matching(name, nil) {
		for _, l := range m.Label {
			if l.GetName() == label && !slices.Contains(out, l.GetValue()) {
				out = append(out, l.GetValue())
			}
		}
	}
	slices.Sort(out)
	return out
}

func (s Scrape) matching(name string, labels []string) []*dto.Metric {
	f, ok := s[name]
	if !ok {
		return nil
	}
	var out []*dto.Metric
	for _, m := range f.Metric {
		if has(m, labels) {
			out = append(out, m)
		}
	}
	return out
}

func has(m *dto.Metric, labels []string) bool {
	for i := 0; i+1 < len(labels); i += 2 {
		if !slices.ContainsFunc(m.Label, func(l *dto.LabelPair) bool {
			return l.GetName() == labels[i] && l.GetValue() == labels[i+1]
		}) {
			return false
		}
	}
	return true
}
