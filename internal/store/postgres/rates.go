package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"panhuo/internal/land"
)

// RateSums follows land.RateSum exactly, with the two strategies of the
// SQLite engine, each one SQL statement over stored numbers (no geometry):
//
//   - scan: the counting steps summed per parcel (before From, and up to
//     AsOf), joined to the parcels selected, grouped by park and class. It
//     costs O(parcels selected): about 80 ms for 100 000 parcels.
//   - totals: the running totals of rate_totals, kept by triggers (migration
//     00001): the parcels identified and not removed, as if every counting
//     step were dated before From (with From) or on or before AsOf
//     (without). The parcels for which that is not so, "touched"
//     (identified or removed after AsOf, or with a counting step on or
//     after the cut, the earlier of From and AsOf+1), are taken out and put
//     back as they stood. It costs O(park × class rows + touched parcels):
//     for the current figures, O(parks).
//
// Both are exact; they differ by floating-point rounding only (about 1e-12
// 亩). rateAuto picks totals unless the query is for one park (its scan is
// cheap) or the touched parcels are more than totalsMaxShare of all.
type rateStrategy int

const (
	rateAuto rateStrategy = iota
	rateScan
	rateTotals
)

// totalsMaxShare is the share of touched parcels above which a scan is as
// fast as the totals (as on SQLite; BenchmarkEngines100k).
const totalsMaxShare = 0.12

// SQL parameters of the rate queries: $1 AsOf, $2 From (NULL when zero: no
// date is before it), $3 ε (land.AreaEpsilonMu), $4 the cut; $5 the park or
// the class, $6 the class, when they filter.

// scanQuery: every parcel selected with its counting steps.
const scanQuery = `
WITH s AS (
	SELECT d.parcel_id,
		coalesce(sum(d.area_mu) FILTER (WHERE d.date < $2::date), 0) AS before,
		coalesce(sum(d.area_mu) FILTER (WHERE d.date <= $1::date), 0) AS upto
	FROM disposals d
	WHERE d.counts AND (d.date <= $1::date OR d.date < $2::date) /*d-park*/
	GROUP BY d.parcel_id
), c AS (
	SELECT p.park_code, p.class, p.area_mu AS a,
		p.area_mu - coalesce(s.before, 0) AS stock,
		coalesce(s.upto, 0) - coalesce(s.before, 0) AS disposed,
		coalesce(s.upto, 0) AS upto
	FROM parcels p LEFT JOIN s ON s.parcel_id = p.id
	WHERE p.identified_on <= $1::date AND (p.removed_on IS NULL OR p.removed_on > $1::date)
		/*p-park*/ /*p-class*/
)
SELECT park_code, class, sum(stock), count(*) FILTER (WHERE stock > $3),
	sum(disposed), count(*) FILTER (WHERE stock > $3 AND upto >= a - $3)
FROM c
WHERE $4::date IS NOT NULL -- the cut, unused here: its type must be known
GROUP BY park_code, class
ORDER BY park_code, class`

