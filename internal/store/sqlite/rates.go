package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"panhuo/internal/land"
)

// RateSums follows land.RateSum exactly. Its figures are built in two parts
// that are added up in Go: a base per (park, class), and corrections per
// (park, class) from the few parcels the base gets wrong. There are two ways
// to get them:
//
//   - scan: the base is every parcel identified on or before AsOf and not
//     removed on or before it, as if it had no counting step (a scan of the
//     covering index parcels_park_class_rate); the corrections come from the
//     parcels that have counting steps. It costs O(parcels selected).
//   - totals: the base is the running totals of rate_totals, kept by
//     triggers: the parcels identified and not removed, as if every counting
//     step were dated before From (with From) or on or before AsOf (without).
//     The parcels for which that is not so, "touched" (identified or removed
//     after AsOf, or with a counting step on or after the cut, the earlier
//     of From and AsOf+1), are taken out and put back as they stood. It
//     costs O(park × class rows + touched parcels): for the current
//     figures, O(parks). The base figures are cached per version of
//     rate_totals (see ratesCache).
//
// Both are exact; they differ from each other only by floating-point
// rounding (about 1e-12 亩).
//
// rateAuto picks totals unless the query is for one park (a scan of its
// parcels is cheap) or the touched parcels are many.
type rateStrategy int

const (
	rateAuto rateStrategy = iota
	rateScan
	rateTotals
)

// totalsMaxShare is the share of touched parcels (against all parcels the
// totals hold) above which a scan is faster than the totals; measured with
// BenchmarkRateSums100k.
const totalsMaxShare = 0.12

// SQL parameters shared by the queries below:
//
//	?1 AsOf  ?2 From (empty when zero: no date is before it)  ?3 park code
//	?4 class  ?5 ε (land.AreaEpsilonMu)  ?6 the cut (see above)
//
// The comments /*park*/ and /*class*/ (with a p- prefix on a joined
// parcels p) are replaced by their conditions when the query filters by
// them, so that the indexes can serve them.

// scanBaseQuery: every parcel selected, as if it had no counting step.
const scanBaseQuery = `
SELECT park_code, class, count(*), total(area_mu), sum(area_mu > ?5), 0.0, 0
FROM parcels
WHERE identified_on <= ?1 AND (removed_on IS NULL OR removed_on > ?1) /*park*/ /*class*/
GROUP BY park_code, class`

// scanFixQuery: what the counting steps change for the parcels selected.
const scanFixQuery = `
SELECT p.park_code, p.class, 0,
	-total(s.before),
	sum(p.area_mu - s.before > ?5) - sum(p.area_mu > ?5),
	total(s.upto - s.before),
	sum(p.area_mu - s.before > ?5 AND s.upto >= p.area_mu - ?5)
FROM (
	SELECT parcel_id,
		total(CASE WHEN date < ?2 THEN area_mu END) AS before,
		total(CASE WHEN date <= ?1 THEN area_mu END) AS upto
	FROM disposals
	WHERE counts = 1 AND (date <= ?1 OR date < ?2) /*steps-park*/
	GROUP BY parcel_id
) s CROSS JOIN parcels p ON p.id = s.parcel_id
WHERE p.identified_on <= ?1 AND (p.removed_on IS NULL OR p.removed_on > ?1) /*p-class*/
GROUP BY p.park_code, p.class`

// totalsBaseQuery: the running totals as the figures of the parcels they
// hold, all taken as untouched: cumulative, or against the stock at From.
const totalsBaseQuery = `
SELECT park_code, class, parcels,
	iif(?2 = '', area_mu, area_mu - counted_mu),
	iif(?2 = '', n_pos, n_open),
	iif(?2 = '', counted_mu, 0.0),
	iif(?2 = '', n_full, 0)
FROM rate_totals
WHERE parcels > 0 /*park*/ /*class*/`

