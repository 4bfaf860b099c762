package geo

import (
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/peterstace/simplefeatures/geom"
	"github.com/peterstace/simplefeatures/rtree"
)

// AreaIndex assigns polygons to indexed areas (parks).
//
// It is built once by NewAreaIndex and read-only afterwards, so one index may
// serve any number of goroutines. An R-tree over the areas' bounding boxes
// finds the candidates; a polygon whose vertices all lie inside one area,
// with no edge touching the area's boundary, is assigned without an overlay;
// anything else is intersected with simplefeatures on the Gauss-Krüger plane.
type AreaIndex struct {
	tree  *rtree.RTree
	areas []indexedArea
}

// indexedArea is one area with its prepared structures, all read-only.
type indexedArea struct {
	bound orb.Bound
	rings []indexedRing
	edges edgeIndex
	// The area on the plane of its own centroid zone, relative to origin,
	// ready for overlays in that zone.
	zone   Zone
	origin orb.Point
	plane  geom.Geometry
	mp     orb.MultiPolygon
}

// indexedRing is the bounding box and first vertex of one ring of an area.
type indexedRing struct {
	bound orb.Bound
	first orb.Point
}

// contactEps is how close, in degrees (1e-10° ≈ 10 µm), a vertex may come to
// an edge before the fast path gives way to an exact overlay.
const contactEps = 1e-10

// NewAreaIndex builds an index over areas, addressed by position.
//
// Areas must be valid (see Validate; outside_china and zero_area are
// tolerated); an invalid one is an error naming its position. Empty areas
// are allowed and never match.
func NewAreaIndex(areas []orb.MultiPolygon) (*AreaIndex, error) {
	ix := &AreaIndex{areas: make([]indexedArea, len(areas))}
	items := make([]rtree.BulkItem, 0, len(areas))
	for i, mp := range areas {
		if pointCount(mp...) == 0 {
			continue
		}
		if err := checkOverlayInput(mp); err != nil {
			return nil, fmt.Errorf("index area %d: %w", i, err)
		}
		a := &ix.areas[i]
		a.mp = mp
		a.bound = mp.Bound()
		a.edges = newEdgeIndex(mp)
		for _, p := range mp {
			for _, r := range p {
				if len(r) > 0 {
					a.rings = append(a.rings, indexedRing{bound: r.Bound(), first: r[0]})
				}
			}
		}
		a.zone = CentroidZone(mp)
		a.origin = a.bound.Min
		a.plane = toSimple(mp, newPlaneProjector(a.zone, a.origin).project)
		items = append(items, rtree.BulkItem{Box: boxOf(a.bound), RecordID: i})
	}
	ix.tree = rtree.BulkLoad(items)
	return ix, nil
}

// Len is the number of areas the index was built over.
func (ix *AreaIndex) Len() int { return len(ix.areas) }

// Candidates lists, in no particular order, the areas whose bounding boxes
// intersect b.
func (ix *AreaIndex) Candidates(b orb.Bound) []int {
	var out []int
	_ = ix.tree.RangeSearch(boxOf(b), func(id int) error {
		out = append(out, id)
		return nil
	})
	return out
}

// Shares lists the areas g intersects with the area of each intersection on
// zone z's plane, largest first; inside is true when g lies wholly in one area.
//
// g is a lon/lat Polygon or MultiPolygon. Shares below MinAreaM2 are left
// out, so a polygon that only touches an area does not share it. When g must
// be overlaid with an area it is validated first, and an invalid g is an
// error (wrapping *InvalidError).
func (ix *AreaIndex) Shares(g orb.Geometry, z Zone) (shares []Share, inside bool, err error) {
	polys, ok := Polygons(g)
	if !ok {
		return nil, false, fmt.Errorf("area shares: unsupported geometry %T, want Polygon or MultiPolygon", g)
	}
	if pointCount(polys...) == 0 {
		return nil, false, nil
	}
	gb := g.Bound()
	full := -1.0 // AreaM2(g, z), computed once when needed
	fullArea := func() float64 {
		if full < 0 {
			full = AreaM2(g, z)
		}
		return full
	}
	insideOne := false
	checked := false
	var gPlane geom.Geometry // g on the plane of the last overlay origin
	var gOrigin orb.Point
	var gZone Zone

	var firstErr error
	_ = ix.tree.RangeSearch(boxOf(gb), func(id int) error {
		a := &ix.areas[id]
		switch a.classify(polys, gb) {
		case relOutside:
			return nil
		case relInside:
			shares = append(shares, Share{Index: id, AreaM2: fullArea()})
			insideOne = true
			return nil
		}
		if !checked {
			if err := checkOverlayInput(g); err != nil {
				firstErr = fmt.Errorf("area shares: %w", err)
				return rtree.Stop
			}
			checked = true
		}
		var area float64
		var err error
		if z == a.zone {
			if gPlane.IsEmpty() || gOrigin != a.origin || gZone != z {
				gPlane = toSimple(g, newPlaneProjector(z, a.origin).project)
				gOrigin, gZone = a.origin, z
			}
			area, err = planeIntersectionArea(gPlane, a.plane)
		} else {
			pr := newPlaneProjector(z, gb.Min)
			area, err = planeIntersectionArea(toSimple(g, pr.project), toSimple(a.mp, pr.project))
		}
		if err != nil {
			firstErr = fmt.Errorf("area shares: area %d: %w", id, err)
			return rtree.Stop
		}
		shares = append(shares, Share{Index: id, AreaM2: area})
		return nil
	})
	if firstErr != nil {
		return nil, false, firstErr
	}
	kept := shares[:0]
	for _, s := range shares {
		if s.AreaM2 >= MinAreaM2 {
			kept = append(kept, s)
		}
	}
	shares = kept
	sort.SliceStable(shares, func(i, j int) bool {
		if shares[i].AreaM2 != shares[j].AreaM2 {
			return shares[i].AreaM2 > shares[j].AreaM2
		}
		return shares[i].Index < shares[j].Index
	})
	if len(shares) == 1 {
		f := fullArea()
		inside = insideOne || shares[0].AreaM2 >= f-(MinAreaM2+1e-9*f)
	}
	if len(shares) == 0 {
		shares = nil
	}
	return shares, inside, nil
}

