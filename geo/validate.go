package geo

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/peterstace/simplefeatures/geom"
)

// Problem codes of Validate. They are stable: other packages and clients
// match on them.
const (
	// CodeUnsupportedType: not a Polygon or MultiPolygon.
	CodeUnsupportedType = "unsupported_type"
	// CodeEmpty: no coordinates at all, or a polygon without rings.
	CodeEmpty = "empty"
	// CodeNotFinite: a coordinate is NaN or infinite.
	CodeNotFinite = "not_finite"
	// CodeRingTooShort: a ring has fewer than 3 distinct points.
	CodeRingTooShort = "ring_too_short"
	// CodeRingNotClosed: a ring's last position differs from its first.
	CodeRingNotClosed = "ring_not_closed"
	// CodeProjectedCoordinates: the coordinates are metres (Gauss-Krüger,
	// Web Mercator…), not longitude/latitude degrees.
	CodeProjectedCoordinates = "projected_coordinates"
	// CodeOutsideChina: a point lies outside lon 73–136°, lat 3–54°.
	CodeOutsideChina = "outside_china"
	// CodeSelfIntersection: a ring crosses or touches itself, two holes
	// cross, holes cut the polygon apart, or parts of a MultiPolygon overlap.
	CodeSelfIntersection = "self_intersection"
	// CodeHoleOutsideShell: a hole lies outside its shell, crosses it, or
	// lies inside another hole.
	CodeHoleOutsideShell = "hole_outside_shell"
	// CodeZeroArea: a polygon's area is below MinAreaM2.
	CodeZeroArea = "zero_area"
)

// The extent of China that Validate accepts, in degrees.
const (
	ChinaMinLon = 73.0
	ChinaMaxLon = 136.0
	ChinaMinLat = 3.0
	ChinaMaxLat = 54.0
)

