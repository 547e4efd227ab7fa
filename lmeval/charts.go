package lmeval

import (
	"fmt"
	"image/color"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// palette gives each tokenizer a colour that is distinct in print.
var palette = []color.Color{
	color.RGBA{0x1f, 0x77, 0xb4, 0xff}, color.RGBA{0xff, 0x7f, 0x0e, 0xff}, color.RGBA{0x2c, 0xa0, 0x2c, 0xff},
	color.RGBA{0xd6, 0x27, 0x28, 0xff}, color.RGBA{0x94, 0x67, 0xbd, 0xff}, color.RGBA{0x8c, 0x56, 0x4b, 0xff},
}

// WriteCharts writes bpb_curve.{png,svg} (validation BPB against training
// bytes, one line per tokenizer, averaged over seeds at each evaluation)
// and bpb_final.{png,svg} (final BPB per tokenizer with its spread).
func (r *Report) WriteCharts(dir string) error {
	curve, err := r.curvePlot()
	if err != nil {
		return err
	}
	final, err := r.finalPlot()
	if err != nil {
		return err
	}
	for _, ext := range []string{"png", "svg"} {
		if err := curve.Save(7*vg.Inch, 4.5*vg.Inch, filepath.Join(dir, "bpb_curve."+ext)); err != nil {
			return err
		}
		if err := final.Save(7*vg.Inch, 4.5*vg.Inch, filepath.Join(dir, "bpb_final."+ext)); err != nil {
			return err
		}
	}
	return nil
}

func (r *Report) curvePlot() (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "Validation bits per byte during training"
	p.X.Label.Text = "training text consumed (MB)"
	p.Y.Label.Text = "bits per byte"
	p.Legend.Top = true
	for i, t := range r.Tokenizers {
		pts := meanCurve(t.Runs)
		if len(pts) == 0 {
			continue
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return nil, fmt.Errorf("lmeval: curve of %s: %w", t.Name, err)
		}
		line.Color = palette[i%len(palette)]
		line.Width = vg.Points(1.5)
		p.Add(line)
		p.Legend.Add(t.Name, line)
	}
	return p, nil
}

// meanCurve averages the runs' curves point by point (runs of one
// tokenizer evaluate at the same steps).
func meanCurve(runs []Run) plotter.XYs {
	if len(runs) == 0 {
		return nil
	}
	n := len(runs[0].Curve)
	for _, r := range runs {
		n = min(n, len(r.Curve))
	}
	pts := make(plotter.XYs, n)
	for k := 0; k < n; k++ {
		for _, r := range runs {
			pts[k].X += float64(r.Curve[k].TrainBytes) / 1e6
			pts[k].Y += r.Curve[k].ValBPB
		}
		pts[k].X /= float64(len(runs))
		pts[k].Y /= float64(len(runs))
	}
	return pts
}

func (r *Report) finalPlot() (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "Final bits per byte on held-out text (mean ± std over seeds)"
	p.Y.Label.Text = "bits per byte"
	ranked := r.Ranked()
	names := make([]string, len(ranked))
	means := make(plotter.Values, len(ranked))
	errs := make(plotter.XYs, len(ranked))
	yerr := make(plotter.YErrors, len(ranked))
	for i, t := range ranked {
		s := t.Of(Run.BPB)
		names[i] = t.Name
		means[i] = s.Mean
		errs[i] = plotter.XY{X: float64(i), Y: s.Mean}
		yerr[i].Low, yerr[i].High = s.Std, s.Std
	}
	if len(ranked) == 0 {
		return p, nil
	}
	bars, err := plotter.NewBarChart(means, vg.Points(28))
	if err != nil {
		return nil, err
	}
	bars.Color = palette[0]
	p.Add(bars)
	eb, err := plotter.NewYErrorBars(struct {
		plotter.XYer
		plotter.YErrorer
	}{errs, yerr})
	if err != nil {
		return nil, err
	}
	eb.LineStyle.Width = vg.Points(1.5)
	eb.CapWidth = vg.Points(8)
	p.Add(eb)
	p.NominalX(names...)
	p.Y.Min = 0
	p.X.Min, p.X.Max = -0.6, float64(len(ranked))-0.4
	return p, nil
}