// totalsFixQuery: for the touched parcels, what they stood for at AsOf less
// what the totals hold of them (in_now: in the totals; in_then: identified
// on or before AsOf and not removed on or before it). The parcels with
// counting steps on or after the cut get their sums before From and up to
// AsOf from those steps alone: before = counted − Σ steps ≥ From, upto =
// counted − Σ steps > AsOf, since the cut is on or before From and AsOf+1.
// The others (identified or removed after AsOf) have every step before the
// cut, so before is counted (0 without From) and upto is counted.
const totalsFixQuery = `
WITH steps AS (
	SELECT parcel_id,
		total(CASE WHEN date >= ?2 THEN area_mu END) AS after_from,
		total(CASE WHEN date > ?1 THEN area_mu END) AS after_asof
	FROM disposals INDEXED BY disposals_counting_date
	WHERE counts = 1 AND date >= ?6
	GROUP BY parcel_id
),
c(park_code, class, a, cm, in_now, in_then, before, upto) AS (
	SELECT p.park_code, p.class, p.area_mu, p.counted_mu,
		p.identified_on IS NOT NULL AND p.removed_on IS NULL,
		coalesce(p.identified_on <= ?1 AND (p.removed_on IS NULL OR p.removed_on > ?1), 0),
		iif(?2 = '', 0.0, p.counted_mu - s.after_from),
		p.counted_mu - s.after_asof
	FROM steps s CROSS JOIN parcels p ON p.id = s.parcel_id
	WHERE true /*p-park*/ /*p-class*/
	UNION ALL
	SELECT p.park_code, p.class, p.area_mu, p.counted_mu,
		p.identified_on IS NOT NULL AND p.removed_on IS NULL,
		coalesce(p.identified_on <= ?1 AND (p.removed_on IS NULL OR p.removed_on > ?1), 0),
		iif(?2 = '', 0.0, p.counted_mu),
		p.counted_mu
	FROM parcels p
	WHERE p.id IN (
			SELECT id FROM parcels INDEXED BY parcels_identified_on WHERE identified_on > ?1
			UNION
			SELECT id FROM parcels INDEXED BY parcels_removed_on WHERE removed_on > ?1)
		AND NOT EXISTS (SELECT 1 FROM disposals d
			WHERE d.parcel_id = p.id AND d.counts = 1 AND d.date >= ?6)
		/*p-park*/ /*p-class*/
)
SELECT park_code, class, sum(dn), total(dim), sum(dic), total(ddm), sum(ddc)
FROM (
	SELECT park_code, class,
		in_then - in_now AS dn,
		iif(in_then, a - before, 0.0) - iif(in_now, iif(?2 = '', a, a - cm), 0.0) AS dim,
		(in_then AND a - before > ?5) - (in_now AND iif(?2 = '', a > ?5, a - cm > ?5)) AS dic,
		iif(in_then, upto - before, 0.0) - iif(in_now AND ?2 = '', cm, 0.0) AS ddm,
		(in_then AND a - before > ?5 AND upto >= a - ?5) - (in_now AND ?2 = '' AND a > ?5 AND cm >= a - ?5) AS ddc
	FROM c
)
GROUP BY park_code, class`

// touchedQuery estimates the number of touched parcels (a parcel may count
// more than once) and the number of parcels the totals hold.
const touchedQuery = `SELECT
	(SELECT count(*) FROM parcels INDEXED BY parcels_identified_on WHERE identified_on > ?1)
	+ (SELECT count(*) FROM parcels INDEXED BY parcels_removed_on WHERE removed_on > ?1)
	+ (SELECT count(*) FROM disposals INDEXED BY disposals_counting_date WHERE counts = 1 AND date >= ?6),
	(SELECT coalesce(sum(parcels), 0) FROM rate_totals)`

// filtered puts the park and class conditions of q into query.
func filtered(query string, q land.RateQuery) string {
	var repl []string
	if q.ParkCode != "" {
		repl = append(repl,
			"/*park*/", "AND park_code = ?3",
			"/*p-park*/", "AND p.park_code = ?3",
			"/*steps-park*/", "AND parcel_id IN (SELECT id FROM parcels WHERE park_code = ?3)")
	}
	if q.Class != "" {
		repl = append(repl, "/*class*/", "AND class = ?4", "/*p-class*/", "AND p.class = ?4")
	}
	if len(repl) == 0 {
		return query
	}
	return strings.NewReplacer(repl...).Replace(query)
}

// rateAcc accumulates the figures of one park and class, with the number of
// parcels selected (a group with none is not reported).
type rateAcc struct {
	land.RateSum
	n int
}

func compareGroups(a, b *rateAcc) int {
	if c := strings.Compare(a.ParkCode, b.ParkCode); c != 0 {
		return c
	}
	return strings.Compare(string(a.Class), string(b.Class))
}

