package main

import (
	"fmt"
	"math"
	"os"
	"strings"
	"time"
)

// The chart is hand-drawn SVG (text, so it diffs and needs no dependency):
// the latency distribution of the commands, lifecycles completed per second
// over each run, and subscriptions billed per second after the tick.

type series struct {
	name, color string
	pts         [][2]float64
}

const (
	chartW  = 900.0
	panelH  = 280.0
	marginL = 70.0
	marginR = 20.0
	marginT = 40.0
	marginB = 45.0
)

func writeChart(path string, r *report) error {
	var panels []func(b *strings.Builder, y float64)
	panels = append(panels, func(b *strings.Builder, y float64) {
		cdf := []series{
			cdfSeries("orders place", "#d62728", r.orders.place),
			cdfSeries("orders capture", "#ff7f0e", r.orders.capture),
			cdfSeries("orders ship", "#bcbd22", r.orders.ship),
			cdfSeries("floor place", "#1f77b4", r.floor.place),
			cdfSeries("floor capture", "#17becf", r.floor.capture),
		}
		// Cut the x axis past the slowest p99, so the body of the curves is readable.
		cut := 0.0
		for _, l := range [][]time.Duration{r.orders.place, r.orders.capture, r.orders.ship, r.floor.place, r.floor.capture} {
			cut = max(cut, ms(pct(l, 99)))
		}
		for i := range cdf {
			cdf[i].pts = clipX(cdf[i].pts, cut*1.15)
		}
		plot(b, y, fmt.Sprintf("Command latency, cumulative (concurrency %d, %d lifecycles; x cut at 1.15 × max p99)", r.opts.conc, r.opts.orders),
			"latency (ms)", "% of calls ≤ x", 100, cdf)
	})
	panels = append(panels, func(b *strings.Builder, y float64) {
		plot(b, y, "Lifecycles completed per second over the run", "seconds since the first place", "lifecycles/s", 0, []series{
			{name: "orders (HTTP API, cardflow)", color: "#d62728", pts: rate(r.orders.series)},
			{name: "floor (no-op, Temporal only)", color: "#1f77b4", pts: rate(r.floor.series)},
		})
	})
	if r.subs.billed > 0 {
		panels = append(panels, func(b *strings.Builder, y float64) {
			plot(b, y, fmt.Sprintf("%d subscriptions due on one tick: bills per second", r.subs.started), "seconds since the tick", "bills/s", 0, []series{
				{name: "bills/s", color: "#2ca02c", pts: rate(r.subs.series)},
			})
		})
	}
	var b strings.Builder
	h := panelH * float64(len(panels))
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="12">`+"\n", chartW, h, chartW, h)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	for i, p := range panels {
		p(&b, float64(i)*panelH)
	}
	b.WriteString("</svg>\n")
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// cdfSeries is the cumulative distribution: (latency ms, % of calls at or below).
func cdfSeries(name, color string, sorted []time.Duration) series {
	s := series{name: name, color: color}
	n := len(sorted)
	step := max(1, n/400) // enough points for a smooth line, few enough for a small file
	for i := 0; i < n; i += step {
		s.pts = append(s.pts, [2]float64{ms(sorted[i]), 100 * float64(i+1) / float64(n)})
	}
	if n > 0 {
		s.pts = append(s.pts, [2]float64{ms(sorted[n-1]), 100})
	}
	return s
}

func clipX(pts [][2]float64, limit float64) [][2]float64 {
	var out [][2]float64
	for _, p := range pts {
		if p[0] <= limit {
			out = append(out, p)
		}
	}
	return out
}

// plot draws one panel at vertical offset y0: axes with nice ticks, a line per
// series, a legend. yTop fixes the y axis (0: from the data).
func plot(b *strings.Builder, y0 float64, title, xl, yl string, yTop float64, ss []series) {
	xmax, ymax := 0.0, 0.0
	for _, s := range ss {
		for _, p := range s.pts {
			xmax, ymax = max(xmax, p[0]), max(ymax, p[1])
		}
	}
	xmax, ymax = niceCeil(xmax), niceCeil(ymax*1.05)
	if yTop > 0 {
		ymax = yTop
	}
	left, top := marginL, y0+marginT
	w, h := chartW-marginL-marginR, panelH-marginT-marginB
	px := func(x float64) float64 { return left + x/xmax*w }
	py := func(y float64) float64 { return top + h - y/ymax*h }
	fmt.Fprintf(b, `<text x="%.0f" y="%.0f" font-size="14" font-weight="bold">%s</text>`+"\n", left, y0+22, esc(title))
	fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="#888"/>`+"\n", left, top, w, h)
	for i := 0; i <= 5; i++ {
		xv, yv := xmax*float64(i)/5, ymax*float64(i)/5
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/>`+"\n", px(xv), top, px(xv), top+h)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/>`+"\n", left, py(yv), left+w, py(yv))
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", px(xv), top+h+16, num(xv))
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n", left-6, py(yv)+4, num(yv))
	}
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", left+w/2, top+h+34, esc(xl))
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" transform="rotate(-90 %.1f %.1f)">%s</text>`+"\n",
		left-48, top+h/2, left-48, top+h/2, esc(yl))
	for i, s := range ss {
		if len(s.pts) == 0 {
			continue
		}
		var pts []string
		for _, p := range s.pts {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(p[0]), py(p[1])))
		}
		fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="1.8" points="%s"/>`+"\n", s.color, strings.Join(pts, " "))
		ly := top + 14 + float64(i)*16
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="3"/>`+"\n", left+w-210, ly-4, left+w-190, ly-4, s.color)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f">%s</text>`+"\n", left+w-185, ly, esc(s.name))
	}
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func num(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
