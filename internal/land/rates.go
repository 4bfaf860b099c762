package land

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"
)

// ratio returns a ÷ b, or nil when b is zero: a rate of nothing is unknown, not 0.
func ratio(a, b float64) *float64 {
	if b <= 0 {
		return nil
	}
	r := a / b
	return &r
}

func (f *RateFigures) add(s RateSum) {
	f.IdentifiedMu += s.IdentifiedMu
	f.IdentifiedCount += s.IdentifiedCount
	f.DisposedMu += s.DisposedMu
	f.DisposedCount += s.DisposedCount
}

func (f *RateFigures) derive() {
	f.Rate = ratio(f.DisposedMu, f.IdentifiedMu)
	f.RateCount = ratio(float64(f.DisposedCount), float64(f.IdentifiedCount))
}

// Rates ranks the parks by disposal rate (盘活率) as of a date, cumulatively
// or over [From, AsOf], with a total row last.
func (s *Service) Rates(ctx context.Context, q RatesQuery) (RatesReport, error) {
	if q.AsOf.IsZero() {
		q.AsOf = s.Today()
	}
	if q.Class != "" && !q.Class.Valid() {
		return RatesReport{}, Invalid("类别无效", FieldError{"class", "类别须为 unsupplied、idle 或 inefficient"})
	}
	if !q.From.IsZero() && q.From.After(q.AsOf) {
		return RatesReport{}, Invalid("统计区间无效", FieldError{"from", "起始日期不能晚于截止日期 " + q.AsOf.String()})
	}
	parks, err := s.store.ListParkFigures(ctx)
	if err != nil {
		return RatesReport{}, fmt.Errorf("list parks: %w", err)
	}
	sums, err := s.store.RateSums(ctx, RateQuery{AsOf: q.AsOf, From: q.From, Class: q.Class})
	if err != nil {
		return RatesReport{}, fmt.Errorf("rate sums as of %s: %w", q.AsOf, err)
	}
	targets, err := s.targetDisposed(ctx, parks, q)
	if err != nil {
		return RatesReport{}, err
	}

	classes := Classes[:]
	if q.Class != "" {
		classes = []Class{q.Class}
	}
	newRow := func(code, name, level string) *RateRow {
		r := &RateRow{ParkCode: code, ParkName: name, Level: level, ByClass: make(map[Class]RateFigures, len(classes))}
		for _, c := range classes {
			r.ByClass[c] = RateFigures{}
		}
		return r
	}
	rows := make(map[string]*RateRow, len(parks))
	total := newRow("total", "合计", "")
	for _, p := range parks {
		r := newRow(p.Code, p.Name, p.Level)
		r.BuiltupMu, r.TargetMu, r.TargetYear = p.BuiltupMu, p.TargetMu, p.TargetYear
		r.TargetDisposedMu = targets[p.Code]
		rows[p.Code] = r
		total.BuiltupMu += p.BuiltupMu
		total.TargetMu += p.TargetMu
		total.TargetDisposedMu += r.TargetDisposedMu
	}
	for _, sum := range sums {
		r, ok := rows[sum.ParkCode]
		if !ok {
			return RatesReport{}, fmt.Errorf("rate sums name park %q, which does not exist", sum.ParkCode)
		}
		for _, row := range []*RateRow{r, total} {
			row.RateFigures.add(sum)
			f := row.ByClass[sum.Class]
			f.add(sum)
			row.ByClass[sum.Class] = f
		}
	}
	out := RatesReport{AsOf: q.AsOf, From: q.From, Class: q.Class, Rows: make([]RateRow, 0, len(rows)+1)}
	for _, r := range append(sortedRows(rows), total) {
		r.derive()
		for c, f := range r.ByClass {
			f.derive()
			r.ByClass[c] = f
		}
		r.BuiltupShare = ratio(r.IdentifiedMu, r.BuiltupMu)
		r.TargetProgress = ratio(r.TargetDisposedMu, r.TargetMu)
		out.Rows = append(out.Rows, *r)
	}
	rank(out.Rows[:len(out.Rows)-1])
	return out, nil
}

// sortedRows returns the park rows in code order, ready for ranking.
func sortedRows(rows map[string]*RateRow) []*RateRow {
	out := make([]*RateRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ParkCode < out[j].ParkCode })
	return out
}

