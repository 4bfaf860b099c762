package land

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"github.com/peterstace/simplefeatures/rtree"

	"panhuo/geo"
)

// ImportItem is one feature of an import, as the importer made it into a
// parcel input.
type ImportItem struct {
	ParcelInput
	// Label says where the feature is in its file, for messages
	// ("a.shp 第 3 个要素", "台账.xlsx 第 12 行").
	Label string
	// Set names the fields (contract names, "class" among them) the file
	// gave. When the feature updates a stored parcel only they replace the
	// stored values, and the geometry only when Geometry is not nil. nil
	// means every field.
	Set map[string]bool
	// Refused, when not nil, is why the importer could not make the feature
	// into a parcel input (a bad attribute, an unreadable geometry): the item
	// is reported as rejected with it and nothing else is checked.
	Refused *Error
}

// ImportOptions say how ImportParcels writes.
type ImportOptions struct {
	// DryRun checks everything, exactly as a commit would, and writes
	// nothing.
	DryRun bool
	// ParkCode, when set, is the park every feature must lie in.
	ParkCode string
	// AllOrNothing writes nothing when any feature is rejected; otherwise
	// the accepted features are written and the rejected ones reported.
	AllOrNothing bool
	// Progress, when set, is called as features are checked and written:
	// phase "prepare" (validation, area, park, matching; done of the
	// features), "overlap" (done of the features to write) then "write"
	// (done of the rows and events to write).
	Progress func(phase string, done, total int)
}

// ImportAction is what an import does with one feature.
type ImportAction string

// Import actions.
const (
	ImportCreate    ImportAction = "create"    // a new parcel
	ImportUpdate    ImportAction = "update"    // changes the parcel with the same 电子监管号 or 宗地编号
	ImportUnchanged ImportAction = "unchanged" // the same as the stored parcel: nothing written
	ImportReject    ImportAction = "reject"    // refused, with the reason in Error
)

// ImportOutcome is the result of one feature.
type ImportOutcome struct {
	Action ImportAction
	// ParcelID is the parcel updated, or created (0 in a dry run).
	ParcelID int64
	ParkCode string
	Class    Class
	AreaMu   float64
	Flags    []string
	// Changed lists the fields (contract names, "geometry", "class") an
	// update changes.
	Changed []string
	Error   *Error
}

// ImportResult is the report of an import, one outcome per item in order.
type ImportResult struct {
	DryRun    bool
	Committed bool // the accepted features were written
	Outcomes  []ImportOutcome
	Created   int
	Updated   int
	Unchanged int
	Rejected  int
	AreaMu    float64 // area of the created and updated parcels
}

// errImportRollback undoes an import's transaction on purpose: a dry run,
// or an all-or-nothing import with a rejected feature.
var errImportRollback = errors.New("import rolled back")

// importProgressStep is how many features pass between progress calls.
const importProgressStep = 100

// importWriteChunk is how many parcels or events are written at once, between
// progress calls.
const importWriteChunk = 1000

