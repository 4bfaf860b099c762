package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// Normalize rounds to decimals, closes rings, orients shells CCW and holes CW.
//
// In detail: every coordinate is rounded to decimals decimal places (8 is
// about 1 mm on the ground; a negative decimals, or one above 15, leaves the
// values alone) with -0 written as 0; consecutive repeated points are removed;
// unclosed rings are closed; shells run counter-clockwise and holes clockwise
// (the RFC 7946 right-hand rule). A Polygon stays a Polygon and a MultiPolygon
// a MultiPolygon; Points and lines are rounded (lines also lose consecutive
// repeats), anything else is returned as is. g is not modified.
//
// Rounding can, in pathological cases (spikes thinner than the rounding
// step), make a valid polygon invalid; validate before and store the result.
func Normalize(g orb.Geometry, decimals int) orb.Geometry {
	round := rounder(decimals)
	switch g := g.(type) {
	case orb.Polygon:
		return normalizePolygon(g, round)
	case orb.MultiPolygon:
		out := make(orb.MultiPolygon, len(g))
		for i, p := range g {
			out[i] = normalizePolygon(p, round)
		}
		return out
	case orb.Point:
		return orb.Point{round(g[0]), round(g[1])}
	case orb.MultiPoint:
		out := make(orb.MultiPoint, len(g))
		for i, p := range g {
			out[i] = orb.Point{round(p[0]), round(p[1])}
		}
		return out
	case orb.LineString:
		return orb.LineString(roundDedup(g, round))
	case orb.MultiLineString:
		out := make(orb.MultiLineString, len(g))
		for i, ls := range g {
			out[i] = orb.LineString(roundDedup(ls, round))
		}
		return out
	}
	return g
}

func rounder(decimals int) func(float64) float64 {
	if decimals < 0 || decimals > 15 {
		return func(v float64) float64 { return v + 0 }
	}
	p := math.Pow10(decimals)
	return func(v float64) float64 {
		r := math.Round(v*p) / p
		if math.IsNaN(r) || math.IsInf(r, 0) {
			return v
		}
		return r + 0 // -0 → 0
	}
}

func roundDedup(ps []orb.Point, round func(float64) float64) []orb.Point {
	out := make([]orb.Point, 0, len(ps)+1)
	for _, p := range ps {
		q := orb.Point{round(p[0]), round(p[1])}
		if len(out) > 0 && out[len(out)-1] == q {
			continue
		}
		out = append(out, q)
	}
	return out
}

func normalizePolygon(p orb.Polygon, round func(float64) float64) orb.Polygon {
	out := make(orb.Polygon, len(p))
	for i, r := range p {
		nr := orb.Ring(roundDedup(r, round))
		if len(nr) > 1 && nr[0] != nr[len(nr)-1] {
			nr = append(nr, nr[0])
		}
		// Orientation in degrees is orientation on the Gauss-Krüger plane, a
		// conformal map. Unlike OrientRing, a shell without area (rounding
		// can collapse one) is left as it is rather than reversed.
		a := RingSignedArea(nr)
		if (i == 0 && a < 0) || (i > 0 && a > 0) {
			nr.Reverse()
		}
		out[i] = nr
	}
	return out
}
