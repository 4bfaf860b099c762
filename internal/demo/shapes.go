package demo

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"

	"panhuo/geo"
)

// vec is a point on a park's local frame, in metres.
type vec struct{ u, v float64 }

// frame is a local frame on a Gauss-Krüger plane: u and v run along a park's
// street grid, rotated by an angle from easting/northing, with the origin at
// the park's centre. Rotation and translation keep areas, so a shoelace area
// in the frame is the area on the plane.
type frame struct {
	zone     geo.Zone
	e0, n0   float64
	sin, cos float64
}

func newFrame(lon, lat, angle float64) frame {
	z := geo.ZoneForLon(lon)
	e, n := z.Forward(lon, lat)
	s, c := math.Sincos(angle)
	return frame{zone: z, e0: e, n0: n, sin: s, cos: c}
}

// lonLat maps a frame point to lon/lat rounded to land.CoordinateDecimals,
// the precision the service stores.
func (f frame) lonLat(p vec) orb.Point {
	e := f.e0 + p.u*f.cos - p.v*f.sin
	n := f.n0 + p.u*f.sin + p.v*f.cos
	lon, lat := f.zone.Inverse(e, n)
	return orb.Point{roundCoord(lon), roundCoord(lat)}
}

// local maps lon/lat to the frame.
func (f frame) local(p orb.Point) vec {
	e, n := f.zone.Forward(p[0], p[1])
	de, dn := e-f.e0, n-f.n0
	return vec{de*f.cos + dn*f.sin, -de*f.sin + dn*f.cos}
}

// coordScale is 10^land.CoordinateDecimals (a test checks they agree).
const coordScale = 1e8

// roundCoord rounds a coordinate to land.CoordinateDecimals decimals.
func roundCoord(x float64) float64 { return math.Round(x*coordScale) / coordScale }

// ring converts frame points to a closed lon/lat ring.
func (f frame) ring(pts []vec) orb.Ring {
	r := make(orb.Ring, 0, len(pts)+1)
	for _, p := range pts {
		r = append(r, f.lonLat(p))
	}
	return append(r, r[0])
}

// shoelace is the signed area of a ring of frame points (not closed).
func shoelace(pts []vec) float64 {
	a := 0.0
	for i := range pts {
		j := (i + 1) % len(pts)
		a += pts[i].u*pts[j].v - pts[j].u*pts[i].v
	}
	return a / 2
}

// bounds of frame points.
type box struct{ minU, minV, maxU, maxV float64 }

func boundsOf(pts []vec) box {
	b := box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, p := range pts {
		b.minU, b.maxU = math.Min(b.minU, p.u), math.Max(b.maxU, p.u)
		b.minV, b.maxV = math.Min(b.minV, p.v), math.Max(b.maxV, p.v)
	}
	return b
}

func (b box) width() float64  { return b.maxU - b.minU }
func (b box) height() float64 { return b.maxV - b.minV }

// uniform returns a number in [lo, hi).
func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

// between returns an integer in [lo, hi].
func between(r *rand.Rand, lo, hi int) int { return lo + r.IntN(hi-lo+1) }

// starShape returns n vertices, counter-clockwise, of an irregular
// star-shaped polygon of unit area around the origin: a radius that wanders
// with a few low harmonics and some noise, then a stretch. Vertices in
// increasing angle with a positive radius make a simple polygon.
func starShape(r *rand.Rand, n int, wobble, stretch float64) []vec {
	a1, a2, a3 := uniform(r, 0, 0.5)*wobble, uniform(r, 0, 0.4)*wobble, uniform(r, 0, 0.25)*wobble
	p1, p2, p3 := uniform(r, 0, 2*math.Pi), uniform(r, 0, 2*math.Pi), uniform(r, 0, 2*math.Pi)
	pts := make([]vec, n)
	for i := range pts {
		t := 2 * math.Pi * (float64(i) + uniform(r, -0.3, 0.3)) / float64(n)
		rad := 1 + a1*math.Sin(t+p1) + a2*math.Sin(2*t+p2) + a3*math.Sin(3*t+p3) + uniform(r, -0.15, 0.15)*wobble
		pts[i] = vec{rad * math.Cos(t) * stretch, rad * math.Sin(t) / stretch}
	}
	return scaleTo(pts, 1)
}

