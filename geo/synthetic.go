package geo

import (
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Synthetic data for benchmarks, load tests and demo databases. Everything is
// deterministic for a seed (math/rand/v2 PCG), in CGCS2000 lon/lat rounded to
// 8 decimals like stored data, and valid (Validate reports nothing).

// Parameters of the synthetic generators.
const (
	// SyntheticParkVertices is the number of vertices of a synthetic park.
	SyntheticParkVertices = 24
	// SyntheticParkMinKm2 and SyntheticParkMaxKm2 bound a synthetic park's
	// area (uniform), unless n is so large that parks must shrink to fit.
	SyntheticParkMinKm2 = 5.0
	SyntheticParkMaxKm2 = 40.0
	// SyntheticParcelMinMu and SyntheticParcelMaxMu bound a synthetic
	// parcel's area (log-uniform; slightly inside the bounds so that the area
	// in a neighbouring zone stays within them).
	SyntheticParcelMinMu = 5.0
	SyntheticParcelMaxMu = 300.0
	// SyntheticStraddleFraction is the share of synthetic parcels placed
	// across their park's boundary.
	SyntheticStraddleFraction = 0.03

	syntheticDecimals = 8
	// Straddling parcels have a radius of at most straddleMaxRadius metres;
	// parcels inside a park keep interiorMargin metres from its boundary, so
	// that no straddling parcel (of this park or of one sharing its
	// boundary) reaches them.
	straddleMaxRadius = 150.0
	interiorMargin    = straddleMaxRadius + 30
)

// SyntheticParks returns n parks as single-polygon MultiPolygons: irregular
// star-shaped polygons of SyntheticParkVertices vertices and 5–40 km² on the
// Gauss-Krüger plane, one per cell of a grid over central and southern China
// (lon 105–120°E, lat 22–32°N, zones 35–40), placed at random in their cells
// and never overlapping. The grid has room for 5–40 km² parks up to about
// n = 10 000; beyond that parks shrink to fit their cells.
func SyntheticParks(seed uint64, n int) []orb.MultiPolygon {
	if n <= 0 {
		return nil
	}
	const lon0, lon1, lat0, lat1 = 105.0, 120.0, 22.0, 32.0
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	// A grid with cells roughly square on the ground.
	wKm := (lon1 - lon0) * 111.32 * math.Cos((lat0+lat1)/2*degree)
	hKm := (lat1 - lat0) * 110.57
	cols := int(math.Ceil(math.Sqrt(float64(n) * wKm / hKm)))
	rows := (n + cols - 1) / cols
	cellW, cellH := (lon1-lon0)/float64(cols), (lat1-lat0)/float64(rows)
	cells := rng.Perm(cols * rows)[:n]

	parks := make([]orb.MultiPolygon, n)
	for i, c := range cells {
		clon := lon0 + (float64(c%cols)+0.5)*cellW
		clat := lat0 + (float64(c/cols)+0.5)*cellH
		halfW := cellW / 2 * 111320 * math.Cos(clat*degree)
		halfH := cellH / 2 * 110574
		half := math.Min(halfW, halfH)

		theta, f := starShape(rng, SyntheticParkVertices, 0.3, 0.75, 1.25)
		target := (SyntheticParkMinKm2 + (SyntheticParkMaxKm2-SyntheticParkMinKm2)*rng.Float64()) * 1e6
		r := math.Sqrt(target / starUnitArea(theta, f))
		r = math.Min(r, 0.8*half/1.25) // the park's extent is at most 1.25 r
		// Move the centre within the cell, keeping clear of its edges.
		if slack := halfW - 1.25*r - 1000; slack > 0 {
			clon += (2*rng.Float64() - 1) * slack / (111320 * math.Cos(clat*degree))
		}
		if slack := halfH - 1.25*r - 1000; slack > 0 {
			clat += (2*rng.Float64() - 1) * slack / 110574
		}
		z := ZoneForLon(clon)
		cx, cy := z.Forward(clon, clat)
		parks[i] = orb.MultiPolygon{{starRing(z, cx, cy, r, theta, f)}}
	}
	return parks
}

// SyntheticParcels returns n parcels in parks (as made by SyntheticParks, or
// any valid boundaries): irregular star-shaped polygons of 8–30 vertices and
// 5–300 亩 on the Gauss-Krüger plane (zone of the park's centroid), that do
// not overlap one another. About SyntheticStraddleFraction of them
// (round(0.03 n)) are centred on a park's boundary, so that they straddle
// it; the others lie inside a park, one per cell of a grid laid over it, at
// least 180 m from its boundary. Parcels are shared among parks in proportion
// to park area. Parcel sizes follow the cell size: parks must have room for
// their parcels (SyntheticParks' parks hold a few hundred each); when they do
// not, parcels shrink below 5 亩.
func SyntheticParcels(seed uint64, parks []orb.MultiPolygon, n int) []orb.Polygon {
	if n <= 0 || len(parks) == 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(seed, 0xda942042e4dd58b5))
	straddlers := int(math.Round(SyntheticStraddleFraction * float64(n)))
	interior := n - straddlers

	// Interior parcels in proportion to park area (largest remainder).
	weights := make([]float64, len(parks))
	var total float64
	for i, p := range parks {
		weights[i] = AreaM2(p, CentroidZone(p))
		total += weights[i]
	}
	counts := apportion(weights, total, interior)
	// Straddling parcels round-robin from a random park.
	scounts := make([]int, len(parks))
	first := rng.IntN(len(parks))
	for k := range straddlers {
		scounts[(first+k)%len(parks)]++
	}

	minM2, maxM2 := M2FromMu(SyntheticParcelMinMu*1.06), M2FromMu(SyntheticParcelMaxMu*0.985)
	out := make([]orb.Polygon, 0, n)
	for pi, park := range parks {
		if counts[pi] == 0 && scounts[pi] == 0 {
			continue
		}
		z := CentroidZone(park)
		c, _ := planar.CentroidArea(park)
		pl := projectToPlane(park, z, c)
		cx, cy := z.Forward(c[0], c[1])
		area := weights[pi]

		// Straddling parcels, spread along the boundary of the largest part.
		centres := boundaryPoints(largestShell(pl), scounts[pi], rng.Float64())
		for i, sc := range centres {
			rmax := straddleMaxRadius
			for j, o := range centres {
				if j != i {
					rmax = math.Min(rmax, 0.45*math.Hypot(sc[0]-o[0], sc[1]-o[1]))
				}
			}
			out = append(out, syntheticParcel(rng, z, cx+sc[0], cy+sc[1], rmax, minM2, math.Min(maxM2, M2FromMu(60))))
		}

		// Interior parcels, one per usable grid cell.
		m := counts[pi]
		if m == 0 {
			continue
		}
		size := math.Sqrt(area / float64(m))
		var cells []orb.Point
		for range 60 {
			cells = usableCells(pl, size, rng.Float64(), rng.Float64())
			if len(cells) >= m || size < 10 {
				break
			}
			size *= 0.9
		}
		rng.Shuffle(len(cells), func(i, j int) { cells[i], cells[j] = cells[j], cells[i] })
		if len(cells) > m {
			cells = cells[:m]
		}
		for _, cc := range cells {
			out = append(out, syntheticParcel(rng, z, cx+cc[0], cy+cc[1], 0.46*size, minM2, maxM2))
		}
	}
	return out
}

