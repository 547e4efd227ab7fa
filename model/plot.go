package model

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// WriteLossSVG draws the training loss (and the validation points) of
// history against the step as a standalone SVG file.
func WriteLossSVG(path string, history []Record, title string) error {
	var b strings.Builder
	if err := lossSVG(&b, history, title); err != nil {
		return err
	}
	return writeFileAtomic(path, []byte(b.String()))
}

func lossSVG(w io.Writer, history []Record, title string) error {
	if len(history) == 0 {
		return fmt.Errorf("model: no loss history to plot")
	}
	const W, H, L, R, T, B = 800.0, 480.0, 60.0, 20.0, 40.0, 50.0
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range history {
		lo, hi = min(lo, r.TrainLoss), max(hi, r.TrainLoss)
		if r.ValLoss != nil {
			lo, hi = min(lo, *r.ValLoss), max(hi, *r.ValLoss)
		}
	}
	if hi-lo < 1e-9 {
		hi = lo + 1
	}
	lo, hi = math.Floor(lo*2)/2, math.Ceil(hi*2)/2
	maxStep := float64(history[len(history)-1].Step)
	x := func(s int) float64 { return L + (W-L-R)*float64(s)/max(1, maxStep) }
	y := func(v float64) float64 { return T + (H-T-B)*(hi-v)/(hi-lo) }
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" font-family="sans-serif" font-size="12">`+"\n", W, H)
	fmt.Fprintf(w, `<rect width="100%%" height="100%%" fill="white"/><text x="%g" y="24" font-size="15">%s</text>`+"\n", L, escapeXML(title))
	for v := lo; v <= hi+1e-9; v += 0.5 {
		fmt.Fprintf(w, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="#ddd"/><text x="%g" y="%.1f" text-anchor="end">%.1f</text>`+"\n",
			L, y(v), W-R, y(v), L-6, y(v)+4, v)
	}
	for i := 0; i <= 4; i++ {
		s := int(maxStep * float64(i) / 4)
		fmt.Fprintf(w, `<text x="%.1f" y="%g" text-anchor="middle">%d</text>`+"\n", x(s), H-B+18, s)
	}
	fmt.Fprintf(w, `<text x="%g" y="%g" text-anchor="middle">step</text>`+"\n", (L+W-R)/2, H-12)
	fmt.Fprintf(w, `<text x="16" y="%g" transform="rotate(-90 16 %g)" text-anchor="middle">loss (nats/token)</text>`+"\n", (T+H-B)/2, (T+H-B)/2)
	fmt.Fprint(w, `<polyline fill="none" stroke="#1f77b4" stroke-width="1.2" points="`)
	for _, r := range history {
		fmt.Fprintf(w, "%.1f,%.1f ", x(r.Step), y(r.TrainLoss))
	}
	fmt.Fprint(w, "\"/>\n")
	fmt.Fprint(w, `<polyline fill="none" stroke="#d62728" stroke-width="2" points="`)
	for _, r := range history {
		if r.ValLoss != nil {
			fmt.Fprintf(w, "%.1f,%.1f ", x(r.Step), y(*r.ValLoss))
		}
	}
	fmt.Fprint(w, "\"/>\n")
	fmt.Fprintf(w, `<text x="%g" y="%g" fill="#1f77b4">train</text><text x="%g" y="%g" fill="#d62728">validation</text>`+"\n",
		W-R-120, T+14, W-R-70, T+14)
	_, err := fmt.Fprint(w, "</svg>\n")
	return err
}

func escapeXML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
