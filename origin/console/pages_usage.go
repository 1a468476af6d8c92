package console

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The usage page: Admin usage's figures of today against their limits,
// and of the last historyDays days (Admin usage/<date>, a call a day: the
// API has no range call), each drawn as a small inline SVG chart on the
// server (no script; colours come from classes in console.css, the CSP
// allowing no inline style).

// historyDays is how many days, today included, the usage page charts.
const historyDays = 7

// usageEntry is one quantity of Admin usage, against its limit.
type usageEntry struct {
	Usage       int64   `json:"usage"`
	Limit       int64   `json:"limit"`
	UsedPercent float64 `json:"used_percent"`
}

// usageDay is Admin usage's answer for one day.
type usageDay struct {
	Date             string     `json:"date"`
	Transformations  usageEntry `json:"transformations"`
	Objects          usageEntry `json:"objects"`
	Bandwidth        usageEntry `json:"bandwidth"`
	Storage          usageEntry `json:"storage"`
	Requests         int64      `json:"requests"`
	Resources        int64      `json:"resources"`
	DerivedResources int64      `json:"derived_resources"`
}

// quantity is one figure the page shows: its name, how to read it from
// a day's usage and how to write it.
type quantity struct {
	Name   string
	value  func(usageDay) int64
	entry  func(usageDay) usageEntry // nil: no limit
	format func(int64) string
}

func count(n int64) string { return strconv.FormatInt(n, 10) }

var quantities = []quantity{
	{"Objects", func(u usageDay) int64 { return u.Objects.Usage }, func(u usageDay) usageEntry { return u.Objects }, count},
	{"Storage", func(u usageDay) int64 { return u.Storage.Usage }, func(u usageDay) usageEntry { return u.Storage }, humanBytes},
	{"Resources", func(u usageDay) int64 { return u.Resources }, nil, count},
	{"Derived resources", func(u usageDay) int64 { return u.DerivedResources }, nil, count},
	{"Transformations", func(u usageDay) int64 { return u.Transformations.Usage }, func(u usageDay) usageEntry { return u.Transformations }, count},
	{"Requests (every cloud, as edges report)", func(u usageDay) int64 { return u.Requests }, nil, count},
	{"Bandwidth (every cloud, as edges report)", func(u usageDay) int64 { return u.Bandwidth.Usage }, func(u usageDay) usageEntry { return u.Bandwidth }, humanBytes},
}

// usageRow is a row of the table of today's figures.
type usageRow struct {
	Name, Value string
	Entry       usageEntry
}

// limitBar is one quantity's bar in the chart against the limits: its
// label, and the used share as a bar in a viewBox 100 units wide.
type limitBar struct {
	Name, Value, Limit string
	Width              string // the used share, 0 to 100
	Percent            float64
	Class              string // chart-used, or chart-high from 90%
}

// historyChart is one quantity over the last days: a bar a day.
type historyChart struct {
	ID, Name, Summary, Max string
	Bars                   []historyBar
}

// historyBar is a day's bar (in a viewBox 7 bars of 10 units wide, 40
// high above the day labels).
type historyBar struct {
	X, LabelX  int
	Y, Height  string
	Day, Title string
	DayOfMonth string
}

// chartHeight is the bars' height in a history chart's viewBox.
const chartHeight = 40

// usage shows Admin usage: today's figures as a table and against their
// limits, and the last historyDays days of each.
func (p *page) usage() {
	var today usageDay
	if err := p.api(http.MethodGet, "usage", nil, &today); err != nil {
		p.fail(err)
		return
	}
	days := []usageDay{today}
	if d, err := time.Parse("2006-01-02", today.Date); err == nil {
		days = make([]usageDay, historyDays)
		days[historyDays-1] = today
		for i := 1; i < historyDays; i++ {
			day := d.AddDate(0, 0, -i).Format("2006-01-02")
			if err := p.api(http.MethodGet, "usage/"+day, nil, &days[historyDays-1-i]); err != nil {
				p.fail(err)
				return
			}
		}
	}
	var rows []usageRow
	var limits []limitBar
	var charts []historyChart
	for i, q := range quantities {
		var e usageEntry
		if q.entry != nil {
			e = q.entry(today)
		}
		rows = append(rows, usageRow{Name: q.Name, Value: q.format(q.value(today)), Entry: e})
		if e.Limit > 0 {
			share := min(e.UsedPercent, 100)
			class := "chart-used"
			if e.UsedPercent >= 90 {
				class = "chart-high"
			}
			limits = append(limits, limitBar{Name: q.Name, Value: q.format(e.Usage), Limit: q.format(e.Limit),
				Width: strconv.FormatFloat(share, 'f', 2, 64), Percent: e.UsedPercent, Class: class})
		}
		charts = append(charts, historyOf(fmt.Sprintf("history-%d", i), q, days))
	}
	p.render("usage", map[string]any{"Date": today.Date, "Rows": rows, "Limits": limits, "Charts": charts, "Days": len(days)})
}

// historyOf draws a quantity over days (oldest first), each bar scaled
// to the largest.
func historyOf(id string, q quantity, days []usageDay) historyChart {
	var top int64
	for _, d := range days {
		top = max(top, q.value(d))
	}
	c := historyChart{ID: id, Name: q.Name, Max: q.format(top)}
	var said []string
	for i, d := range days {
		v := q.value(d)
		h := 0.0
		if top > 0 {
			h = float64(v) * chartHeight / float64(top)
		}
		dom := d.Date
		if len(dom) == 10 {
			dom = dom[8:]
		}
		c.Bars = append(c.Bars, historyBar{X: i*10 + 1, LabelX: i*10 + 5,
			Y: strconv.FormatFloat(chartHeight-h, 'f', 2, 64), Height: strconv.FormatFloat(h, 'f', 2, 64),
			Day: d.Date, Title: d.Date + ": " + q.format(v), DayOfMonth: dom})
		said = append(said, d.Date+" "+q.format(v))
	}
	c.Summary = q.Name + " over the last " + strconv.Itoa(len(days)) + " days: " + strings.Join(said, ", ")
	return c
}