// syntheticParcel draws a star-shaped parcel around plane point (x, y) of
// zone z, of a log-uniform area in [minM2, maxM2] but within radius rmax.
func syntheticParcel(rng *rand.Rand, z Zone, x, y, rmax, minM2, maxM2 float64) orb.Polygon {
	k := 8 + rng.IntN(23)
	theta, f := starShape(rng, k, 0.35, 0.7, 1.0)
	u := starUnitArea(theta, f)
	target := math.Exp(math.Log(minM2) + (math.Log(maxM2)-math.Log(minM2))*rng.Float64())
	target = math.Min(target, u*rmax*rmax)
	r := math.Sqrt(target / u)
	return orb.Polygon{starRing(z, x, y, r, theta, f)}
}

// starShape draws k increasing angles (steps 2π/k, each moved by up to
// ±jitter of a step, the whole turned at random) and radius factors in
// [fmin, fmax]. Consecutive angles differ by less than π, so the star is a
// simple polygon.
func starShape(rng *rand.Rand, k int, jitter, fmin, fmax float64) (theta, f []float64) {
	theta, f = make([]float64, k), make([]float64, k)
	rot := 2 * math.Pi * rng.Float64()
	for j := range k {
		theta[j] = rot + 2*math.Pi*(float64(j)+jitter*(2*rng.Float64()-1))/float64(k)
		f[j] = fmin + (fmax-fmin)*rng.Float64()
	}
	return theta, f
}

// starUnitArea is the area of the star with radius 1.
func starUnitArea(theta, f []float64) float64 {
	var s float64
	for j := range theta {
		k := (j + 1) % len(theta)
		d := theta[k] - theta[j]
		if k == 0 {
			d += 2 * math.Pi
		}
		s += f[j] * f[k] * math.Sin(d)
	}
	return s / 2
}