// Validate checks a lon/lat Polygon or MultiPolygon and returns what is wrong
// with it, nothing when it is a valid (OGC simple features) polygon inside
// China with an area of at least MinAreaM2. Rings must be closed (RFC 7946);
// repeated consecutive points are accepted (Normalize removes them).
//
// Checks run in order and stop at the first stage that fails: type and
// emptiness, finite numbers, projected coordinates, rings (too short, not
// closed), then topology (self_intersection, hole_outside_shell) and
// zero_area. outside_china is reported alongside the later stages.
func Validate(g orb.Geometry) []Problem {
	if g == nil {
		return []Problem{{CodeEmpty, "缺少图形：请提供面（Polygon）或多面（MultiPolygon）"}}
	}
	polys, ok := Polygons(g)
	if !ok {
		return []Problem{{CodeUnsupportedType, fmt.Sprintf(
			"不支持的图形类型 %s：地块和园区边界须为面（Polygon）或多面（MultiPolygon）", g.GeoJSONType())}}
	}
	_, multi := g.(orb.MultiPolygon)

	// Emptiness.
	var probs []Problem
	points := 0
	for pi, p := range polys {
		if len(p) == 0 && multi {
			probs = append(probs, Problem{CodeEmpty, fmt.Sprintf("第%d个面没有任何环：请删除这个空的面", pi+1)})
		}
		for _, r := range p {
			points += len(r)
		}
	}
	if points == 0 {
		return []Problem{{CodeEmpty, "图形为空：没有任何坐标点"}}
	}
	if len(probs) > 0 {
		return probs
	}

	// Finite numbers.
	if l, pt, ok := findPoint(polys, func(p orb.Point) bool {
		return math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0)
	}); ok {
		return []Problem{{CodeNotFinite, fmt.Sprintf("%s的坐标不是有效数字（%v, %v）：请检查数据中的空值或错误数值", l.pointLabel(multi), pt[0], pt[1])}}
	}

	// Projected coordinates: any value beyond ±180 cannot be degrees.
	if l, pt, ok := findPoint(polys, func(p orb.Point) bool {
		return math.Abs(p[0]) > 180 || math.Abs(p[1]) > 180
	}); ok {
		return []Problem{{CodeProjectedCoordinates, projectedReason(l.pointLabel(multi), pt[0], pt[1])}}
	}

	// Outside China (or latitude beyond ±90, which is the same mistake).
	if l, pt, ok := findPoint(polys, func(p orb.Point) bool {
		return p[0] < ChinaMinLon || p[0] > ChinaMaxLon || p[1] < ChinaMinLat || p[1] > ChinaMaxLat
	}); ok {
		probs = append(probs, Problem{CodeOutsideChina, outsideChinaReason(l.pointLabel(multi), pt[0], pt[1])})
	}

	// Rings.
	ringOK := true
	for pi, p := range polys {
		for ri, r := range p {
			l := location{poly: pi, ring: ri}
			d := distinctPoints(r)
			switch {
			case len(r) == 0:
				probs = append(probs, Problem{CodeRingTooShort, fmt.Sprintf("%s没有坐标点：请删除这个环或补全坐标", l.ringLabel(multi))})
				ringOK = false
			case d < 3:
				probs = append(probs, Problem{CodeRingTooShort, fmt.Sprintf(
					"%s只有 %d 个不同的点：一个环至少需要 3 个不同的点（首尾闭合后至少 4 个坐标）", l.ringLabel(multi), d)})
				ringOK = false
			case r[0] != r[len(r)-1]:
				probs = append(probs, Problem{CodeRingNotClosed, fmt.Sprintf(
					"%s未闭合：最后一个点（%s）与第一个点（%s）不同；GeoJSON 要求环首尾相同，请在末尾重复第一个点",
					l.ringLabel(multi), lonLat(r[len(r)-1]), lonLat(r[0]))})
				ringOK = false
			}
		}
	}
	if !ringOK {
		return probs
	}

	// Topology, with simplefeatures as the judge.
	if err := toSimple(g, nil).Validate(); err != nil {
		return append(probs, topologyProblems(polys, multi, err)...)
	}

	// Area.
	z := CentroidZone(g)
	for pi, p := range polys {
		if a := polygonAreaM2(p, z); a < MinAreaM2 {
			what := "图形"
			if multi {
				what = fmt.Sprintf("第%d个面", pi+1)
			}
			probs = append(probs, Problem{CodeZeroArea, fmt.Sprintf(
				"%s的面积只有 %.4f 平方米，几乎为零：请检查坐标是否重复、是否都在一条直线上，或单位是否有误", what, a)})
		}
	}
	return probs
}

// location names a polygon, ring and point, 0-based.
type location struct{ poly, ring, point int }

func (l location) ringLabel(multi bool) string {
	kind := "外环"
	if l.ring > 0 {
		kind = "内环"
	}
	if multi {
		return fmt.Sprintf("第%d个面的第%d个环（%s）", l.poly+1, l.ring+1, kind)
	}
	return fmt.Sprintf("第%d个环（%s）", l.ring+1, kind)
}

func (l location) pointLabel(multi bool) string {
	return fmt.Sprintf("%s的第%d个点", l.ringLabel(multi), l.point+1)
}

// findPoint returns the first point for which bad is true.
func findPoint(polys []orb.Polygon, bad func(orb.Point) bool) (location, orb.Point, bool) {
	for pi, p := range polys {
		for ri, r := range p {
			for i, pt := range r {
				if bad(pt) {
					return location{pi, ri, i}, pt, true
				}
			}
		}
	}
	return location{}, orb.Point{}, false
}

// distinctPoints counts r's points without consecutive repeats and without
// the closing point.
func distinctPoints(r orb.Ring) int {
	if len(r) == 0 {
		return 0
	}
	d := 1
	for i := 1; i < len(r); i++ {
		if r[i] != r[i-1] {
			d++
		}
	}
	if d > 1 && r[0] == r[len(r)-1] {
		d--
	}
	return d
}

