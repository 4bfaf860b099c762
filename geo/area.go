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

// ringSignedAreaM2 is the RingSignedArea of r projected to zone z's plane
// (m²), positive when r runs counter-clockwise. The projected vertices go to a
// buffer on the stack when the ring is short, as a parcel's rings are; a
// closing vertex is not projected (RingSignedArea implies the closing edge).
func ringSignedAreaM2(r orb.Ring, z Zone) float64 {
	if n := len(r); n > 1 && r[0] == r[n-1] {
		r = r[:n-1]
	}
	var buf [64]orb.Point
	plane := orb.Ring(buf[:0])
	if len(r) > len(buf) {
		plane = make(orb.Ring, 0, len(r))
	}
	for _, p := range r {
		x, y := z.Forward(p[0], p[1])
		plane = append(plane, orb.Point{x, y})
	}
	return RingSignedArea(plane)
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