// rectShape returns n ≥ 4 vertices, counter-clockwise, of a jittered
// rectangle of unit area and the given aspect (width ÷ height): survey points
// along the sides, slightly off the straight line, as parcels bounded by
// roads and neighbours look.
func rectShape(r *rand.Rand, n int, aspect, jitter float64) []vec {
	w, h := math.Sqrt(aspect), 1/math.Sqrt(aspect)
	corners := [4]vec{{-w / 2, -h / 2}, {w / 2, -h / 2}, {w / 2, h / 2}, {-w / 2, h / 2}}
	// Spread the extra points over the sides in proportion to their length.
	extra := [4]int{}
	for range n - 4 {
		if r.Float64()*(w+h) < w {
			extra[2*r.IntN(2)]++
		} else {
			extra[1+2*r.IntN(2)]++
		}
	}
	short := math.Min(w, h)
	pts := make([]vec, 0, n)
	for s := range 4 {
		a, b := corners[s], corners[(s+1)%4]
		pts = append(pts, vec{a.u + uniform(r, -1, 1)*jitter*short*0.5, a.v + uniform(r, -1, 1)*jitter*short*0.5})
		// Outward normal of side s of a counter-clockwise rectangle.
		du, dv := b.u-a.u, b.v-a.v
		l := math.Hypot(du, dv)
		nu, nv := dv/l, -du/l
		k := extra[s]
		for i := range k {
			// Evenly spaced slots with jitter inside each slot keep the order.
			t := 0.1 + 0.8*(float64(i)+uniform(r, 0.2, 0.8))/float64(k)
			off := uniform(r, -1, 1) * jitter * short
			pts = append(pts, vec{a.u + t*du + off*nu, a.v + t*dv + off*nv})
		}
	}
	return scaleTo(pts, 1)
}

// scaleTo scales pts about the origin so that their area is area.
func scaleTo(pts []vec, area float64) []vec {
	k := math.Sqrt(area / math.Abs(shoelace(pts)))
	for i := range pts {
		pts[i].u *= k
		pts[i].v *= k
	}
	return pts
}

// rotate turns pts about the origin by angle.
func rotate(pts []vec, angle float64) []vec {
	s, c := math.Sincos(angle)
	for i, p := range pts {
		pts[i] = vec{p.u*c - p.v*s, p.u*s + p.v*c}
	}
	return pts
}

// fitted is a parcel polygon whose rounded coordinates enclose a target area.
type fitted struct {
	poly   orb.Polygon
	areaM2 float64 // geo.AreaM2 of poly in its centroid zone: what the service computes
	local  []vec   // the vertices on the frame, for containment checks
}

// fitArea places the unit-area shape at centre c, scaled so that the area of
// its rounded lon/lat polygon on the Gauss-Krüger plane — measured exactly as
// the service measures it — is targetM2, as closely as the 1e-8° grid
// allows. Rounding moves each vertex by up to half a millimetre, so the
// scale is refined a few times on the measured area and then single vertices
// are nudged by one grid step while that brings the area closer.
func fitArea(f frame, c vec, shape []vec, targetM2 float64) (fitted, error) {
	build := func(s float64) ([]vec, orb.Polygon) {
		pts := make([]vec, len(shape))
		for i, p := range shape {
			pts[i] = vec{c.u + s*p.u, c.v + s*p.v}
		}
		return pts, orb.Polygon{f.ring(pts)}
	}
	zoneOf := func(p orb.Polygon) geo.Zone { return geo.CentroidZone(p) }
	s := math.Sqrt(targetM2)
	var best fitted
	bestErr := math.Inf(1)
	for range 8 {
		pts, poly := build(s)
		a := geo.AreaM2(poly, zoneOf(poly))
		if e := math.Abs(a - targetM2); e < bestErr {
			best, bestErr = fitted{poly: poly, areaM2: a, local: pts}, e
		}
		if bestErr < 1e-3 || a <= 0 {
			break
		}
		s *= math.Sqrt(targetM2 / a)
	}
	if math.IsInf(bestErr, 1) || bestErr > 5 {
		return fitted{}, fmt.Errorf("fit parcel area %.2f m²: off by %.3f m² after scaling", targetM2, bestErr)
	}
	// Nudge single vertices one grid step at a time (greedy).
	step := 1 / coordScale
	ring := best.poly[0]
	zone := zoneOf(best.poly)
	for round := 0; round < 12 && bestErr > 1e-3; round++ {
		bi, bd, improved := -1, orb.Point{}, false
		for i := 0; i < len(ring)-1; i++ {
			orig := ring[i]
			for _, d := range [4]orb.Point{{step, 0}, {-step, 0}, {0, step}, {0, -step}} {
				ring[i] = orb.Point{roundCoord(orig[0] + d[0]), roundCoord(orig[1] + d[1])}
				if i == 0 {
					ring[len(ring)-1] = ring[0]
				}
				a := geo.AreaM2(orb.Polygon{ring}, zone)
				if e := math.Abs(a - targetM2); e < bestErr {
					bestErr, bi, bd, improved = e, i, d, true
					best.areaM2 = a
				}
			}
			ring[i] = orig
			if i == 0 {
				ring[len(ring)-1] = orig
			}
		}
		if !improved {
			break
		}
		ring[bi] = orb.Point{roundCoord(ring[bi][0] + bd[0]), roundCoord(ring[bi][1] + bd[1])}
		if bi == 0 {
			ring[len(ring)-1] = ring[0]
		}
	}
	best.poly = orb.Polygon{ring}
	if got := geo.AreaM2(best.poly, zone); got != best.areaM2 {
		return fitted{}, fmt.Errorf("fit parcel area: measured %.6f m², expected %.6f m²", got, best.areaM2)
	}
	return best, nil
}