// fmtNum formats v with at most decimals decimals, trailing zeros trimmed.
func fmtNum(v float64, decimals int) string {
	return string(appendNumber(nil, v, decimals))
}

func lonLat(p orb.Point) string {
	return "经度 " + fmtNum(p[0], 8) + "，纬度 " + fmtNum(p[1], 8)
}

// projectedReason explains coordinates in metres given where lon/lat was
// expected, naming the CRS they most likely are in.
func projectedReason(where string, x, y float64) string {
	xy := fmt.Sprintf("（%s, %s）", fmtNum(x, 3), fmtNum(y, 3))
	const want = "这里需要 CGCS2000 经纬度（EPSG:4490，经度在前、纬度在后）"
	isNorthing := func(v float64) bool { return v >= 200000 && v < 10000000 }
	isEasting := func(v float64) bool { return v >= 100000 && v <= 900000 }
	prefixed := func(z Zone) string {
		pc, _ := z.EPSG(true)
		uc, _ := z.EPSG(false)
		return fmt.Sprintf("CGCS2000 3° 带第 %d 带，中央经线 %g°E，EPSG:%d（去掉带号后为 EPSG:%d）", z, z.CentralMeridian(), pc, uc)
	}
	if z, _, ok := SplitPrefixedEasting(x); ok && isNorthing(y) {
		return fmt.Sprintf("%s%s看起来是带带号的高斯-克吕格投影坐标（米）：东坐标前两位 %d 是带号，即 %s。%s；请按 EPSG 代码转换后再提交，或导入时选择该坐标系",
			where, xy, z, prefixed(z), want)
	}
	if z, _, ok := SplitPrefixedEasting(y); ok && isNorthing(x) {
		return fmt.Sprintf("%s%s看起来是北坐标在前、东坐标在后的高斯-克吕格投影坐标（米），即报部/勘测定界 TXT 的 X=北、Y=东 顺序：东坐标前两位 %d 是带号，即 %s。%s；请交换 X、Y 并转换为经纬度",
			where, xy, z, prefixed(z), want)
	}
	const unprefixed = "无带号的高斯-克吕格坐标（如 EPSG:4547，38 带；株洲、长沙多为 38 带，112.5°E 以西为 37 带 EPSG:4546）"
	if isEasting(x) && y >= 1000000 && y < 10000000 {
		return fmt.Sprintf("%s%s看起来是%s：东坐标不含带号，无法判断投影带。%s；请确认带号后转换为经纬度", where, xy, unprefixed, want)
	}
	if isEasting(y) && x >= 1000000 && x < 10000000 {
		return fmt.Sprintf("%s%s看起来是北坐标在前（X=北、Y=东，报部 TXT 的顺序）的%s：东坐标不含带号，无法判断投影带。%s；请交换 X、Y，确认带号后转换为经纬度", where, xy, unprefixed, want)
	}
	if x >= 8000000 && x <= 15500000 && y >= 300000 && y <= 7300000 {
		return fmt.Sprintf("%s%s看起来是 Web 墨卡托坐标（EPSG:3857，米），常见于网络地图导出的数据。%s；请转换后再提交", where, xy, want)
	}
	return fmt.Sprintf("%s%s超出经纬度的取值范围，看起来是以米为单位的投影坐标。%s；请确认数据的坐标系并转换后再提交", where, xy, want)
}

func outsideChinaReason(where string, lon, lat float64) string {
	ll := fmt.Sprintf("（%s, %s）", fmtNum(lon, 8), fmtNum(lat, 8))
	in := func(lon, lat float64) bool {
		return lon >= ChinaMinLon && lon <= ChinaMaxLon && lat >= ChinaMinLat && lat <= ChinaMaxLat
	}
	if in(lat, lon) {
		return fmt.Sprintf("%s%s不在中国范围内，看起来经度和纬度的顺序颠倒了：GeoJSON 要求经度在前、纬度在后，请交换两列后再提交", where, ll)
	}
	return fmt.Sprintf("%s%s不在中国范围内（经度 73°–136°E，纬度 3°–54°N）：请检查坐标是否为 CGCS2000 经纬度（EPSG:4490）、有无录入错误", where, ll)
}