// rank orders park rows by rate, highest first (红黑榜); parks with nothing
// identified come last, unranked. Ties are broken by disposed area, then code.
func rank(rows []RateRow) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if (a.Rate == nil) != (b.Rate == nil) {
			return a.Rate != nil
		}
		if a.Rate != nil && *a.Rate != *b.Rate {
			return *a.Rate > *b.Rate
		}
		if a.DisposedMu != b.DisposedMu {
			return a.DisposedMu > b.DisposedMu
		}
		return a.ParkCode < b.ParkCode
	})
	for i := range rows {
		if rows[i].Rate != nil {
			rows[i].Rank = i + 1
		}
	}
}

// targetDisposed returns, per park, the area disposed in its target's calendar
// year up to AsOf (all three classes, or the asked class).
func (s *Service) targetDisposed(ctx context.Context, parks []Park, q RatesQuery) (map[string]float64, error) {
	out := map[string]float64{}
	yearOf := make(map[string]int, len(parks))
	years := map[int]bool{}
	for _, p := range parks {
		if p.TargetYear > 0 {
			yearOf[p.Code] = p.TargetYear
			years[p.TargetYear] = true
		}
	}
	for y := range years {
		from, to := NewDate(y, 1, 1), NewDate(y, 12, 31)
		if from.After(q.AsOf) {
			continue
		}
		if to.After(q.AsOf) {
			to = q.AsOf
		}
		byPark, err := s.store.DisposedByPark(ctx, RateQuery{AsOf: to, From: from, Class: q.Class})
		if err != nil {
			return nil, fmt.Errorf("area disposed in target year %d: %w", y, err)
		}
		for code, mu := range byPark {
			if yearOf[code] == y {
				out[code] += mu
			}
		}
	}
	return out, nil
}

// maxTrendMonths bounds a trend request (20 years).
const maxTrendMonths = 240

// Trend gives the cumulative rate month by month, as of each month's last
// day (or To, for To's own month).
func (s *Service) Trend(ctx context.Context, q TrendQuery) ([]TrendPoint, error) {
	if q.To.IsZero() {
		q.To = s.Today()
	}
	if q.From.IsZero() {
		q.From = NewDate(q.To.Year(), q.To.Month()-11, 1)
	}
	if q.Class != "" && !q.Class.Valid() {
		return nil, Invalid("类别无效", FieldError{"class", "类别须为 unsupplied、idle 或 inefficient"})
	}
	if q.From.After(q.To) {
		return nil, Invalid("统计区间无效", FieldError{"from", "起始月份不能晚于截止日期"})
	}
	months := (q.To.Year()-q.From.Year())*12 + int(q.To.Month()-q.From.Month()) + 1
	if months > maxTrendMonths {
		return nil, Invalid("统计区间过长", FieldError{"from", fmt.Sprintf("趋势最多 %d 个月", maxTrendMonths)})
	}
	if q.ParkCode != "" {
		if _, err := s.store.GetPark(ctx, q.ParkCode); errors.Is(err, ErrNotFound) {
			return nil, &Error{Kind: KindNotFound, Title: "园区不存在", Detail: "没有代码为 " + q.ParkCode + " 的园区"}
		} else if err != nil {
			return nil, fmt.Errorf("look up park %s: %w", q.ParkCode, err)
		}
	}
	out := make([]TrendPoint, 0, months)
	for i := 0; i < months; i++ {
		first := NewDate(q.From.Year(), q.From.Month()+time.Month(i), 1)
		asof := first.MonthEnd()
		if asof.After(q.To) {
			asof = q.To
		}
		sums, err := s.store.RateSums(ctx, RateQuery{AsOf: asof, ParkCode: q.ParkCode, Class: q.Class})
		if err != nil {
			return nil, fmt.Errorf("rate sums as of %s: %w", asof, err)
		}
		var f RateFigures
		for _, sum := range sums {
			f.add(sum)
		}
		out = append(out, TrendPoint{Month: first.String()[:7], AsOf: asof, IdentifiedMu: f.IdentifiedMu, DisposedMu: f.DisposedMu, Rate: ratio(f.DisposedMu, f.IdentifiedMu)})
	}
	return out, nil
}