// region is a park boundary on its frame: rings of all parts (no holes),
// used for point-in-polygon and edge tests.
type region struct {
	rings [][]vec
}

func newRegion(f frame, mp orb.MultiPolygon) region {
	var g region
	for _, p := range mp {
		for _, r := range p {
			pts := make([]vec, 0, len(r))
			for _, q := range r[:len(r)-1] {
				pts = append(pts, f.local(q))
			}
			g.rings = append(g.rings, pts)
		}
	}
	return g
}

// contains reports whether p lies inside the region (even-odd rule).
func (g region) contains(p vec) bool {
	in := false
	for _, r := range g.rings {
		for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
			a, b := r[i], r[j]
			if (a.v > p.v) != (b.v > p.v) && p.u < (b.u-a.u)*(p.v-a.v)/(b.v-a.v)+a.u {
				in = !in
			}
		}
	}
	return in
}

// containsBox reports whether the box lies wholly inside the region: its
// centre is inside and no boundary edge enters it.
func (g region) containsBox(b box) bool {
	if !g.contains(vec{(b.minU + b.maxU) / 2, (b.minV + b.maxV) / 2}) {
		return false
	}
	for _, r := range g.rings {
		for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
			if segmentHitsBox(r[j], r[i], b) {
				return false
			}
		}
	}
	return true
}

// insideShare estimates the share of the polygon pts lying in the region by
// sampling a grid of points.
func (g region) insideShare(pts []vec) float64 {
	b := boundsOf(pts)
	self := region{rings: [][]vec{pts}}
	const k = 40
	in, all := 0, 0
	for i := range k {
		for j := range k {
			p := vec{b.minU + (float64(i)+0.5)*b.width()/k, b.minV + (float64(j)+0.5)*b.height()/k}
			if !self.contains(p) {
				continue
			}
			all++
			if g.contains(p) {
				in++
			}
		}
	}
	if all == 0 {
		return 0
	}
	return float64(in) / float64(all)
}

// segmentHitsBox reports whether segment ab meets box b (Liang–Barsky).
func segmentHitsBox(a, c vec, b box) bool {
	t0, t1 := 0.0, 1.0
	du, dv := c.u-a.u, c.v-a.v
	for _, e := range [4][2]float64{{-du, a.u - b.minU}, {du, b.maxU - a.u}, {-dv, a.v - b.minV}, {dv, b.maxV - a.v}} {
		p, q := e[0], e[1]
		if p == 0 {
			if q < 0 {
				return false
			}
			continue
		}
		t := q / p
		if p < 0 {
			t0 = math.Max(t0, t)
		} else {
			t1 = math.Min(t1, t)
		}
		if t0 > t1 {
			return false
		}
	}
	return true
}