// toSimple converts a lon/lat Polygon or MultiPolygon to a simplefeatures
// geometry, mapping every point with tr (nil: unchanged) and leaving out
// consecutive repeated points. The result is not validated.
func toSimple(g orb.Geometry, tr func(orb.Point) (float64, float64)) geom.Geometry {
	conv := func(p orb.Polygon) geom.Polygon {
		rings := make([]geom.LineString, len(p))
		for i, r := range p {
			xy := make([]float64, 0, 2*len(r))
			for j, pt := range r {
				if j > 0 && pt == r[j-1] {
					continue
				}
				x, y := pt[0], pt[1]
				if tr != nil {
					x, y = tr(pt)
				}
				xy = append(xy, x, y)
			}
			rings[i] = geom.NewLineString(geom.NewSequence(xy, geom.DimXY))
		}
		return geom.NewPolygon(rings)
	}
	switch g := g.(type) {
	case orb.Polygon:
		return conv(g).AsGeometry()
	case orb.MultiPolygon:
		ps := make([]geom.Polygon, len(g))
		for i, p := range g {
			ps[i] = conv(p)
		}
		return geom.NewMultiPolygon(ps).AsGeometry()
	}
	return geom.Geometry{}
}

// intAfter reads the integer following prefix in msg (-1 if none).
func intAfter(msg, prefix string) int {
	i := strings.Index(msg, prefix)
	if i < 0 {
		return -1
	}
	rest := msg[i+len(prefix):]
	j := 0
	for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
		j++
	}
	n, err := strconv.Atoi(rest[:j])
	if err != nil {
		return -1
	}
	return n
}

// locationIn reads the "(at or near {x y})" of a simplefeatures validation
// error.
func locationIn(msg string) (orb.Point, bool) {
	const prefix = "at or near {"
	i := strings.Index(msg, prefix)
	if i < 0 {
		return orb.Point{}, false
	}
	rest := msg[i+len(prefix):]
	j := strings.IndexByte(rest, '}')
	if j < 0 {
		return orb.Point{}, false
	}
	f := strings.Fields(rest[:j])
	if len(f) != 2 {
		return orb.Point{}, false
	}
	x, err1 := strconv.ParseFloat(f[0], 64)
	y, err2 := strconv.ParseFloat(f[1], 64)
	return orb.Point{x, y}, err1 == nil && err2 == nil
}

