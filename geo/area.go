package geo

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// AreaM2 is the area of a lon/lat Polygon or MultiPolygon on zone z's
// Gauss-Krüger plane: shells minus holes, whatever the ring orientation.
// Each vertex is projected and the rings are measured with the shoelace
// formula, as 勘测定界 reports do. Rings may be closed or not. An orb.Ring
// counts as a one-ring polygon; any other geometry has no area (0).
func AreaM2(g orb.Geometry, z Zone) float64 {
	switch g := g.(type) {
	case orb.Polygon:
		return polygonAreaM2(g, z)
	case orb.MultiPolygon:
		var s float64
		for _, p := range g {
			s += polygonAreaM2(p, z)
		}
		return s
	case orb.Ring:
		return math.Abs(ringSignedAreaM2(g, z))
	}
	return 0
}

func polygonAreaM2(p orb.Polygon, z Zone) float64 {
	if len(p) == 0 {
		return 0
	}
	a := math.Abs(ringSignedAreaM2(p[0], z))
	for _, h := range p[1:] {
		a -= math.Abs(ringSignedAreaM2(h, z))
	}
	return a
}

// ringSignedAreaM2 is the signed shoelace area of r on zone z's plane,
// positive when r runs counter-clockwise. Coordinates are taken relative to
// the first vertex, so that products of millions of metres do not eat the
// digits of the result.
func ringSignedAreaM2(r orb.Ring, z Zone) float64 {
	n := len(r)
	if n > 1 && r[0] == r[n-1] {
		n--
	}
	if n < 3 {
		return 0
	}
	x0, y0 := z.Forward(r[0][0], r[0][1])
	var s, px, py float64 // (px, py): previous vertex; vertex 0 is the origin
	for i := 1; i < n; i++ {
		x, y := z.Forward(r[i][0], r[i][1])
		x -= x0
		y -= y0
		s += px*y - x*py
		px, py = x, y
	}
	return s / 2
}

// CentroidZone is the zone holding the centroid of g: the area-weighted
// centroid of a Polygon or MultiPolygon in lon/lat (fine for choosing a
// zone), the centre of the bounding box of anything else.
func CentroidZone(g orb.Geometry) Zone {
	if g == nil {
		return 0
	}
	var c orb.Point
	switch g.(type) {
	case orb.Polygon, orb.MultiPolygon, orb.Ring:
		var a float64
		c, a = planar.CentroidArea(g)
		if a == 0 || math.IsNaN(c[0]) {
			c = g.Bound().Center()
		}
	default:
		c = g.Bound().Center()
	}
	if math.IsNaN(c[0]) || math.IsInf(c[0], 0) {
		return 0
	}
	return ZoneForLon(c[0])
}
