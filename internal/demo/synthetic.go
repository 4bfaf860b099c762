package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/paulmach/orb"

	"panhuo/geo"
	"panhuo/internal/land"
)

// SyntheticOptions size the synthetic data: Parks parks holding about
// Parcels parcels in all, drawn from Seed.
type SyntheticOptions struct {
	Parks, Parcels int
	Seed           uint64
}

// SyntheticActor is the actor of every event LoadSynthetic writes.
const SyntheticActor = "synthetic"

// SyntheticCity is the city of the synthetic parks: they are spread over
// central and southern China and belong to no real city.
const SyntheticCity = "合成数据"

// syntheticBatch is the number of parcels written per transaction.
const syntheticBatch = 10_000

// syntheticLastDate bounds every date LoadSynthetic writes, so that the data
// does not depend on the day it is loaded.
func syntheticLastDate() land.Date { return land.NewDate(2025, 6, 30) }

// LoadSynthetic fills an empty store (ErrNotEmpty otherwise) with synthetic
// data shaped like real ledgers, for benchmarks and load tests:
// geo.SyntheticParks and geo.SyntheticParcels draw the geometry (parks of
// ~24 vertices and 5–40 km², parcels of 8–30 vertices and 5–300 亩, about 3%
// across a park boundary); each parcel gets its area on the Gauss-Krüger
// plane of its centroid zone, the park holding most of it (flagged
// straddles_boundary when not wholly inside), a class (批而未供 ~45%,
// 闲置 ~20%, 低效 ~35%), ledger fields, dates in 2020–2025, and for about 15%
// disposal steps by counting methods (some covering part of the area only),
// for about 5% steps by methods that do not count. Status and disposed area
// follow from the steps as land's rules derive them. Parks and parcels are
// marked demo (示例数据): synthetic data is never real data.
//
// It writes straight through store.Update, 10 000 parcels per transaction,
// with an event (actor "synthetic") for every park, parcel and step, but
// without land.Service: in particular it skips the per-parcel overlap check,
// because the generator guarantees that no two parcels overlap. The same
// options give the same parks, parcels, ledgers and steps (timestamps are the
// time of loading). Fewer parcels than asked are written when the parks have
// no room for them (geo.SyntheticParcels says when).
func LoadSynthetic(ctx context.Context, store land.Store, opts SyntheticOptions) error {
	if opts.Parks < 1 || opts.Parcels < 0 {
		return fmt.Errorf("synthetic: need at least one park and no negative parcel count, got %d parks, %d parcels", opts.Parks, opts.Parcels)
	}
	existing, err := store.ListParkFigures(ctx)
	if err != nil {
		return fmt.Errorf("synthetic: list parks: %w", err)
	}
	if len(existing) > 0 {
		return fmt.Errorf("synthetic: %w (%d)", ErrNotEmpty, len(existing))
	}
	methods, err := store.ListMethods(ctx)
	if err != nil {
		return fmt.Errorf("synthetic: list methods: %w", err)
	}
	counts := make(map[string]bool, len(methods))
	for _, m := range methods {
		counts[m.Code] = m.Counts
	}

	boundaries := geo.SyntheticParks(opts.Seed, opts.Parks)
	polys := geo.SyntheticParcels(opts.Seed, boundaries, opts.Parcels)
	parks := make([]land.Park, len(boundaries))
	r := rand.New(rand.NewPCG(opts.Seed, 0x5ca1ab1e))
	now := time.Now().UTC()
	for i, b := range boundaries {
		mp, ok := geo.Normalize(b, land.CoordinateDecimals).(orb.MultiPolygon)
		if !ok {
			return fmt.Errorf("synthetic: park %d is not a MultiPolygon", i)
		}
		z := geo.CentroidZone(mp)
		level := land.LevelProvincial
		if r.IntN(10) == 0 {
			level = land.LevelNational
		}
		parks[i] = land.Park{
			Code: fmt.Sprintf("S%05d", i+1), Name: fmt.Sprintf("合成园区%05d", i+1), Level: level,
			City: SyntheticCity, Boundary: mp, GKZone: z, AreaMu: geo.MuFromM2(geo.AreaM2(mp, z)),
			TargetYear: 2025, Demo: true, CreatedAt: now, UpdatedAt: now,
		}
	}
	ix, err := geo.NewAreaIndex(boundaries)
	if err != nil {
		return fmt.Errorf("synthetic: index parks: %w", err)
	}

	// Measure and place every parcel, then draw its ledger and steps.
	ledgers := make([]*ledger, len(parks))
	for i := range parks {
		ledgers[i] = newLedger(r, syntheticLocale(i))
	}
	parcels := make([]synthParcel, 0, len(polys))
	stock := make([]float64, len(parks))
	for i, poly := range polys {
		p, err := measureSynthetic(ix, poly)
		if err != nil {
			return fmt.Errorf("synthetic: parcel %d: %w", i, err)
		}
		p.ParkCode = parks[p.park].Code
		p.Class = syntheticClass(r)
		identified := dateBetween(r, land.NewDate(2020, 1, 1), land.NewDate(2024, 12, 31))
		p.ParcelFields = ledgers[p.park].fields(p.Class, p.AreaMu, identified)
		p.steps = syntheticSteps(r, p.Class, p.AreaMu, identified, counts)
		steps := 0
		for _, d := range p.steps {
			p.Disposed += d.AreaMu
			steps++
		}
		if p.AreaMu-p.Disposed < land.AreaEpsilonMu {
			p.Disposed = p.AreaMu
		}
		p.Status = statusFor(p.AreaMu, p.Disposed, steps)
		p.Flags = append(p.Flags, land.FlagDemo)
		p.CreatedBy, p.UpdatedBy, p.CreatedAt, p.UpdatedAt = SyntheticActor, SyntheticActor, now, now
		stock[p.park] += p.AreaMu
		parcels = append(parcels, p)
	}
	// Built-up areas so that 三类 land is 10–30% of them; targets 5–15% of the stock.
	for i := range parks {
		share := uniform(r, 0.10, 0.30)
		parks[i].BuiltupMu = math.Round(math.Max(stock[i]/share, parks[i].AreaMu*0.3))
		parks[i].TargetMu = math.Round(stock[i] * uniform(r, 0.05, 0.15))
	}

	err = store.Update(ctx, func(tx land.Tx) error {
		events := make([]land.Event, len(parks))
		for i := range parks {
			p := &parks[i]
			if err := tx.InsertPark(ctx, p); err != nil {
				return fmt.Errorf("insert park %s: %w", p.Code, err)
			}
			after, err := eventJSON(land.FeatureState{Type: "Feature", Geometry: geo.AppendGeometryJSON(nil, p.Boundary, land.CoordinateDecimals), Properties: p})
			if err != nil {
				return err
			}
			events[i] = land.Event{ParkCode: p.Code, Kind: land.EventParkCreate, Actor: SyntheticActor, At: now, After: after}
		}
		if err := tx.AppendEvents(ctx, events); err != nil {
			return fmt.Errorf("append events of parks: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("synthetic: %w", err)
	}
	for start := 0; start < len(parcels); start += syntheticBatch {
		batch := parcels[start:min(start+syntheticBatch, len(parcels))]
		if err := store.Update(ctx, func(tx land.Tx) error { return insertSynthetic(ctx, tx, batch, now) }); err != nil {
			return fmt.Errorf("synthetic: parcels %d–%d: %w", start+1, start+len(batch), err)
		}
	}
	return nil
}

// synthParcel is a parcel to insert with its park's position and its steps.
type synthParcel struct {
	land.Parcel
	park  int
	steps []land.Disposal
}

// measureSynthetic normalises a generated polygon, computes its area on the
// plane of its centroid zone and places it in the park holding most of it,
// as land's rules do.
func measureSynthetic(ix *geo.AreaIndex, poly orb.Polygon) (synthParcel, error) {
	g := geo.Normalize(poly, land.CoordinateDecimals)
	z := geo.CentroidZone(g)
	area := geo.AreaM2(g, z)
	shares, inside, err := ix.Shares(g, z)
	if err != nil {
		return synthParcel{}, fmt.Errorf("place in a park: %w", err)
	}
	if len(shares) == 0 || shares[0].AreaM2 <= geo.OverlapToleranceM2 {
		return synthParcel{}, fmt.Errorf("lies in no park")
	}
	p := synthParcel{park: shares[0].Index}
	p.Geometry, p.GKZone, p.AreaM2, p.AreaMu = g, z, area, geo.MuFromM2(area)
	if !inside && area-shares[0].AreaM2 > geo.OverlapToleranceM2 {
		p.Flags = []string{land.FlagStraddlesBoundary}
	}
	return p, nil
}

// insertSynthetic writes parcels, their steps and an event for each: the
// parcels at once (land.Tx.InsertParcels), then their creation events at
// once, then the steps one by one, and their events at once. Every parcel's
// creation event so comes before the events of its steps, and these in the
// order of the steps.
func insertSynthetic(ctx context.Context, tx land.Tx, batch []synthParcel, now time.Time) error {
	type stepState struct {
		Disposal land.Disposal `json:"disposal"`
		Status   land.Status   `json:"status"`
		Disposed float64       `json:"disposed_mu"`
	}
	ps := make([]land.Parcel, len(batch))
	for i := range batch {
		ps[i] = batch[i].Parcel
	}
	if err := tx.InsertParcels(ctx, ps); err != nil {
		return fmt.Errorf("insert parcels: %w", err)
	}
	events := make([]land.Event, 0, len(batch))
	for i := range batch {
		p := &batch[i].Parcel
		p.ID, p.Version = ps[i].ID, ps[i].Version
		after, err := eventJSON(land.FeatureState{Type: "Feature", Geometry: geo.AppendGeometryJSON(nil, p.Geometry, land.CoordinateDecimals), Properties: p})
		if err != nil {
			return err
		}
		events = append(events, land.Event{ParkCode: p.ParkCode, ParcelID: p.ID, Kind: land.EventParcelCreate, Actor: SyntheticActor, At: now, After: after})
	}
	if err := tx.AppendEvents(ctx, events); err != nil {
		return fmt.Errorf("append events of parcels: %w", err)
	}

	events = events[:0]
	for i := range batch {
		sp := &batch[i]
		p := &sp.Parcel
		disposed := 0.0
		for k := range sp.steps {
			d := &sp.steps[k]
			d.ParcelID, d.ParkCode, d.CreatedBy, d.CreatedAt = p.ID, p.ParkCode, SyntheticActor, now
			if err := tx.InsertDisposal(ctx, d); err != nil {
				return fmt.Errorf("insert disposal of parcel %d: %w", p.ID, err)
			}
			disposed += d.AreaMu
			after, err := eventJSON(stepState{Disposal: *d, Status: statusFor(p.AreaMu, disposed, k+1), Disposed: disposed})
			if err != nil {
				return err
			}
			events = append(events, land.Event{ParkCode: p.ParkCode, ParcelID: p.ID, Kind: land.EventDisposalCreate, Actor: SyntheticActor, At: now, After: after})
		}
	}
	if err := tx.AppendEvents(ctx, events); err != nil {
		return fmt.Errorf("append events of disposals: %w", err)
	}
	return nil
}

// statusFor derives a parcel's status from its steps, by the rule of
// DESIGN.md that package land applies (its statusFor is not exported):
// disposed when counting steps cover the area, in progress with any step.
func statusFor(areaMu, disposedMu float64, steps int) land.Status {
	switch {
	case steps > 0 && disposedMu >= areaMu-land.AreaEpsilonMu:
		return land.Disposed
	case steps > 0:
		return land.InProgress
	}
	return land.Pending
}

// syntheticClass draws a class: 批而未供 45%, 闲置 20%, 低效 35%.
func syntheticClass(r *rand.Rand) land.Class {
	switch n := r.IntN(100); {
	case n < 45:
		return land.Unsupplied
	case n < 65:
		return land.Idle
	}
	return land.Inefficient
}

// syntheticSteps draws a parcel's disposal steps: about 10% disposed whole
// (in one or two counting steps, sometimes after a step that does not
// count), 5% disposed in part, 5% with steps that do not count only.
// Counting steps carry the area they use up, so that the stored parcel
// needs no later update.
func syntheticSteps(r *rand.Rand, c land.Class, areaMu float64, identified land.Date, counts map[string]bool) []land.Disposal {
	last := syntheticLastDate()
	if !identified.Before(last.AddDate(0, 0, -60)) {
		return nil
	}
	step := func(m methodChoice, d land.Date, area float64) land.Disposal {
		if !counts[m.code] {
			area = 0
		}
		return land.Disposal{Method: m.code, Counts: counts[m.code], Date: d, AreaMu: area, Note: m.note}
	}
	switch n := r.IntN(100); {
	case n < 10: // disposed whole
		var steps []land.Disposal
		d := dateBetween(r, identified.AddDate(0, 0, 30), last)
		if r.IntN(5) == 0 {
			steps = append(steps, step(pickMethod(r, nonCountingMethods(c)), dateBetween(r, identified.AddDate(0, 0, 10), d), 0))
		}
		m := pickMethod(r, countingMethods(c))
		if r.IntN(6) == 0 {
			part := round2(areaMu * uniform(r, 0.3, 0.7))
			steps = append(steps, step(m, dateBetween(r, identified.AddDate(0, 0, 20), d), part))
			return append(steps, step(m, d, areaMu-part))
		}
		return append(steps, step(m, d, areaMu))
	case n < 15: // disposed in part
		m := pickMethod(r, countingMethods(c))
		return []land.Disposal{step(m, dateBetween(r, identified.AddDate(0, 0, 30), last), round2(areaMu*uniform(r, 0.2, 0.8)))}
	case n < 20: // in progress without area
		return []land.Disposal{step(pickMethod(r, nonCountingMethods(c)), dateBetween(r, identified.AddDate(0, 0, 15), last), 0)}
	}
	return nil
}

// syntheticLocale is a made-up locale for synthetic park i.
func syntheticLocale(i int) locale {
	return locale{
		county:     fmt.Sprintf("9%05d", i%100000),
		district:   fmt.Sprintf("合成园区%05d", i+1),
		batchCity:  "合成市",
		firmPlace:  []string{"湖南", "合成", "中部"},
		roads:      []string{"工业大道", "科技路", "创业路", "园区大道", "经开路", "高新路", "环园路", "纬一路", "经二路"},
		industries: []string{"新材料", "装备制造", "电子信息", "生物医药", "食品加工", "纺织服饰", "汽车零部件", "新能源"},
	}
}

// eventJSON encodes an event's state.
func eventJSON(v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode event state: %w", err)
	}
	return b, nil
}