// topologyProblems turns a simplefeatures validation error into problems a
// person can act on, locating the fault with its own searches.
func topologyProblems(polys []orb.Polygon, multi bool, err error) []Problem {
	msg := err.Error()
	pi := intAfter(msg, "polygon at index ")
	if !multi {
		pi = 0
	}
	ri := intAfter(msg, "ring at index ")
	at, hasAt := locationIn(msg)
	near := ""
	if hasAt {
		near = "（在" + lonLat(at) + "附近）"
	}
	validPoly := pi >= 0 && pi < len(polys)
	polyLabel := func(i int) string {
		if multi {
			return fmt.Sprintf("第%d个面", i+1)
		}
		return "面"
	}

	switch {
	case strings.Contains(msg, "ring not simple") && validPoly && ri >= 0 && ri < len(polys[pi]):
		r := polys[pi][ri]
		l := location{poly: pi, ring: ri}
		if degenerateRing(r) {
			return []Problem{{CodeZeroArea, fmt.Sprintf(
				"%s的所有点几乎在一条直线上，面积为零：请检查坐标是否重复或录入有误", l.ringLabel(multi))}}
		}
		if i, j, p, ok := ringSelfIntersection(r); ok {
			return []Problem{{CodeSelfIntersection, fmt.Sprintf(
				"%s自相交：第%d条边（第%d到第%d个点）与第%d条边（第%d到第%d个点）在%s附近相交或重叠。请检查点的顺序（常见于“8”字形或点序错乱），必要时拆成两个地块",
				l.ringLabel(multi), i+1, i+1, i+2, j+1, j+1, j+2, lonLat(p))}}
		}
		return []Problem{{CodeSelfIntersection, fmt.Sprintf(
			"%s自相交或自身接触：请检查点的顺序（常见于“8”字形或点序错乱），必要时拆成两个地块", l.ringLabel(multi))}}

	case strings.Contains(msg, "interior ring outside of exterior ring") && validPoly:
		p := polys[pi]
		for hi := 1; hi < len(p); hi++ {
			if ringOutside(p[hi], p[0]) {
				l := location{poly: pi, ring: hi}
				return []Problem{{CodeHoleOutsideShell, fmt.Sprintf(
					"%s是一个洞，却位于外环之外：洞必须完全在外环之内。若它是另一块地，请作为多面（MultiPolygon）的另一个面提交",
					l.ringLabel(multi))}}
			}
		}
		return []Problem{{CodeHoleOutsideShell, fmt.Sprintf(
			"%s的内环（洞）位于外环之外%s：洞必须完全在外环之内", polyLabel(pi), near)}}

	case strings.Contains(msg, "nested rings") && validPoly:
		p := polys[pi]
		for a := 1; a < len(p); a++ {
			for b := 1; b < len(p); b++ {
				if a != b && ringsMeet(p[a], p[b]) {
					la, lb := location{poly: pi, ring: min(a, b)}, location{poly: pi, ring: max(a, b)}
					return []Problem{{CodeSelfIntersection, fmt.Sprintf(
						"%s与%s相交或部分重叠：两个洞最多相接于一点；请把它们合并为一个洞",
						la.ringLabel(multi), lb.ringLabel(multi))}}
				}
			}
		}
		for a := 1; a < len(p); a++ {
			for b := 1; b < len(p); b++ {
				if a != b && ringInside(p[a], p[b]) {
					la, lb := location{poly: pi, ring: a}, location{poly: pi, ring: b}
					return []Problem{{CodeHoleOutsideShell, fmt.Sprintf(
						"%s位于%s之内：洞里不能再有洞，它已不在面内。请删除它，或把它作为多面（MultiPolygon）的另一个面提交",
						la.ringLabel(multi), lb.ringLabel(multi))}}
				}
			}
		}
		return []Problem{{CodeHoleOutsideShell, fmt.Sprintf("%s的一个洞位于另一个洞之内%s：洞里不能再有洞", polyLabel(pi), near)}}

	case strings.Contains(msg, "rings intersect at multiple points") && validPoly:
		rings := ringsNear(polys[pi], at, hasAt)
		if len(rings) >= 2 {
			la, lb := location{poly: pi, ring: rings[0]}, location{poly: pi, ring: rings[1]}
			if rings[0] == 0 {
				return []Problem{{CodeHoleOutsideShell, fmt.Sprintf(
					"%s与外环相交或共用一段边界%s：洞必须完全在外环之内，最多与外环相接于一点", lb.ringLabel(multi), near)}}
			}
			return []Problem{{CodeSelfIntersection, fmt.Sprintf(
				"%s与%s相交或共用一段边界%s：两个洞最多相接于一点；请把它们合并为一个洞", la.ringLabel(multi), lb.ringLabel(multi), near)}}
		}
		return []Problem{{CodeSelfIntersection, fmt.Sprintf(
			"%s的环之间相交或共用一段边界%s：洞必须在外环之内，环与环最多相接于一点", polyLabel(pi), near)}}

	case strings.Contains(msg, "disconnected interior") && validPoly:
		what := "洞把面"
		if multi {
			what = fmt.Sprintf("第%d个面的洞把该面", pi+1)
		}
		return []Problem{{CodeSelfIntersection, fmt.Sprintf(
			"%s分割成互不相连的几部分%s：请把它拆成多个面（MultiPolygon），或修改洞的边界", what, near)}}

	case strings.Contains(msg, "multipolygon child polygons touch at multiple points"):
		parts := polygonsNear(polys, at, hasAt)
		if len(parts) >= 2 {
			return []Problem{{CodeSelfIntersection, fmt.Sprintf(
				"第%d个面与第%d个面重叠或共用一段边界%s：多面的各部分不能重叠，最多相接于一点；请把它们合并为一个面或修正边界",
				parts[0]+1, parts[1]+1, near)}}
		}
		return []Problem{{CodeSelfIntersection, fmt.Sprintf(
			"多面的各部分重叠或共用一段边界%s：各部分不能重叠，最多相接于一点；请把它们合并为一个面或修正边界", near)}}
	}
	return []Problem{{CodeSelfIntersection, fmt.Sprintf("图形无效（%s）%s：请检查环是否自相交、洞是否在外环之内", msg, near)}}
}