// ImportParcels creates or updates parcels from the features of imported
// files. Each feature is validated, measured and placed in a park; one with
// the 电子监管号 or, lacking that, the 宗地编号 of an active parcel updates
// it (only with the fields the file gave), else it creates a parcel. Features
// are refused for invalid data or geometry, a place outside every park (or
// outside opt.ParkCode), an overlap with an active parcel or an accepted
// earlier feature, a key repeated in the import, or a park the actor may not
// write. All accepted features and their events are written in one
// transaction, or none when opt.DryRun, when opt.AllOrNothing and a feature
// was refused, or when none was accepted. A dry run runs the very same checks
// and writes, then rolls back, so its report is what a commit would do.
//
// Everything happens inside the write transaction, so that what is checked
// is what is written over; the store serializes writers, so the checks may
// read through the store's other connections and still see the state the
// transaction started from. The work per feature (validation, area, park,
// overlays) runs on all cores; the decisions are then taken in file order,
// in memory, and the rows written in bulk.
func (s *Service) ImportParcels(ctx context.Context, actor Actor, items []ImportItem, opt ImportOptions) (ImportResult, error) {
	if err := actor.check(); err != nil {
		return ImportResult{}, err
	}
	if actor.Role == RoleLeader {
		return ImportResult{}, forbidden(actor, "只能查看，不能导入数据")
	}
	if opt.ParkCode != "" && !actor.MayEditPark(opt.ParkCode) {
		return ImportResult{}, requirePark(actor, opt.ParkCode)
	}
	progress := opt.Progress
	if progress == nil {
		progress = func(string, int, int) {}
	}
	codes, supNos := importKeys(items)

	var res ImportResult
	err := s.store.Update(ctx, func(tx Tx) error {
		if err := s.checkParks(ctx, tx); err != nil {
			return err
		}
		stored, err := tx.ListParcels(ctx, ParcelFilter{Codes: codes, SupervisionNos: supNos})
		if err != nil {
			return fmt.Errorf("find parcels by key: %w", err)
		}
		plans, err := s.prepareImport(ctx, items, newParcelKeys(stored), opt, progress)
		if err != nil {
			return err
		}
		if err := findImportOverlaps(ctx, tx, plans, progress); err != nil {
			return err
		}
		for i := range plans {
			pl := &plans[i]
			if pl.match != nil && pl.err == nil && len(pl.changed) > 0 {
				if pl.steps, err = tx.ListDisposals(ctx, pl.match.ID); err != nil {
					return fmt.Errorf("list disposals of parcel %d: %w", pl.match.ID, err)
				}
			}
		}
		res = s.decideImport(actor, plans, opt)
		if res.Created+res.Updated == 0 || (opt.AllOrNothing && res.Rejected > 0) {
			return errImportRollback
		}
		if err := s.writeImport(ctx, tx, actor, plans, &res, progress); err != nil {
			return err
		}
		if opt.DryRun {
			return errImportRollback
		}
		return nil
	})
	switch {
	case errors.Is(err, errImportRollback):
		if opt.DryRun {
			for i := range res.Outcomes {
				if res.Outcomes[i].Action == ImportCreate {
					res.Outcomes[i].ParcelID = 0
				}
			}
		}
		return res, nil
	case err != nil:
		return ImportResult{}, err
	}
	res.Committed = true
	return res, nil
}

// importKeys lists the 宗地编号 and 电子监管号 the items carry.
func importKeys(items []ImportItem) (codes, supNos []string) {
	codes, supNos = []string{}, []string{}
	for _, it := range items {
		if it.Code != "" {
			codes = append(codes, it.Code)
		}
		if it.SupervisionNo != "" {
			supNos = append(supNos, it.SupervisionNo)
		}
	}
	return codes, supNos
}

// parcelKeys finds active parcels by 电子监管号 and 宗地编号.
type parcelKeys struct {
	bySupNo map[string][]Parcel
	byCode  map[string][]Parcel
}

func newParcelKeys(ps []Parcel) parcelKeys {
	k := parcelKeys{bySupNo: map[string][]Parcel{}, byCode: map[string][]Parcel{}}
	for _, p := range ps {
		if p.Removed() {
			continue
		}
		if p.SupervisionNo != "" {
			k.bySupNo[p.SupervisionNo] = append(k.bySupNo[p.SupervisionNo], p)
		}
		if p.Code != "" {
			k.byCode[p.Code] = append(k.byCode[p.Code], p)
		}
	}
	return k
}

// candidates are the stored parcels an item may update: those with its
// 电子监管号 (a national id), else those with its 宗地编号.
func (k parcelKeys) candidates(in *ParcelInput) (ps []Parcel, by string) {
	if in.SupervisionNo != "" {
		if ps := k.bySupNo[in.SupervisionNo]; len(ps) > 0 {
			return ps, "supervision_no"
		}
	}
	if in.Code != "" {
		if ps := k.byCode[in.Code]; len(ps) > 0 {
			return ps, "code"
		}
	}
	return nil, ""
}

// importPlan is one item of an import on its way: prepared (validated,
// measured, placed, matched), checked for overlaps, then decided.
type importPlan struct {
	item     *ImportItem
	parcel   Parcel  // prepared new state
	match    *Parcel // the stored parcel it updates, nil for a create
	matchBy  string
	changed  []string
	err      error // the refusal found while preparing
	prepared bool
	steps    []Disposal // the disposal steps of match, when it changes

	// Overlaps of the prepared geometry with the active stored parcels
	// (other than match) and with the earlier items that write a geometry,
	// by parcel id and item index; which of them count is decided in order.
	storedHits []overlapHit
	itemHits   []overlapHit

	// The decision.
	accepted bool
	active   bool // its new state takes part in overlap checks (not disposed)
}

