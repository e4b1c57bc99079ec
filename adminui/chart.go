package adminui

import (
	"fmt"
)

// chart is the last hour's activity as an inline SVG bar chart, drawn
// on the server, with its numbers as text for those who cannot see it.
type chart struct {
	Bars                  []bar
	Minutes               []MinuteCount
	Sent, Failed, Recv    int
	Peak                  int
	Width, Height, Bottom int
	Summary               string
}

// bar is one minute: the sent part, with the failed part stacked on top
// and the received part beside it.
type bar struct {
	X, W                int
	SentY, SentH        int
	FailY, FailH        int
	RecvX, RecvY, RecvH int
	Title               string
}

const (
	chartW      = 600
	chartH      = 120
	chartBottom = 110
	plotH       = 100
)

func newChart(mins []MinuteCount) chart {
	c := chart{Minutes: mins, Width: chartW, Height: chartH, Bottom: chartBottom}
	for _, m := range mins {
		c.Sent += m.Sent
		c.Failed += m.Failed
		c.Recv += m.Received
		c.Peak = max(c.Peak, m.Sent+m.Failed, m.Received)
	}
	scale := func(n int) int {
		if c.Peak == 0 || n == 0 {
			return 0
		}
		return max(1, n*plotH/c.Peak)
	}
	slot := chartW / max(len(mins), 60)
	for i, m := range mins {
		x := i * slot
		b := bar{X: x + 1, W: max(slot/2-1, 1), Title: fmt.Sprintf("%s: %d sent, %d failed, %d received",
			m.Start.UTC().Format("15:04"), m.Sent, m.Failed, m.Received)}
		b.SentH = scale(m.Sent)
		b.SentY = chartBottom - b.SentH
		b.FailH = scale(m.Failed)
		b.FailY = b.SentY - b.FailH
		b.RecvH = scale(m.Received)
		b.RecvX = x + 1 + b.W
		b.RecvY = chartBottom - b.RecvH
		c.Bars = append(c.Bars, b)
	}
	c.Summary = fmt.Sprintf("In the last hour: %d sent, %d failed, %d received; busiest minute %d messages.",
		c.Sent, c.Failed, c.Recv, c.Peak)
	return c
}
