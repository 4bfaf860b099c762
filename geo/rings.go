package geo

import (
	"fmt"

	"github.com/paulmach/orb"
)

// RingSignedArea is the signed area of r by the shoelace formula, in the
// square of r's own units (degrees² for lon/lat, m² for plane coordinates):
// positive when r runs counter-clockwise, negative when it runs clockwise.
// The ring may be closed or not; the closing edge is implied. A ring of
// fewer than three vertices (the closing one not counted) has area 0, and so,
// up to rounding, has a ring whose vertices are collinear.
//
// Coordinates are taken relative to the first vertex, so that products of
// millions of metres (or prefixed eastings such as 38 500 000 m) do not eat
// the digits of the result.
func RingSignedArea(r orb.Ring) float64 {
	n := len(r)
	if n > 1 && r[0] == r[n-1] {
		n--
	}
	if n < 3 {
		return 0
	}
	x0, y0 := r[0][0], r[0][1]
	px, py := r[1][0]-x0, r[1][1]-y0 // previous vertex; vertex 0 is the origin
	var s float64
	for i := 2; i < n; i++ {
		x, y := r[i][0]-x0, r[i][1]-y0
		s += px*y - x*py
		px, py = x, y
	}
	return s / 2
}

// OrientRing returns r running counter-clockwise when ccw is true and
// clockwise otherwise: r itself when it already does, else a reversed copy.
// r is never modified. The orientation is the sign of RingSignedArea, so a
// ring without area counts as clockwise: OrientRing reverses it when ccw is
// true and leaves it alone when ccw is false.
func OrientRing(r orb.Ring, ccw bool) orb.Ring {
	if (RingSignedArea(r) > 0) == ccw {
		return r
	}
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[len(r)-1-i] = p
	}
	return out
}

// Polygons returns the polygons of g and true when g is a Polygon (one
// polygon) or a MultiPolygon (its polygons, sharing g's memory, none for an
// empty one). For any other geometry, nil and an orb.Ring included, it
// returns nil and false.
func Polygons(g orb.Geometry) ([]orb.Polygon, bool) {
	switch g := g.(type) {
	case orb.Polygon:
		return []orb.Polygon{g}, true
	case orb.MultiPolygon:
		return g, true
	}
	return nil, false
}

// CloseRing closes r (appends its first point when its last differs) as a
// reader of coordinates makes it. When r then has fewer than 3 points besides
// the closing one it returns the problem, to follow the feature's name in a
// message: "的多边形有一个只有 2 个点的环：至少需要 3 个不同的点". r is not empty.
func CloseRing(r orb.Ring) (orb.Ring, string) {
	if r[0] != r[len(r)-1] {
		r = append(r, r[0])
	}
	if len(r) < 4 {
		return r, fmt.Sprintf("的多边形有一个只有 %d 个点的环：至少需要 3 个不同的点", len(r)-1)
	}
	return r, ""
}
