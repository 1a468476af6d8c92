package imaging

import (
	"math"

	"github.com/mediacdn/mediacdn/delivery"
)

// place positions a bw × bh box inside w × h by the step's gravity (def
// when none), with x/y offsets measured inwards from the gravity's edges;
// xy_center centres the box on (x, y). The box stays inside.
func (s *step) place(w, h, bw, bh int, def delivery.GravityMode) (int, int) {
	if s.focus != nil {
		return s.placeOnFocus(w, h, bw, bh)
	}
	return placeBy(s.gravity, w, h, bw, bh, s.x, s.y, def)
}

func placeBy(g delivery.GravityMode, w, h, bw, bh int, xo, yo length, def delivery.GravityMode) (int, int) {
	if g == delivery.GravityNone || g == delivery.GravityAuto {
		g = def
	}
	ox, oy := xo.of(w), yo.of(h)
	var x, y float64
	if g == delivery.GravityXYCenter {
		x, y = ox-float64(bw)/2, oy-float64(bh)/2
	} else {
		x = edge(w-bw, ox, west(g), east(g))
		y = edge(h-bh, oy, north(g), south(g))
	}
	return clamp(int(math.Round(x)), 0, w-bw), clamp(int(math.Round(y)), 0, h-bh)
}

// edge positions along one axis with free space room: from the start edge,
// from the end edge, or centred, offset inwards.
func edge(room int, off float64, start, end bool) float64 {
	switch {
	case start:
		return off
	case end:
		return float64(room) - off
	}
	return float64(room)/2 + off
}

func west(g delivery.GravityMode) bool {
	return g == delivery.GravityNorthWest || g == delivery.GravityWest || g == delivery.GravitySouthWest
}

func east(g delivery.GravityMode) bool {
	return g == delivery.GravityNorthEast || g == delivery.GravityEast || g == delivery.GravitySouthEast
}

func north(g delivery.GravityMode) bool {
	return g == delivery.GravityNorthWest || g == delivery.GravityNorth || g == delivery.GravityNorthEast
}

func south(g delivery.GravityMode) bool {
	return g == delivery.GravitySouthWest || g == delivery.GravitySouth || g == delivery.GravitySouthEast
}