// totalsQuery: the running totals as the figures of the parcels they hold,
// all taken as untouched (the base, rows marked false), and, for the touched
// parcels, grouped by park and class (rows marked true), what they
// stood for at AsOf less what the totals hold of them (in_now: in the
// totals; in_then: identified on or before AsOf and not removed on or
// before it). The parcels with counting steps on or after the cut get their
// sums before From and up to AsOf from those steps alone: before = counted
// − Σ steps ≥ From, upto = counted − Σ steps > AsOf, since the cut is on or
// before From and AsOf+1. The others (identified or removed after AsOf)
// have every step before the cut, so before is counted (0 without From) and
// upto is counted.
const totalsQuery = `
WITH base AS (
	SELECT park_code, class, parcels AS n,
		CASE WHEN $2::date IS NULL THEN area_mu ELSE area_mu - counted_mu END AS im,
		CASE WHEN $2::date IS NULL THEN n_pos ELSE n_open END AS ic,
		CASE WHEN $2::date IS NULL THEN counted_mu ELSE 0 END AS dm,
		CASE WHEN $2::date IS NULL THEN n_full ELSE 0 END AS dc
	FROM rate_totals
	WHERE parcels > 0 /*park*/ /*class*/
), steps AS (
	SELECT parcel_id,
		coalesce(sum(area_mu) FILTER (WHERE date >= $2::date), 0) AS after_from,
		coalesce(sum(area_mu) FILTER (WHERE date > $1::date), 0) AS after_asof
	FROM disposals
	WHERE counts AND date >= $4::date
	GROUP BY parcel_id
), c AS (
	SELECT p.park_code, p.class, p.area_mu AS a, p.counted_mu AS cm,
		p.identified_on IS NOT NULL AND p.removed_on IS NULL AS in_now,
		coalesce(p.identified_on <= $1::date AND (p.removed_on IS NULL OR p.removed_on > $1::date), false) AS in_then,
		CASE WHEN $2::date IS NULL THEN 0 ELSE p.counted_mu - s.after_from END AS before,
		p.counted_mu - s.after_asof AS upto
	FROM steps s JOIN parcels p ON p.id = s.parcel_id
	WHERE true /*p-park*/ /*p-class*/
	UNION ALL
	SELECT p.park_code, p.class, p.area_mu, p.counted_mu,
		p.identified_on IS NOT NULL AND p.removed_on IS NULL,
		coalesce(p.identified_on <= $1::date AND (p.removed_on IS NULL OR p.removed_on > $1::date), false),
		CASE WHEN $2::date IS NULL THEN 0 ELSE p.counted_mu END,
		p.counted_mu
	FROM parcels p
	WHERE p.id IN (
			SELECT id FROM parcels WHERE identified_on > $1::date
			UNION
			SELECT id FROM parcels WHERE removed_on > $1::date)
		AND NOT EXISTS (SELECT 1 FROM disposals d
			WHERE d.parcel_id = p.id AND d.counts AND d.date >= $4::date)
		/*p-park*/ /*p-class*/
)
SELECT false, park_code, class, n, im, ic, dm, dc FROM base
UNION ALL
SELECT true, park_code, class, sum(n), sum(im), sum(ic), sum(dm), sum(dc)
FROM (
	SELECT park_code, class,
		in_then::int - in_now::int AS n,
		CASE WHEN in_then THEN a - before ELSE 0 END
			- CASE WHEN in_now THEN CASE WHEN $2::date IS NULL THEN a ELSE a - cm END ELSE 0 END AS im,
		(in_then AND a - before > $3)::int
			- (in_now AND CASE WHEN $2::date IS NULL THEN a > $3 ELSE a - cm > $3 END)::int AS ic,
		CASE WHEN in_then THEN upto - before ELSE 0 END
			- CASE WHEN in_now AND $2::date IS NULL THEN cm ELSE 0 END AS dm,
		(in_then AND a - before > $3 AND upto >= a - $3)::int
			- (in_now AND $2::date IS NULL AND a > $3 AND cm >= a - $3)::int AS dc
	FROM c
) fix
GROUP BY park_code, class`

// useTotalsQuery says whether the touched parcels are few enough for the
// totals ($1 AsOf, $2 the cut, $3 totalsMaxShare); each count stops at the
// limit, so that it costs no more than that.
const useTotalsQuery = `
WITH lim AS (SELECT (coalesce(sum(parcels), 0) * $3::float8)::bigint + 1 AS n FROM rate_totals)
SELECT (SELECT count(*) FROM (SELECT 1 FROM parcels WHERE identified_on > $1::date
			LIMIT (SELECT n FROM lim)) a)
	+ (SELECT count(*) FROM (SELECT 1 FROM parcels WHERE removed_on > $1::date
			LIMIT (SELECT n FROM lim)) b)
	+ (SELECT count(*) FROM (SELECT 1 FROM disposals WHERE counts AND date >= $2::date
			LIMIT (SELECT n FROM lim)) c)
	< (SELECT n FROM lim)`