// writesGeometry tells whether an accepted plan would put a new geometry on
// the map: a create, or an update that moves the parcel.
func (pl *importPlan) writesGeometry() bool {
	return pl.prepared && pl.err == nil && (pl.match == nil || slices.Contains(pl.changed, "geometry"))
}

// needsOverlapCheck tells whether a plan is written if accepted, and so must
// not overlap: a create, or an update that changes anything.
func (pl *importPlan) needsOverlapCheck() bool {
	return pl.prepared && pl.err == nil && (pl.match == nil || len(pl.changed) > 0)
}

// overlapHit is an overlap found before the decisions: with the stored
// parcel, or else with the earlier item of index item.
type overlapHit struct {
	parcel *Parcel
	item   int
	areaM2 float64
}

// prepareImport validates, measures and places every item, and finds the
// parcel each updates, on all cores: this is the bulk of an import's work.
func (s *Service) prepareImport(ctx context.Context, items []ImportItem, keys parcelKeys, opt ImportOptions, progress func(string, int, int)) ([]importPlan, error) {
	plans := make([]importPlan, len(items))
	for i := range items {
		plans[i].item = &items[i]
	}
	progress("prepare", 0, len(items))
	err := parallel(ctx, len(plans), func(i int) error {
		return s.planImport(ctx, &plans[i], keys, opt)
	}, func(done int) { progress("prepare", done, len(items)) })
	if err != nil {
		return nil, err
	}
	return plans, nil
}

// planImport prepares one item: its effective input (merged with the stored
// parcel it updates), validated, measured and placed. A refusal is kept in
// pl.err; only a failure of the machinery is returned.
func (s *Service) planImport(ctx context.Context, pl *importPlan, keys parcelKeys, opt ImportOptions) error {
	it := pl.item
	if it.Refused != nil {
		pl.err = it.Refused
		return nil
	}
	cands, by := keys.candidates(&it.ParcelInput)
	in := it.ParcelInput
	if len(cands) > 0 {
		// An update: the stored parcel, with what the file gave.
		var chosen *Parcel
		if len(cands) == 1 {
			chosen = &cands[0]
		} else if it.Geometry != nil || opt.ParkCode != "" {
			park := opt.ParkCode
			if park == "" {
				p, err := s.prepareNew(ctx, s.store, in)
				if err != nil {
					return keepRefusal(pl, err)
				}
				park = p.ParkCode
			}
			for i := range cands {
				if cands[i].ParkCode == park {
					if chosen != nil {
						chosen = nil
						break
					}
					chosen = &cands[i]
				}
			}
		}
		if chosen == nil {
			ids := make([]string, len(cands))
			for i, c := range cands {
				ids[i] = fmt.Sprintf("#%d（%s）", c.ID, c.ParkCode)
			}
			pl.err = &Error{Kind: KindConflict, Title: "无法确定要更新的地块",
				Detail: "台账中的编号对应多个地块，请补充电子监管号或地块图形",
				Fields: []FieldError{{by, fmt.Sprintf("%s 对应多个在册地块：%v", keyValue(&in, by), ids)}}}
			return nil
		}
		pl.match, pl.matchBy = chosen, by
		in = mergeImport(*chosen, it)
	} else if in.Geometry == nil {
		key := in.Code
		if in.SupervisionNo != "" {
			key = in.SupervisionNo
		}
		reason := "该行没有地块图形，也没有宗地编号或电子监管号可与已有地块对应"
		if key != "" {
			reason = fmt.Sprintf("没有宗地编号或电子监管号为 %s 的在册地块，且该行没有地块图形（可同时上传图形文件，或在 WKT 列给出图形）", key)
		}
		pl.err = Invalid("找不到对应的地块", FieldError{"geometry", reason})
		return nil
	}
	p, err := s.prepareNew(ctx, s.store, in)
	if err != nil {
		return keepRefusal(pl, err)
	}
	pl.parcel, pl.prepared = p, true
	if pl.match != nil {
		pl.changed = changedFields(*pl.match, p)
	}
	return nil
}