// dedupRing returns r without consecutive repeats, closed.
func dedupRing(r orb.Ring) orb.Ring {
	out := make(orb.Ring, 0, len(r)+1)
	for i, p := range r {
		if i > 0 && p == r[i-1] {
			continue
		}
		out = append(out, p)
	}
	if len(out) > 0 && out[0] != out[len(out)-1] {
		out = append(out, out[0])
	}
	return out
}

// degenerateRing reports whether all of r's points lie on a strip so thin
// that the ring cannot enclose MinAreaM2.
func degenerateRing(r orb.Ring) bool {
	if len(r) == 0 {
		return true
	}
	z := ZoneForLon(r[0][0])
	pts := make([][2]float64, len(r))
	for i, p := range r {
		x, y := z.Forward(p[0], p[1])
		pts[i] = [2]float64{x, y}
	}
	far, fd := 0, 0.0
	for i, p := range pts {
		if d := math.Hypot(p[0]-pts[0][0], p[1]-pts[0][1]); d > fd {
			far, fd = i, d
		}
	}
	if fd == 0 {
		return true
	}
	ux, uy := (pts[far][0]-pts[0][0])/fd, (pts[far][1]-pts[0][1])/fd
	var maxD float64
	for _, p := range pts {
		d := math.Abs((p[0]-pts[0][0])*uy - (p[1]-pts[0][1])*ux)
		maxD = math.Max(maxD, d)
	}
	return fd*maxD < MinAreaM2
}

// ringSelfIntersection finds two edges of r (edge i runs from point i to
// point i+1 of r with repeats removed) that cross or touch other than at the
// vertex adjacent edges share.
func ringSelfIntersection(r orb.Ring) (i, j int, at orb.Point, ok bool) {
	// Map edges of the deduplicated ring back to r's numbering.
	idx := make([]int, 0, len(r))
	for k := range r {
		if k > 0 && r[k] == r[k-1] {
			continue
		}
		idx = append(idx, k)
	}
	d := dedupRing(r)
	m := len(d) - 1 // edges
	if m < 3 {
		return 0, 0, orb.Point{}, false
	}
	order := make([]int, m)
	for k := range order {
		order[k] = k
	}
	minX := func(k int) float64 { return math.Min(d[k][0], d[k+1][0]) }
	maxX := func(k int) float64 { return math.Max(d[k][0], d[k+1][0]) }
	sort.Slice(order, func(a, b int) bool { return minX(order[a]) < minX(order[b]) })
	orig := func(k int) int {
		if k < len(idx) {
			return idx[k]
		}
		return k
	}
	for a := 0; a < m; a++ {
		ea := order[a]
		for b := a + 1; b < m && minX(order[b]) <= maxX(ea); b++ {
			eb := order[b]
			lo, hi := min(ea, eb), max(ea, eb)
			adjacent := hi == lo+1 || (lo == 0 && hi == m-1)
			p, hit := segmentContact(d[lo], d[lo+1], d[hi], d[hi+1], adjacent)
			if hit {
				return orig(lo), orig(hi), p, true
			}
		}
	}
	return 0, 0, orb.Point{}, false
}