// RateSums returns the stored-number aggregates of land.RateSum, one per
// (park, class) with at least one parcel identified on or before q.AsOf and
// not removed on or before it, ordered by park code and class.
func (r reader) RateSums(ctx context.Context, q land.RateQuery) ([]land.RateSum, error) {
	if q.AsOf.IsZero() {
		return nil, fmt.Errorf("postgres: rate sums: no as-of date")
	}
	if q.Class != "" && !q.Class.Valid() {
		return nil, fmt.Errorf("postgres: rate sums: unknown class %q", q.Class)
	}
	cut := q.AsOf.AddDate(0, 0, 1)
	if !q.From.IsZero() && q.From.Before(cut) {
		cut = q.From
	}
	strategy := r.rates
	if strategy == rateAuto {
		strategy = rateScan
		if q.ParkCode == "" {
			var few bool
			if err := r.q.QueryRow(ctx, useTotalsQuery, q.AsOf.Time(), cut.Time(), totalsMaxShare).Scan(&few); err != nil {
				return nil, fmt.Errorf("postgres: rate sums as of %s: count touched parcels: %w", q.AsOf, err)
			}
			if few {
				strategy = rateTotals
			}
		}
	}
	query := scanQuery
	if strategy == rateTotals {
		query = totalsQuery
	}
	a := args{q.AsOf.Time(), dateArg(q.From), land.AreaEpsilonMu, cut.Time()}
	var repl []string
	if q.ParkCode != "" {
		ph := a.add(q.ParkCode)
		repl = append(repl, "/*park*/", "AND park_code = "+ph, "/*p-park*/", "AND p.park_code = "+ph,
			"/*d-park*/", "AND d.park_code = "+ph)
	}
	if q.Class != "" {
		ph := a.add(string(q.Class))
		repl = append(repl, "/*class*/", "AND class = "+ph, "/*p-class*/", "AND p.class = "+ph)
	}
	if len(repl) > 0 {
		query = strings.NewReplacer(repl...).Replace(query)
	}
	if strategy == rateTotals {
		out, err := r.totalsRates(ctx, query, a)
		if err != nil {
			return nil, fmt.Errorf("postgres: rate sums as of %s: %w", q.AsOf, err)
		}
		return out, nil
	}
	rows, err := r.q.Query(ctx, query, a...)
	if err != nil {
		return nil, fmt.Errorf("postgres: rate sums as of %s: %w", q.AsOf, err)
	}
	defer rows.Close()
	out := []land.RateSum{}
	for rows.Next() {
		var (
			g     land.RateSum
			class string
		)
		if err := rows.Scan(&g.ParkCode, &class, &g.IdentifiedMu, &g.IdentifiedCount, &g.DisposedMu, &g.DisposedCount); err != nil {
			return nil, fmt.Errorf("postgres: rate sums as of %s: %w", q.AsOf, err)
		}
		g.Class = classOf(class)
		if n := len(out); n > 0 && out[n-1].ParkCode == g.ParkCode {
			g.ParkCode = out[n-1].ParkCode // share the string
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: rate sums as of %s: %w", q.AsOf, err)
	}
	return out, nil
}

// totalsRates reads the rows of totalsQuery, the base figures of every park
// and class and the corrections of the few touched, adds the corrections to
// the base (in Go: grouping the base in SQL costs more than the rest), and
// returns the groups with parcels, ordered by park and class.
func (r reader) totalsRates(ctx context.Context, query string, a args) ([]land.RateSum, error) {
	rows, err := r.q.Query(ctx, query, a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type key struct {
		park  string
		class land.Class
	}
	var (
		groups []rateGroup
		fixes  []rateGroup
		fix    bool
		park   string
		class  string
		g      rateGroup
	)
	dest := []any{&fix, &park, &class, &g.n, &g.IdentifiedMu, &g.IdentifiedCount, &g.DisposedMu, &g.DisposedCount}
	for rows.Next() {
		g = rateGroup{}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		g.ParkCode, g.Class = park, classOf(class)
		if fix {
			fixes = append(fixes, g)
		} else {
			groups = append(groups, g)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(fixes) > 0 {
		at := make(map[key]int, len(groups))
		for i, g := range groups {
			at[key{g.ParkCode, g.Class}] = i
		}
		for _, f := range fixes {
			i, ok := at[key{f.ParkCode, f.Class}]
			if !ok {
				groups = append(groups, f)
				continue
			}
			g := &groups[i]
			g.n += f.n
			g.IdentifiedMu += f.IdentifiedMu
			g.IdentifiedCount += f.IdentifiedCount
			g.DisposedMu += f.DisposedMu
			g.DisposedCount += f.DisposedCount
		}
	}
	slices.SortFunc(groups, func(a, b rateGroup) int {
		if c := strings.Compare(a.ParkCode, b.ParkCode); c != 0 {
			return c
		}
		return strings.Compare(string(a.Class), string(b.Class))
	})
	out := make([]land.RateSum, 0, len(groups))
	for _, g := range groups {
		if g.n > 0 {
			out = append(out, g.RateSum)
		}
	}
	return out, nil
}

// rateGroup is the figures of one park and class with the number of
// parcels selected (a group with none is not reported).
type rateGroup struct {
	land.RateSum
	n int64
}

// DisposedByPark sums, per park, the counting steps dated in [From, AsOf] of
// the parcels identified on or before AsOf and not removed on or before it:
// RateSums(q)'s DisposedMu without reading the stock. Parks with nothing
// disposed are left out.
func (r reader) DisposedByPark(ctx context.Context, q land.RateQuery) (map[string]float64, error) {
	if q.AsOf.IsZero() || q.From.IsZero() {
		return nil, fmt.Errorf("postgres: disposed by park: as-of and from dates are required")
	}
	a := args{q.From.Time(), q.AsOf.Time()}
	query := `SELECT d.park_code, sum(d.area_mu)
		FROM disposals d JOIN parcels p ON p.id = d.parcel_id
		WHERE d.counts AND d.date >= $1::date AND d.date <= $2::date
			AND p.identified_on <= $2::date AND (p.removed_on IS NULL OR p.removed_on > $2::date)`
	if q.ParkCode != "" {
		query += ` AND d.park_code = ` + a.add(q.ParkCode)
	}
	if q.Class != "" {
		query += ` AND p.class = ` + a.add(string(q.Class))
	}
	query += ` GROUP BY d.park_code`
	rows, err := r.q.Query(ctx, query, a...)
	if err != nil {
		return nil, fmt.Errorf("postgres: disposed by park: %w", err)
	}
	defer rows.Close()
	out := map[string]float64{}
	for rows.Next() {
		var (
			code string
			mu   float64
		)
		if err := rows.Scan(&code, &mu); err != nil {
			return nil, fmt.Errorf("postgres: disposed by park: %w", err)
		}
		if mu != 0 {
			out[code] = mu
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: disposed by park: %w", err)
	}
	return out, nil
}