type relation int

const (
	relMixed relation = iota // boundaries meet or cross: overlay needed
	relInside
	relOutside
)

// classify tells whether g (with bounding box gb) lies strictly inside a,
// strictly outside it, or neither (or too close to tell).
func (a *indexedArea) classify(polys []orb.Polygon, gb orb.Bound) relation {
	in, out := 0, 0
	for _, p := range polys {
		for _, r := range p {
			for _, pt := range r {
				switch a.edges.locate(pt) {
				case 1:
					in++
				case -1:
					out++
				default:
					return relMixed
				}
				if in > 0 && out > 0 {
					return relMixed
				}
			}
		}
	}
	// No edge of g may meet an edge of a.
	for _, p := range polys {
		for _, r := range p {
			for i := 0; i+1 < len(r); i++ {
				if a.edges.touches(r[i], r[i+1]) {
					return relMixed
				}
			}
			if n := len(r); n > 1 && r[0] != r[n-1] && a.edges.touches(r[n-1], r[0]) {
				return relMixed
			}
		}
	}
	// With no boundary contact, each ring of a lies wholly inside or outside
	// g: one inside g (a hole of the area, or an area within g) makes it mixed.
	for _, ar := range a.rings {
		if ar.bound.Intersects(gb) && gb.Contains(ar.first) {
			for _, p := range polys {
				if planar.PolygonContains(p, ar.first) {
					return relMixed
				}
			}
		}
	}
	if out == 0 {
		return relInside
	}
	return relOutside
}

// edgeIndex holds an area's edges bucketed into horizontal bands, for
// point-in-polygon and edge-contact queries that look at a few edges only.
type edgeIndex struct {
	minY, maxY, invH float64
	start            []int32 // edges of band b: ids[start[b]:start[b+1]]
	ids              []int32
	segs             []segment
}

type segment struct{ x1, y1, x2, y2 float64 }

func newEdgeIndex(mp orb.MultiPolygon) edgeIndex {
	var segs []segment
	for _, p := range mp {
		for _, r := range p {
			for i := 0; i < len(r); i++ {
				j := i + 1
				if j == len(r) {
					if r[0] == r[len(r)-1] {
						break
					}
					j = 0
				}
				if r[i] == r[j] {
					continue
				}
				segs = append(segs, segment{r[i][0], r[i][1], r[j][0], r[j][1]})
			}
		}
	}
	b := mp.Bound()
	nb := min(max(len(segs)/2, 1), 1<<16)
	ix := edgeIndex{minY: b.Min[1], maxY: b.Max[1], segs: segs}
	if h := b.Max[1] - b.Min[1]; h > 0 {
		ix.invH = float64(nb) / h
	}
	counts := make([]int32, nb+1)
	for _, s := range segs {
		lo, hi := ix.bands(math.Min(s.y1, s.y2)-contactEps, math.Max(s.y1, s.y2)+contactEps, nb)
		for k := lo; k <= hi; k++ {
			counts[k+1]++
		}
	}
	for k := 1; k <= nb; k++ {
		counts[k] += counts[k-1]
	}
	ix.start = counts
	ix.ids = make([]int32, counts[nb])
	fill := make([]int32, nb)
	copy(fill, counts[:nb])
	for id, s := range segs {
		lo, hi := ix.bands(math.Min(s.y1, s.y2)-contactEps, math.Max(s.y1, s.y2)+contactEps, nb)
		for k := lo; k <= hi; k++ {
			ix.ids[fill[k]] = int32(id)
			fill[k]++
		}
	}
	return ix
}