// keepRefusal records a domain error as the plan's refusal and returns any
// other error.
func keepRefusal(pl *importPlan, err error) error {
	if _, ok := AsError(err); ok {
		pl.err = err
		return nil
	}
	return fmt.Errorf("prepare import feature %s: %w", pl.item.Label, err)
}

func keyValue(in *ParcelInput, by string) string {
	if by == "supervision_no" {
		return "电子监管号 " + in.SupervisionNo
	}
	return "宗地编号 " + in.Code
}

// mergeImport is the input that updates stored parcel old with the fields
// and geometry an imported item gave.
func mergeImport(old Parcel, it *ImportItem) ParcelInput {
	in := ParcelInput{Class: old.Class, Geometry: old.Geometry, GKZone: old.GKZone,
		SurveyedAreaM2: old.AreaM2, ParcelFields: old.ParcelFields, Demo: old.HasFlag(FlagDemo)}
	if it.Geometry != nil {
		in.Geometry, in.GKZone, in.SurveyedAreaM2 = it.Geometry, it.GKZone, it.SurveyedAreaM2
	}
	if (it.Set == nil || it.Set["class"]) && it.Class != "" {
		in.Class = it.Class
	}
	in.ParcelFields = old.ParcelFields.With(it.ParcelFields, it.Set)
	return in
}

// With returns f with the fields set names (contract names) taken from
// src; a nil set takes every field.
func (f ParcelFields) With(src ParcelFields, set map[string]bool) ParcelFields {
	dst := &f
	for _, t := range []struct {
		name     string
		src, dst any
	}{
		{"code", &src.Code, &dst.Code}, {"supervision_no", &src.SupervisionNo, &dst.SupervisionNo},
		{"project_name", &src.ProjectName, &dst.ProjectName}, {"land_user", &src.LandUser, &dst.LandUser},
		{"location", &src.Location, &dst.Location}, {"land_use", &src.LandUse, &dst.LandUse},
		{"declared_area_mu", &src.DeclaredAreaMu, &dst.DeclaredAreaMu}, {"identified_on", &src.IdentifiedOn, &dst.IdentifiedOn},
		{"note", &src.Note, &dst.Note}, {"batch_name", &src.BatchName, &dst.BatchName},
		{"approval_no", &src.ApprovalNo, &dst.ApprovalNo}, {"approved_on", &src.ApprovedOn, &dst.ApprovedOn},
		{"contract_no", &src.ContractNo, &dst.ContractNo}, {"agreed_start_on", &src.AgreedStartOn, &dst.AgreedStartOn},
		{"agreed_completion_on", &src.AgreedCompletionOn, &dst.AgreedCompletionOn}, {"idle_cause", &src.IdleCause, &dst.IdleCause},
		{"identified_reason", &src.IdentifiedReason, &dst.IdentifiedReason}, {"plot_ratio", &src.PlotRatio, &dst.PlotRatio},
		{"tax_per_mu", &src.TaxPerMu, &dst.TaxPerMu},
	} {
		if set != nil && !set[t.name] {
			continue
		}
		switch d := t.dst.(type) {
		case *string:
			*d = *t.src.(*string)
		case **float64:
			*d = *t.src.(**float64)
		case *Date:
			*d = *t.src.(*Date)
		}
	}
	return f
}

