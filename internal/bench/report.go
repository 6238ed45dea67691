package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// Result is one measure: the application's figure beside its raw twin's.
// Ratio is always "share of the raw speed reached": app/raw for rates,
// raw/app for times; 0 where a measure has no twin.
type Result struct {
	App    float64 `json:"app"`
	Raw    float64 `json:"raw"`
	Ratio  float64 `json:"ratio"`
	Unit   string  `json:"unit"`
	P50    float64 `json:"p50"` // ms, the application side (0 when not a load)
	P99    float64 `json:"p99"`
	RawP50 float64 `json:"raw_p50,omitempty"`
	RawP99 float64 `json:"raw_p99,omitempty"`
	Note   string  `json:"note,omitempty"`
}

// Report is every measure of one run, in the order they ran.
type Report struct {
	Order   []string
	Results map[string]Result
}

// Add appends one measure.
func (r *Report) Add(name string, res Result) {
	if r.Results == nil {
		r.Results = map[string]Result{}
	}
	r.Order = append(r.Order, name)
	r.Results[name] = res
}

// rate compares two loads by successful operations per second.
func rate(app, raw Stats, unit string) Result {
	res := Result{App: app.PerSecond(), Raw: raw.PerSecond(), Unit: unit,
		P50: ms(app.P50), P99: ms(app.P99), RawP50: ms(raw.P50), RawP99: ms(raw.P99)}
	if res.Raw > 0 {
		res.Ratio = res.App / res.Raw
	}
	if app.Errors+raw.Errors > 0 {
		res.Note = fmt.Sprintf("errors: app %d (%v), raw %d (%v)", app.Errors, app.FirstErr, raw.Errors, raw.FirstErr)
	}
	return res
}

func ms(d interface{ Seconds() float64 }) float64 { return d.Seconds() * 1000 }

// Print writes the table people read.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "%-24s %12s %12s %7s  %-8s %9s %9s  %s\n", "measure", "seedling", "raw", "ratio", "unit", "p50 ms", "p99 ms", "")
	for _, name := range r.Order {
		x := r.Results[name]
		raw, ratio := "—", "—"
		if x.Raw != 0 {
			raw, ratio = num(x.Raw), fmt.Sprintf("%.3f", x.Ratio)
		}
		fmt.Fprintf(w, "%-24s %12s %12s %7s  %-8s %9.1f %9.1f  %s\n", name, num(x.App), raw, ratio, x.Unit, x.P50, x.P99, x.Note)
	}
}

// num prints a figure with three significant digits at least, so that a
// list answering once a minute does not print as 0.0.
func num(v float64) string {
	if v != 0 && v < 10 {
		return fmt.Sprintf("%.3g", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// WriteJSON writes bench.json: {measure: {app, raw, ratio, unit, p50, p99}}.
func (r *Report) WriteJSON(path string) error {
	b, err := json.MarshalIndent(r.Results, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
