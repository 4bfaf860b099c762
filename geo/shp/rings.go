package shp

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"

	"panhuo/geo"
)

// maxRings bounds the rings of one feature: assembling rings by containment
// compares every pair, and a parcel has a handful.
const maxRings = 5000

// assemble turns the rings of a shapefile polygon record into a Polygon (one
// shell) or MultiPolygon, in the record's own coordinates. The ring
// orientation of the file is not trusted: a ring inside another ring is its
// hole, a ring inside a hole is a new shell (an island), and so on. Shells
// come out counter-clockwise and holes clockwise (the orb/GeoJSON
// convention), closed. Rings without area are dropped with a warning.
// The rings are the caller's no more: they may be reversed in place.
func assemble(rings []orb.Ring) (g orb.Geometry, warnings []string, problem string) {
	if len(rings) == 1 {
		// A parcel of one ring, the usual case: nothing to sort out.
		r := rings[0]
		if len(r) > 0 && r[0] != r[len(r)-1] {
			r = append(r, r[0])
		}
		a := geo.RingSignedArea(r)
		if len(r) < 4 || a == 0 {
			return nil, []string{"第 1 个环没有面积（点数不足或共线），已忽略"}, "面没有有效的环"
		}
		if a < 0 {
			slices.Reverse(r)
		}
		return orb.Polygon{r}, nil, ""
	}
	if len(rings) > maxRings {
		return nil, nil, fmt.Sprintf("面有 %d 个环，超过上限 %d 个", len(rings), maxRings)
	}
	type ringInfo struct {
		index  int // in the file, 0-based
		ring   orb.Ring
		area   float64 // absolute
		bound  orb.Bound
		parent int // index into infos of the smallest ring containing it, -1 if none
		depth  int
	}
	var infos []ringInfo
	for i, r := range rings {
		if len(r) > 0 && r[0] != r[len(r)-1] {
			r = append(r, r[0])
		}
		a := geo.RingSignedArea(r)
		if len(r) < 4 || a == 0 {
			warnings = append(warnings, fmt.Sprintf("第 %d 个环没有面积（点数不足或共线），已忽略", i+1))
			continue
		}
		infos = append(infos, ringInfo{index: i, ring: r, area: math.Abs(a), bound: r.Bound(), parent: -1})
	}
	if len(infos) == 0 {
		return nil, warnings, "面没有有效的环"
	}
	// Larger rings first: a ring's container is larger than it.
	slices.SortStableFunc(infos, func(a, b ringInfo) int { return cmp.Compare(b.area, a.area) })
	for i := range infos {
		for j := i - 1; j >= 0; j-- { // smallest container first
			if infos[j].area > infos[i].area && containsRing(infos[j].bound, infos[j].ring, infos[i].bound, infos[i].ring) {
				infos[i].parent = j
				infos[i].depth = infos[j].depth + 1
				break
			}
		}
	}
	// Shells in file order, each followed by its holes in file order.
	order := make([]int, len(infos))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(infos[a].index, infos[b].index) })
	var mp orb.MultiPolygon
	shellOf := make([]int, len(infos)) // infos index of a shell → index in mp
	for _, i := range order {
		if infos[i].depth%2 == 0 {
			shellOf[i] = len(mp)
			mp = append(mp, orb.Polygon{geo.OrientRing(infos[i].ring, true)})
		}
	}
	for _, i := range order {
		if infos[i].depth%2 == 1 {
			k := shellOf[infos[i].parent]
			mp[k] = append(mp[k], geo.OrientRing(infos[i].ring, false))
		}
	}
	if len(mp) == 1 {
		return mp[0], warnings, ""
	}
	return mp, warnings, ""
}

// containsRing reports whether inner (bound ib) lies inside outer (bound
// ob), judged by the first vertex of inner that is not on outer's boundary.
// A ring all of whose vertices lie on outer is not inside it.
func containsRing(ob orb.Bound, outer orb.Ring, ib orb.Bound, inner orb.Ring) bool {
	if !ob.Contains(ib.Min) || !ob.Contains(ib.Max) {
		return false
	}
	for _, p := range inner {
		switch pointInRing(outer, p) {
		case 1:
			return true
		case -1:
			return false
		}
	}
	return false
}

// pointInRing returns 1 when p is inside the closed ring r, -1 outside and 0
// on its boundary (even-odd rule).
func pointInRing(r orb.Ring, p orb.Point) int {
	inside := false
	for i := 1; i < len(r); i++ {
		a, b := r[i-1], r[i]
		// On the segment?
		cross := (b[0]-a[0])*(p[1]-a[1]) - (b[1]-a[1])*(p[0]-a[0])
		if cross == 0 && p[0] >= math.Min(a[0], b[0]) && p[0] <= math.Max(a[0], b[0]) &&
			p[1] >= math.Min(a[1], b[1]) && p[1] <= math.Max(a[1], b[1]) {
			return 0
		}
		if (a[1] > p[1]) != (b[1] > p[1]) {
			x := a[0] + (p[1]-a[1])*(b[0]-a[0])/(b[1]-a[1])
			if p[0] < x {
				inside = !inside
			}
		}
	}
	if inside {
		return 1
	}
	return -1
}