// RateSums returns the stored-number aggregates of land.RateSum, one per
// (park, class) with at least one parcel identified on or before q.AsOf and
// not removed on or before it, ordered by park code and class.
func (r reader) RateSums(ctx context.Context, q land.RateQuery) ([]land.RateSum, error) {
	if q.AsOf.IsZero() {
		return nil, fmt.Errorf("sqlite: rate sums: no as-of date")
	}
	if q.Class != "" && !q.Class.Valid() {
		return nil, fmt.Errorf("sqlite: rate sums: unknown class %q", q.Class)
	}
	cut := q.AsOf.AddDate(0, 0, 1)
	if !q.From.IsZero() && q.From.Before(cut) {
		cut = q.From
	}
	args := []any{q.AsOf.String(), q.From.String(), q.ParkCode, string(q.Class), land.AreaEpsilonMu, cut.String()}

	var base, fix []rateAcc
	err := r.snapshot(ctx, func(db querier) error {
		strategy := r.rates
		if strategy == rateAuto {
			strategy = rateTotals
			if q.ParkCode != "" {
				strategy = rateScan
			} else {
				var touched, all int
				if err := db.QueryRowContext(ctx, touchedQuery, args...).Scan(&touched, &all); err != nil {
					return fmt.Errorf("count touched parcels: %w", err)
				}
				if float64(touched) > totalsMaxShare*float64(all) {
					strategy = rateScan
				}
			}
		}
		var err error
		if strategy == rateScan {
			if base, err = readRates(ctx, db, filtered(scanBaseQuery, q), args); err != nil {
				return fmt.Errorf("scan parcels: %w", err)
			}
			if fix, err = readRates(ctx, db, filtered(scanFixQuery, q), args); err != nil {
				return fmt.Errorf("scan steps: %w", err)
			}
			return nil
		}
		if base, err = r.totalsBase(ctx, db, q, args); err != nil {
			return fmt.Errorf("read totals: %w", err)
		}
		if fix, err = readRates(ctx, db, filtered(totalsFixQuery, q), args); err != nil {
			return fmt.Errorf("touched parcels: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: rate sums as of %s: %w", q.AsOf, err)
	}
	merged := mergeRates(base, fix)
	out := make([]land.RateSum, 0, len(merged))
	for _, g := range merged {
		if g.n > 0 {
			out = append(out, g.RateSum)
		}
	}
	return out, nil
}

// ratesCache keeps the base figures read from rate_totals for the version
// of rate_totals they were read at. Triggers move the version on with every
// change to rate_totals, in the writing transaction, so a committed version
// names one content: what is cached is exact. Only reads outside write
// transactions use it (a write transaction sees versions that may never be
// committed).
type ratesCache struct {
	mu      sync.Mutex
	version int64
	bases   map[ratesCacheKey][]rateAcc
}

type ratesCacheKey struct {
	cumulative bool
	class      land.Class
}

func (c *ratesCache) get(version int64, k ratesCacheKey) ([]rateAcc, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version {
		return nil, false
	}
	base, ok := c.bases[k]
	return base, ok
}

func (c *ratesCache) put(version int64, k ratesCacheKey, base []rateAcc) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version || c.bases == nil {
		if version < c.version {
			return // a reader that started before a newer one finished
		}
		c.version, c.bases = version, map[ratesCacheKey][]rateAcc{}
	}
	c.bases[k] = base
}

// totalsBase reads the base figures of the totals strategy, from the cache
// when it holds them for the current version. The slice returned is shared:
// it must not be changed.
func (r reader) totalsBase(ctx context.Context, db querier, q land.RateQuery, args []any) ([]rateAcc, error) {
	if r.cache == nil || q.ParkCode != "" {
		return readRates(ctx, db, filtered(totalsBaseQuery, q), args)
	}
	var version int64
	if err := db.QueryRowContext(ctx, `SELECT version FROM rate_totals_version`).Scan(&version); err != nil {
		return nil, err
	}
	k := ratesCacheKey{cumulative: q.From.IsZero(), class: q.Class}
	if base, ok := r.cache.get(version, k); ok {
		return base, nil
	}
	base, err := readRates(ctx, db, filtered(totalsBaseQuery, q), args)
	if err != nil {
		return nil, err
	}
	r.cache.put(version, k, base)
	return base, nil
}

// snapshot runs fn on one consistent view of the database: the transaction
// r reads in, or a read transaction of its own.
func (r reader) snapshot(ctx context.Context, fn func(q querier) error) error {
	db, ok := r.q.(*sql.DB)
	if !ok {
		return fn(r.q)
	}
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read transaction: %w", err)
	}
	defer tx.Rollback() // read-only: nothing to keep
	return fn(tx)
}

// readRates reads rows of (park, class, n, identified mu, identified count,
// disposed mu, disposed count), ordered by park and class.
func readRates(ctx context.Context, db querier, query string, args []any) ([]rateAcc, error) {
	rows, err := db.QueryContext(ctx, query+"\nORDER BY park_code, class", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		out   []rateAcc
		park  string
		class sql.RawBytes
		g     rateAcc
	)
	dest := []any{&park, &class, &g.n, &g.IdentifiedMu, &g.IdentifiedCount, &g.DisposedMu, &g.DisposedCount}
	for rows.Next() {
		g = rateAcc{}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		g.ParkCode = park
		if n := len(out); n > 0 && out[n-1].ParkCode == park {
			g.ParkCode = out[n-1].ParkCode // share the string
		}
		g.Class = classOf(class)
		out = append(out, g)
	}
	return out, rows.Err()
}