func (ix *edgeIndex) nbands() int { return len(ix.start) - 1 }

// bands is the range of bands that y values lo…hi fall in.
func (ix *edgeIndex) bands(lo, hi float64, nb int) (int, int) {
	band := func(y float64) int {
		k := int(math.Floor((y - ix.minY) * ix.invH))
		return min(max(k, 0), nb-1)
	}
	return band(lo), band(hi)
}

// locate returns 1 when p lies inside the area (even-odd over all rings),
// -1 outside, 0 on or within contactEps of an edge.
func (ix *edgeIndex) locate(p orb.Point) int {
	px, py := p[0], p[1]
	if py < ix.minY-contactEps || py > ix.maxY+contactEps {
		return -1
	}
	nb := ix.nbands()
	k, _ := ix.bands(py, py, nb)
	inside := false
	for _, id := range ix.ids[ix.start[k]:ix.start[k+1]] {
		s := &ix.segs[id]
		if px >= math.Min(s.x1, s.x2)-contactEps && px <= math.Max(s.x1, s.x2)+contactEps &&
			py >= math.Min(s.y1, s.y2)-contactEps && py <= math.Max(s.y1, s.y2)+contactEps &&
			distToSegment(px, py, s) <= contactEps {
			return 0
		}
		if (s.y1 > py) != (s.y2 > py) {
			x := s.x1 + (py-s.y1)*(s.x2-s.x1)/(s.y2-s.y1)
			if px < x {
				inside = !inside
			}
		}
	}
	if inside {
		return 1
	}
	return -1
}

// touches reports whether segment p–q crosses, touches or comes within
// contactEps of any edge.
func (ix *edgeIndex) touches(p, q orb.Point) bool {
	lo, hi := math.Min(p[1], q[1]), math.Max(p[1], q[1])
	if hi < ix.minY-contactEps || lo > ix.maxY+contactEps {
		return false
	}
	minX, maxX := math.Min(p[0], q[0]), math.Max(p[0], q[0])
	nb := ix.nbands()
	b0, b1 := ix.bands(lo, hi, nb)
	g := segment{p[0], p[1], q[0], q[1]}
	for k := b0; k <= b1; k++ {
		for _, id := range ix.ids[ix.start[k]:ix.start[k+1]] {
			s := &ix.segs[id]
			if math.Max(s.x1, s.x2) < minX-contactEps || math.Min(s.x1, s.x2) > maxX+contactEps ||
				math.Max(s.y1, s.y2) < lo-contactEps || math.Min(s.y1, s.y2) > hi+contactEps {
				continue
			}
			if segmentsMeet(&g, s) {
				return true
			}
		}
	}
	return false
}

// segmentsMeet reports whether a and b cross properly or an endpoint of one
// lies within contactEps of the other.
func segmentsMeet(a, b *segment) bool {
	if distToSegment(a.x1, a.y1, b) <= contactEps || distToSegment(a.x2, a.y2, b) <= contactEps ||
		distToSegment(b.x1, b.y1, a) <= contactEps || distToSegment(b.x2, b.y2, a) <= contactEps {
		return true
	}
	d1 := (b.x2-b.x1)*(a.y1-b.y1) - (b.y2-b.y1)*(a.x1-b.x1)
	d2 := (b.x2-b.x1)*(a.y2-b.y1) - (b.y2-b.y1)*(a.x2-b.x1)
	d3 := (a.x2-a.x1)*(b.y1-a.y1) - (a.y2-a.y1)*(b.x1-a.x1)
	d4 := (a.x2-a.x1)*(b.y2-a.y1) - (a.y2-a.y1)*(b.x2-a.x1)
	return ((d1 > 0) != (d2 > 0)) && ((d3 > 0) != (d4 > 0))
}

// distToSegment is the distance from (px, py) to segment s.
func distToSegment(px, py float64, s *segment) float64 {
	dx, dy := s.x2-s.x1, s.y2-s.y1
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = ((px-s.x1)*dx + (py-s.y1)*dy) / l2
		t = math.Max(0, math.Min(1, t))
	}
	ex, ey := s.x1+t*dx-px, s.y1+t*dy-py
	return math.Sqrt(ex*ex + ey*ey)
}

func boxOf(b orb.Bound) rtree.Box {
	return rtree.Box{MinX: b.Min[0], MinY: b.Min[1], MaxX: b.Max[0], MaxY: b.Max[1]}
}

func pointCount(polys ...orb.Polygon) int {
	n := 0
	for _, p := range polys {
		for _, r := range p {
			n += len(r)
		}
	}
	return n
}