// changedFields lists what differs between a stored parcel and its new
// state: "class", "geometry", "gk_zone" and the ledger fields by contract name.
func changedFields(old, p Parcel) []string {
	var out []string
	if old.Class != p.Class {
		out = append(out, "class")
	}
	if !bytes.Equal(geo.AppendGeometryJSON(nil, old.Geometry, CoordinateDecimals), geo.AppendGeometryJSON(nil, p.Geometry, CoordinateDecimals)) {
		out = append(out, "geometry")
	}
	if old.GKZone != p.GKZone {
		out = append(out, "gk_zone")
	}
	a, errA := fieldMap(old.ParcelFields)
	b, errB := fieldMap(p.ParcelFields)
	if errA != nil || errB != nil {
		return append(out, "fields")
	}
	var names []string
	for k := range b {
		if !bytes.Equal(a[k], b[k]) {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return append(out, names...)
}

func fieldMap(f ParcelFields) (map[string]json.RawMessage, error) {
	b, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	err = json.Unmarshal(b, &m)
	return m, err
}

// findImportOverlaps finds, for every plan that needs the check, the active
// stored parcels and the earlier geometry-writing plans it overlaps. The
// stored parcels are read once per park the plans lie in (those near the
// plans of that park), and the overlays run on all cores against in-memory
// R-trees.
func findImportOverlaps(ctx context.Context, tx Tx, plans []importPlan, progress func(string, int, int)) error {
	// Each geometry is checked for overlays once, when it first takes part
	// in a pair (most features of an import have no neighbour at all).
	items := newOperands(len(plans), func(i int) orb.Geometry { return plans[i].parcel.Geometry })
	defer func() {
		// A feature that cannot be overlaid is refused (validation before
		// and after rounding makes this all but impossible).
		for i, err := range items.errs {
			var ie *geo.InvalidError
			if errors.As(err, &ie) && plans[i].err == nil {
				plans[i].err = invalidGeometry(ie.Problems, "图形无法用于重叠检查：")
			}
		}
	}()
	var checked []int
	parkBounds := map[string]orb.Bound{}
	for i := range plans {
		pl := &plans[i]
		if !pl.needsOverlapCheck() {
			continue
		}
		checked = append(checked, i)
		b := pl.parcel.Geometry.Bound()
		if pb, ok := parkBounds[pl.parcel.ParkCode]; ok {
			b = pb.Union(b)
		}
		parkBounds[pl.parcel.ParkCode] = b
	}
	if len(checked) == 0 {
		return nil
	}
	progress("overlap", 0, len(checked))

	parks := make([]string, 0, len(parkBounds))
	for code := range parkBounds {
		parks = append(parks, code)
	}
	sort.Strings(parks)
	var stored []Parcel
	seen := map[int64]bool{}
	for _, code := range parks {
		near, err := tx.ActiveParcelsNear(ctx, parkBounds[code], 0)
		if err != nil {
			return fmt.Errorf("find parcels near the imported ones in park %s: %w", code, err)
		}
		for _, p := range near {
			if !seen[p.ID] {
				seen[p.ID] = true
				stored = append(stored, p)
			}
		}
	}
	storedOps := newOperands(len(stored), func(k int) orb.Geometry { return stored[k].Geometry })
	storedItems := make([]rtree.BulkItem, len(stored))
	for k := range stored {
		storedItems[k] = rtree.BulkItem{Box: boxOf(stored[k].Geometry.Bound()), RecordID: k}
	}
	storedTree := rtree.BulkLoad(storedItems)
	var writerItems []rtree.BulkItem
	for _, i := range checked {
		if plans[i].writesGeometry() {
			writerItems = append(writerItems, rtree.BulkItem{Box: boxOf(plans[i].parcel.Geometry.Bound()), RecordID: i})
		}
	}
	writerTree := rtree.BulkLoad(writerItems)

	return parallel(ctx, len(checked), func(k int) error {
		i := checked[k]
		pl := &plans[i]
		g, zone := pl.parcel.Geometry, pl.parcel.GKZone
		box := boxOf(g.Bound())
		var except int64
		if pl.match != nil {
			except = pl.match.ID
		}
		err := storedTree.RangeSearch(box, func(k int) error {
			o := &stored[k]
			if o.ID == except {
				return nil
			}
			op, ok := items.get(i)
			if !ok {
				return errSkipPairs
			}
			other, ok := storedOps.get(k)
			if !ok {
				return fmt.Errorf("stored parcel %d cannot be overlaid: %w", o.ID, storedOps.errs[k])
			}
			a, err := geo.OperandIntersectionAreaM2(op, other, zone)
			if err != nil {
				return fmt.Errorf("overlay %s with parcel %d: %w", pl.item.Label, o.ID, err)
			}
			if a > geo.OverlapToleranceM2 {
				pl.storedHits = append(pl.storedHits, overlapHit{parcel: o, areaM2: a})
			}
			return nil
		})
		if err == nil {
			err = writerTree.RangeSearch(box, func(j int) error {
				if j >= i {
					return nil
				}
				op, ok := items.get(i)
				if !ok {
					return errSkipPairs
				}
				other, ok := items.get(j)
				if !ok {
					return nil // refused itself: no overlap with it counts
				}
				a, err := geo.OperandIntersectionAreaM2(op, other, zone)
				if err != nil {
					return fmt.Errorf("overlay %s with %s: %w", pl.item.Label, plans[j].item.Label, err)
				}
				if a > geo.OverlapToleranceM2 {
					pl.itemHits = append(pl.itemHits, overlapHit{item: j, areaM2: a})
				}
				return nil
			})
		}
		if errors.Is(err, errSkipPairs) {
			return nil
		} else if err != nil {
			return err
		}
		// Messages name them in a stable order.
		sort.Slice(pl.storedHits, func(a, b int) bool { return pl.storedHits[a].parcel.ID < pl.storedHits[b].parcel.ID })
		sort.Slice(pl.itemHits, func(a, b int) bool { return pl.itemHits[a].item < pl.itemHits[b].item })
		return nil
	}, func(done int) { progress("overlap", done, len(checked)) })
}

// errSkipPairs ends the search of a feature's pairs: its own geometry
// cannot be overlaid, and it is refused for that.
var errSkipPairs = errors.New("feature cannot be overlaid")

// operands makes the geo.Operand of each of n geometries when first asked,
// once, safely from several goroutines.
type operands struct {
	geometry func(i int) orb.Geometry
	once     []sync.Once
	ops      []geo.Operand
	errs     []error // read only once every get has returned
}

func newOperands(n int, geometry func(i int) orb.Geometry) *operands {
	return &operands{geometry: geometry, once: make([]sync.Once, n), ops: make([]geo.Operand, n), errs: make([]error, n)}
}

// get returns the operand of geometry i, and false when it cannot be
// overlaid (errs[i] says why).
func (o *operands) get(i int) (geo.Operand, bool) {
	o.once[i].Do(func() { o.ops[i], o.errs[i] = geo.NewOperand(o.geometry(i)) })
	return o.ops[i], o.errs[i] == nil
}

func boxOf(b orb.Bound) rtree.Box {
	return rtree.Box{MinX: b.Min[0], MinY: b.Min[1], MaxX: b.Max[0], MaxY: b.Max[1]}
}

// parallel runs do(0…n-1) on all cores and returns the first error;
// report, when not nil, is called with the number done every
// importProgressStep items and at the end.
func parallel(ctx context.Context, n int, do func(i int) error, report func(done int)) error {
	workers := min(runtime.GOMAXPROCS(0), max(1, n/64))
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		next  int
		done  int
		fatal error
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				stop := fatal != nil || ctx.Err() != nil
				mu.Unlock()
				if i >= n || stop {
					return
				}
				err := do(i)
				mu.Lock()
				if err != nil && fatal == nil {
					fatal = err
				}
				done++
				if report != nil && done%importProgressStep == 0 {
					report(done)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if fatal != nil {
		return fatal
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("import cancelled: %w", err)
	}
	if report != nil {
		report(n)
	}
	return nil
}

// decideImport takes the decisions in file order, in memory: each prepared
// plan is accepted or refused against the plans accepted before it, and the
// accepted ones get the rows they will be written as (without the ids of
// new parcels).
func (s *Service) decideImport(actor Actor, plans []importPlan, opt ImportOptions) ImportResult {
	res := ImportResult{DryRun: opt.DryRun, Outcomes: make([]ImportOutcome, len(plans))}
	now := s.now().UTC()
	seen := map[string]int{}  // key → index of the accepted item holding it
	taken := map[int64]int{}  // stored parcel → index of the accepted item updating it
	moved := map[int64]bool{} // stored parcels an accepted item gave a new geometry
	for i := range plans {
		pl := &plans[i]
		out, err := s.decideOne(actor, plans, i, opt, now, seen, taken, moved)
		if err != nil {
			e, _ := AsError(err)
			// Keep what was measured (park, area): the report shows it.
			out.Action, out.Error, out.ParcelID, out.Changed = ImportReject, e, 0, nil
		}
		res.Outcomes[i] = out
		switch out.Action {
		case ImportCreate:
			res.Created++
			res.AreaMu += out.AreaMu
		case ImportUpdate:
			res.Updated++
			res.AreaMu += out.AreaMu
		case ImportUnchanged:
			res.Unchanged++
		case ImportReject:
			res.Rejected++
		}
		if out.Action == ImportCreate || out.Action == ImportUpdate {
			pl.accepted = true
			pl.active = pl.parcel.Status != Disposed
			if pl.match != nil && pl.writesGeometry() {
				moved[pl.match.ID] = true
			}
		}
		if out.Action != ImportReject {
			for _, k := range importKeyNames(&pl.parcel) {
				seen[k] = i
			}
			if pl.match != nil {
				taken[pl.match.ID] = i
			}
		}
	}
	return res
}

// importKeyNames are the keys of a parcel that may appear once per import.
func importKeyNames(p *Parcel) []string {
	var ks []string
	if p.SupervisionNo != "" {
		ks = append(ks, "supervision_no\x00"+p.SupervisionNo)
	}
	if p.Code != "" {
		ks = append(ks, "code\x00"+p.Code)
	}
	return ks
}

// decideOne decides plan i; a refusal is returned as a domain *Error. An
// accepted plan's parcel becomes the row to write.
func (s *Service) decideOne(actor Actor, plans []importPlan, i int, opt ImportOptions, now time.Time,
	seen map[string]int, taken map[int64]int, moved map[int64]bool) (ImportOutcome, error) {
	pl := &plans[i]
	if pl.err != nil {
		return ImportOutcome{}, pl.err
	}
	p := &pl.parcel
	out := ImportOutcome{ParkCode: p.ParkCode, Class: p.Class, AreaMu: p.AreaMu, Flags: p.Flags}
	// A key may appear once per import.
	for _, k := range []struct{ field, value, name string }{
		{"supervision_no", p.SupervisionNo, "电子监管号"}, {"code", p.Code, "宗地编号"},
	} {
		if k.value == "" {
			continue
		}
		if j, dup := seen[k.field+"\x00"+k.value]; dup {
			return out, &Error{Kind: KindConflict, Title: k.name + "重复",
				Detail: "同一次导入中同一宗地只能出现一次",
				Fields: []FieldError{{k.field, fmt.Sprintf("%s %s 与第 %d 个要素重复", k.name, k.value, j+1)}}}
		}
	}
	if opt.ParkCode != "" && p.ParkCode != opt.ParkCode {
		return out, &Error{Kind: KindOutsideParks, Title: "地块不在所选园区内",
			Fields: []FieldError{{"geometry", fmt.Sprintf("地块位于园区 %s，而导入指定的园区为 %s", p.ParkCode, opt.ParkCode)}}}
	}
	if err := requirePark(actor, p.ParkCode); err != nil {
		return out, err
	}
	if pl.match != nil {
		old := *pl.match
		out.ParcelID = old.ID
		if j, dup := taken[old.ID]; dup {
			return out, &Error{Kind: KindConflict, Title: "重复更新同一地块",
				Fields: []FieldError{{pl.matchBy, fmt.Sprintf("与第 %d 个要素对应同一在册地块 #%d", j+1, old.ID)}}}
		}
		if len(pl.changed) == 0 {
			out.Action = ImportUnchanged
			return out, nil
		}
		if err := checkReplace(actor, old, *p, pl.steps); err != nil {
			return out, err
		}
		if err := importOverlaps(plans, pl, moved); err != nil {
			return out, err
		}
		*p = s.replacement(actor, old, *p, pl.steps)
		out.Action, out.Changed, out.Flags = ImportUpdate, pl.changed, p.Flags
		return out, nil
	}
	if err := importOverlaps(plans, pl, moved); err != nil {
		return out, err
	}
	p.CreatedBy, p.UpdatedBy, p.CreatedAt, p.UpdatedAt = actor.Name, actor.Name, now, now
	out.Action = ImportCreate
	return out, nil
}

// importOverlaps refuses a plan that overlaps an active stored parcel that
// no accepted earlier item moved away, or an accepted earlier item whose
// parcel is active: what checkOverlaps would find had the earlier items been
// written one by one.
func importOverlaps(plans []importPlan, pl *importPlan, moved map[int64]bool) error {
	var fe []FieldError
	for _, h := range pl.storedHits {
		if !moved[h.parcel.ID] {
			fe = append(fe, overlapField(parcelName(*h.parcel), h.areaM2))
		}
	}
	for _, h := range pl.itemHits {
		if q := &plans[h.item]; q.accepted && q.active {
			name := fmt.Sprintf("本次导入的第 %d 个要素", h.item+1)
			if q.parcel.Code != "" {
				name += "（宗地编号 " + q.parcel.Code + "）"
			}
			fe = append(fe, overlapField(name, h.areaM2))
		}
	}
	if len(fe) > 0 {
		return overlapError(fe)
	}
	return nil
}

// writeImport writes the accepted plans: new parcels in bulk, updates one by
// one, then an event for each in file order. It sets the outcomes' parcel ids.
func (s *Service) writeImport(ctx context.Context, tx Tx, actor Actor, plans []importPlan, res *ImportResult, progress func(string, int, int)) error {
	var creates, updates []int
	for i := range plans {
		switch res.Outcomes[i].Action {
		case ImportCreate:
			creates = append(creates, i)
		case ImportUpdate:
			updates = append(updates, i)
		}
	}
	// Progress counts features: half for its row, half for its event.
	total := len(creates) + len(updates)
	rows := 0
	report := func(events int) { progress("write", (rows+events)/2, total) }
	report(0)
	batch := make([]Parcel, 0, min(len(creates), importWriteChunk))
	for k := 0; k < len(creates); k += importWriteChunk {
		chunk := creates[k:min(k+importWriteChunk, len(creates))]
		batch = batch[:0]
		for _, i := range chunk {
			batch = append(batch, plans[i].parcel)
		}
		if err := tx.InsertParcels(ctx, batch); err != nil {
			return fmt.Errorf("insert parcels: %w", err)
		}
		for n, i := range chunk {
			plans[i].parcel.ID, plans[i].parcel.Version = batch[n].ID, batch[n].Version
			res.Outcomes[i].ParcelID = batch[n].ID
		}
		rows += len(chunk)
		report(0)
	}
	for _, i := range updates {
		pl := &plans[i]
		if err := tx.UpdateParcel(ctx, &pl.parcel, pl.match.Version); err != nil {
			// The transaction read the parcel: nobody can have changed it.
			return fmt.Errorf("update parcel %d: %w", pl.match.ID, err)
		}
		if rows++; rows%importProgressStep == 0 {
			report(0)
		}
	}

	// The events, in file order, encoded a chunk at a time on all cores:
	// their JSON (a GeoJSON Feature each, two for an update) is the largest
	// thing an import holds, so no more than a chunk of it is kept.
	written := slices.Concat(creates, updates)
	sort.Ints(written)
	events := make([]Event, 0, min(len(written), importWriteChunk))
	for k := 0; k < len(written); k += importWriteChunk {
		chunk := written[k:min(k+importWriteChunk, len(written))]
		events = events[:len(chunk)]
		err := parallel(ctx, len(chunk), func(n int) error {
			var err error
			events[n], err = importEvent(actor, &plans[chunk[n]])
			return err
		}, nil)
		if err != nil {
			return err
		}
		if err := tx.AppendEvents(ctx, events); err != nil {
			return fmt.Errorf("append import events: %w", err)
		}
		report(k + len(chunk))
	}
	return nil
}

// importEvent is the event of an accepted plan: parcel.create with the new
// state, or parcel.update with the stored and the new state.
func importEvent(actor Actor, pl *importPlan) (Event, error) {
	p := &pl.parcel
	e := Event{ParkCode: p.ParkCode, ParcelID: p.ID, Kind: EventParcelCreate, Actor: actor.Name, At: p.UpdatedAt}
	var err error
	if pl.match != nil {
		e.Kind = EventParcelUpdate
		if e.Before, err = json.Marshal(parcelState(*pl.match)); err != nil {
			return Event{}, fmt.Errorf("encode event before-state: %w", err)
		}
	}
	if e.After, err = json.Marshal(parcelState(*p)); err != nil {
		return Event{}, fmt.Errorf("encode event after-state: %w", err)
	}
	return e, nil
}