// classOf returns the class named b without allocating for the three known.
func classOf(b []byte) land.Class {
	switch string(b) {
	case string(land.Unsupplied):
		return land.Unsupplied
	case string(land.Idle):
		return land.Idle
	case string(land.Inefficient):
		return land.Inefficient
	}
	return land.Class(b)
}

// mergeRates adds two lists ordered by park and class into one.
func mergeRates(a, b []rateAcc) []rateAcc {
	if len(b) == 0 {
		return a
	}
	out := make([]rateAcc, 0, len(a)+len(b))
	for len(a) > 0 || len(b) > 0 {
		switch {
		case len(b) == 0:
			out, a = append(out, a...), nil
		case len(a) == 0:
			out, b = append(out, b...), nil
		default:
			switch c := compareGroups(&a[0], &b[0]); {
			case c < 0:
				out, a = append(out, a[0]), a[1:]
			case c > 0:
				out, b = append(out, b[0]), b[1:]
			default:
				g := a[0]
				g.n += b[0].n
				g.IdentifiedMu += b[0].IdentifiedMu
				g.IdentifiedCount += b[0].IdentifiedCount
				g.DisposedMu += b[0].DisposedMu
				g.DisposedCount += b[0].DisposedCount
				out, a, b = append(out, g), a[1:], b[1:]
			}
		}
	}
	return out
}

// DisposedByPark sums, per park, the counting steps dated in [From, AsOf] of
// the parcels identified on or before AsOf and not removed on or before it:
// RateSums(q)'s DisposedMu without reading the stock. A step always carries
// its parcel's park, so the sum is read from the covering index
// disposals_counting_date alone, less the steps of the few parcels removed
// on or before AsOf or not identified by then. With a class filter the steps
// are joined to their parcels instead.
func (r reader) DisposedByPark(ctx context.Context, q land.RateQuery) (map[string]float64, error) {
	if q.AsOf.IsZero() || q.From.IsZero() {
		return nil, fmt.Errorf("sqlite: disposed by park: as-of and from dates are required")
	}
	out := map[string]float64{}
	add := func(sign float64, query string) error {
		rows, err := r.q.QueryContext(ctx, query, q.From.String(), q.AsOf.String(), q.ParkCode, string(q.Class))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var code string
			var mu float64
			if err := rows.Scan(&code, &mu); err != nil {
				return err
			}
			out[code] += sign * mu
		}
		return rows.Err()
	}
	var err error
	if q.Class != "" {
		err = add(1, disposedJoinQuery)
	} else if err = add(1, disposedIndexQuery); err == nil {
		err = add(-1, disposedExceptQuery)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: disposed by park: %w", err)
	}
	for code, mu := range out {
		if mu == 0 {
			delete(out, code)
		}
	}
	return out, nil
}

// The queries of DisposedByPark: ?1 From, ?2 AsOf, ?3 park code, ?4 class.
const (
	disposedIndexQuery = `SELECT park_code, SUM(area_mu)
		FROM disposals INDEXED BY disposals_counting_date
		WHERE counts = 1 AND date >= ?1 AND date <= ?2 AND (?3 = '' OR park_code = ?3)
		GROUP BY park_code`
	disposedExceptQuery = `SELECT park_code, SUM(area_mu)
		FROM disposals INDEXED BY disposals_counting_date
		WHERE counts = 1 AND date >= ?1 AND date <= ?2 AND (?3 = '' OR park_code = ?3)
		  AND parcel_id IN (
			SELECT id FROM parcels WHERE removed_on <= ?2
			UNION ALL SELECT id FROM parcels WHERE identified_on > ?2
			UNION ALL SELECT id FROM parcels WHERE identified_on IS NULL)
		GROUP BY park_code`
	disposedJoinQuery = `SELECT d.park_code, SUM(d.area_mu)
		FROM disposals d JOIN parcels p ON p.id = d.parcel_id
		WHERE d.counts = 1 AND d.date >= ?1 AND d.date <= ?2
		  AND p.identified_on <= ?2 AND (p.removed_on IS NULL OR p.removed_on > ?2)
		  AND (?3 = '' OR p.park_code = ?3) AND p.class = ?4
		GROUP BY d.park_code`
)