func cross(o, a, b orb.Point) float64 {
	return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0])
}

// onSegment reports whether p, collinear with a–b, lies within its box.
func onSegment(a, b, p orb.Point) bool {
	return p[0] >= math.Min(a[0], b[0]) && p[0] <= math.Max(a[0], b[0]) &&
		p[1] >= math.Min(a[1], b[1]) && p[1] <= math.Max(a[1], b[1])
}

// segmentContact reports whether segments a–b and c–d meet, and where. For
// adjacent segments (sharing a vertex) only an overlap beyond the shared
// vertex counts.
func segmentContact(a, b, c, d orb.Point, adjacent bool) (orb.Point, bool) {
	d1, d2 := cross(c, d, a), cross(c, d, b)
	d3, d4 := cross(a, b, c), cross(a, b, d)
	if adjacent {
		// Shared vertex: the fold-back case, collinear and overlapping.
		if d1 == 0 && d2 == 0 {
			for _, p := range []orb.Point{a, b} {
				if p != c && p != d && onSegment(c, d, p) {
					return p, true
				}
			}
			for _, p := range []orb.Point{c, d} {
				if p != a && p != b && onSegment(a, b, p) {
					return p, true
				}
			}
		}
		return orb.Point{}, false
	}
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		t := d1 / (d1 - d2)
		return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}, true
	}
	switch {
	case d1 == 0 && onSegment(c, d, a):
		return a, true
	case d2 == 0 && onSegment(c, d, b):
		return b, true
	case d3 == 0 && onSegment(a, b, c):
		return c, true
	case d4 == 0 && onSegment(a, b, d):
		return d, true
	}
	return orb.Point{}, false
}

// ringOutside reports whether some point of hole lies strictly outside shell.
func ringOutside(hole, shell orb.Ring) bool {
	for _, p := range hole {
		if !planar.RingContains(shell, p) && !pointOnRing(shell, p) {
			return true
		}
	}
	return false
}

// ringInside reports whether inner lies inside outer (some point of inner is
// strictly inside outer).
func ringInside(inner, outer orb.Ring) bool {
	for _, p := range inner {
		if pointOnRing(outer, p) {
			continue
		}
		return planar.RingContains(outer, p)
	}
	return false
}

func pointOnRing(r orb.Ring, p orb.Point) bool {
	for i := 0; i+1 < len(r); i++ {
		if planar.DistanceFromSegment(r[i], r[i+1], p) < 1e-12 {
			return true
		}
	}
	return false
}

// ringsMeet reports whether the boundaries of a and b have a point in
// common.
func ringsMeet(a, b orb.Ring) bool {
	for i := 0; i+1 < len(a); i++ {
		for j := 0; j+1 < len(b); j++ {
			if _, ok := segmentContact(a[i], a[i+1], b[j], b[j+1], false); ok {
				return true
			}
		}
	}
	return false
}

// ringsNear lists the rings of p passing within 1e-9° of at.
func ringsNear(p orb.Polygon, at orb.Point, hasAt bool) []int {
	if !hasAt {
		return nil
	}
	var out []int
	for ri, r := range p {
		for i := 0; i+1 < len(r); i++ {
			if planar.DistanceFromSegment(r[i], r[i+1], at) < 1e-9 {
				out = append(out, ri)
				break
			}
		}
	}
	return out
}

// polygonsNear lists the polygons whose boundary passes within 1e-9° of at,
// or that hold at inside.
func polygonsNear(polys []orb.Polygon, at orb.Point, hasAt bool) []int {
	if !hasAt {
		return nil
	}
	var out []int
	for pi, p := range polys {
		if len(ringsNear(p, at, true)) > 0 || planar.PolygonContains(p, at) {
			out = append(out, pi)
		}
	}
	return out
}