// starRing is the closed, counter-clockwise lon/lat ring of the star of
// radius r around plane point (x, y) of zone z.
func starRing(z Zone, x, y, r float64, theta, f []float64) orb.Ring {
	ring := make(orb.Ring, len(theta)+1)
	p := math.Pow10(syntheticDecimals)
	for j := range theta {
		s, c := math.Sincos(theta[j])
		lon, lat := z.Inverse(x+r*f[j]*c, y+r*f[j]*s)
		ring[j] = orb.Point{math.Round(lon*p) / p, math.Round(lat*p) / p}
	}
	ring[len(theta)] = ring[0]
	return ring
}

// apportion splits n in proportion to weights by the largest remainder.
func apportion(weights []float64, total float64, n int) []int {
	counts := make([]int, len(weights))
	if total <= 0 || n <= 0 {
		if n > 0 {
			for k := range n {
				counts[k%len(weights)]++
			}
		}
		return counts
	}
	rem := make([]float64, len(weights))
	given := 0
	for i, w := range weights {
		q := float64(n) * w / total
		counts[i] = int(q)
		rem[i] = q - float64(counts[i])
		given += counts[i]
	}
	for given < n {
		best := 0
		for i := range rem {
			if rem[i] > rem[best] {
				best = i
			}
		}
		counts[best]++
		rem[best] = -1
		given++
	}
	return counts
}

// projectToPlane maps a lon/lat MultiPolygon to zone z's plane, in metres
// relative to origin's projection.
func projectToPlane(mp orb.MultiPolygon, z Zone, origin orb.Point) orb.MultiPolygon {
	pr := newPlaneProjector(z, origin)
	out := make(orb.MultiPolygon, len(mp))
	for i, p := range mp {
		out[i] = make(orb.Polygon, len(p))
		for j, r := range p {
			nr := make(orb.Ring, len(r))
			for k, pt := range r {
				x, y := pr.project(pt)
				nr[k] = orb.Point{x, y}
			}
			out[i][j] = nr
		}
	}
	return out
}

func largestShell(mp orb.MultiPolygon) orb.Ring {
	var best orb.Ring
	ba := -1.0
	for _, p := range mp {
		if len(p) > 0 {
			if a := math.Abs(RingSignedArea(p[0])); a > ba {
				best, ba = p[0], a
			}
		}
	}
	return best
}

// boundaryPoints returns n points spread evenly along ring r, starting at
// fraction offset of one spacing.
func boundaryPoints(r orb.Ring, n int, offset float64) []orb.Point {
	if n <= 0 || len(r) < 2 {
		return nil
	}
	var length float64
	for i := 0; i+1 < len(r); i++ {
		length += planar.Distance(r[i], r[i+1])
	}
	out := make([]orb.Point, 0, n)
	step := length / float64(n)
	at := offset * step
	var walked float64
	for i := 0; i+1 < len(r) && len(out) < n; i++ {
		l := planar.Distance(r[i], r[i+1])
		for len(out) < n && at <= walked+l {
			t := (at - walked) / l
			out = append(out, orb.Point{r[i][0] + t*(r[i+1][0]-r[i][0]), r[i][1] + t*(r[i+1][1]-r[i][1])})
			at += step
		}
		walked += l
	}
	return out
}

// usableCells lays a grid of square cells of side size (offset by fractions
// ox, oy of a cell) over plane polygon pl and returns the centres of the
// cells lying inside it at least interiorMargin from its boundary.
func usableCells(pl orb.MultiPolygon, size, ox, oy float64) []orb.Point {
	b := pl.Bound()
	need := size*math.Sqrt2/2 + interiorMargin
	var out []orb.Point
	for y := b.Min[1] + (oy+0.5)*size; y < b.Max[1]; y += size {
		for x := b.Min[0] + (ox+0.5)*size; x < b.Max[0]; x += size {
			p := orb.Point{x, y}
			if !planar.MultiPolygonContains(pl, p) {
				continue
			}
			if distToBoundary(pl, p, need) >= need {
				out = append(out, p)
			}
		}
	}
	return out
}

// distToBoundary is the distance from p to the nearest edge of mp, or
// anything not below limit once it is known to be at least limit.
func distToBoundary(mp orb.MultiPolygon, p orb.Point, limit float64) float64 {
	best := math.Inf(1)
	for _, poly := range mp {
		for _, r := range poly {
			for i := 0; i+1 < len(r); i++ {
				s := segment{r[i][0], r[i][1], r[i+1][0], r[i+1][1]}
				if d := distToSegment(p[0], p[1], &s); d < best {
					best = d
					if best < limit {
						return best
					}
				}
			}
		}
	}
	return best
}
