package land

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"time"

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
	// phase "prepare" (validation, area, park) then "write" (matching,
	// overlaps, rows and events), done of total.
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

// ImportParcels creates or updates parcels from the features of imported
// files. Each feature is validated, measured and placed in a park; one with
// the 电子监管号 or, lacking that, the 宗地编号 of an active parcel updates
// it (only with the fields the file gave), else it creates a parcel. Features
// are refused for invalid data or geometry, a place outside every park (or
// outside opt.ParkCode), an overlap with an active parcel or an earlier
// feature, a key repeated in the import, or a park the actor may not write.
// All accepted features and their events are written in one transaction, or
// none when opt.DryRun, when opt.AllOrNothing and a feature was refused, or
// when none was accepted. A dry run runs the very same checks and writes,
// then rolls back, so its report is what a commit would do.
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
	stored, err := s.store.ListParcels(ctx, ParcelFilter{Codes: codes, SupervisionNos: supNos})
	if err != nil {
		return ImportResult{}, fmt.Errorf("find parcels by key: %w", err)
	}
	plans, err := s.prepareImport(ctx, items, newParcelKeys(stored), opt, progress)
	if err != nil {
		return ImportResult{}, err
	}

	var res ImportResult
	err = s.store.Update(ctx, func(tx Tx) error {
		res = ImportResult{DryRun: opt.DryRun, Outcomes: make([]ImportOutcome, len(items))}
		now := s.now().UTC()
		// The parcels matched before the transaction must still be as they
		// were; a parcel with an imported key may have appeared meanwhile.
		current, err := tx.ListParcels(ctx, ParcelFilter{Codes: codes, SupervisionNos: supNos})
		if err != nil {
			return fmt.Errorf("find parcels by key: %w", err)
		}
		keys := newParcelKeys(current)
		seen := map[string]int{} // key → index of the accepted item holding it
		taken := map[int64]int{} // stored parcel → index of the item updating it
		for i := range plans {
			if i%importProgressStep == 0 {
				progress("write", i, len(plans))
			}
			out, err := s.writeImported(ctx, tx, actor, &plans[i], i, keys, seen, taken, opt, now)
			if err != nil {
				if e, ok := AsError(err); ok {
					// Keep what was measured (park, area): the report shows it.
					out.Action, out.Error, out.ParcelID, out.Changed = ImportReject, e, 0, nil
				} else {
					return err
				}
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
		}
		progress("write", len(plans), len(plans))
		if opt.DryRun || res.Created+res.Updated == 0 || (opt.AllOrNothing && res.Rejected > 0) {
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

// importPlan is one item after the checks made before the transaction.
type importPlan struct {
	item     *ImportItem
	parcel   Parcel  // prepared new state
	match    *Parcel // the stored parcel it updates, nil for a create
	matchBy  string
	changed  []string
	err      error
	prepared bool
}

// prepareImport validates, measures and places every item, and finds the
// parcel each updates, on all cores: this is the bulk of an import's work,
// and it needs no transaction (the park index is shared and cached anyway).
func (s *Service) prepareImport(ctx context.Context, items []ImportItem, keys parcelKeys, opt ImportOptions, progress func(string, int, int)) ([]importPlan, error) {
	plans := make([]importPlan, len(items))
	for i := range items {
		plans[i].item = &items[i]
	}
	workers := min(runtime.GOMAXPROCS(0), max(1, len(items)/64))
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		next  int
		done  int
		fatal error
	)
	progress("prepare", 0, len(items))
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
				if i >= len(plans) || stop {
					return
				}
				err := s.planImport(ctx, &plans[i], keys, opt)
				mu.Lock()
				if err != nil && fatal == nil {
					fatal = err
				}
				done++
				if done%importProgressStep == 0 {
					progress("prepare", done, len(items))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if fatal != nil {
		return nil, fatal
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("import cancelled: %w", err)
	}
	progress("prepare", len(items), len(items))
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

// writeImported checks one prepared item against the state inside the
// transaction and writes it.
func (s *Service) writeImported(ctx context.Context, tx Tx, actor Actor, pl *importPlan, i int, keys parcelKeys,
	seen map[string]int, taken map[int64]int, opt ImportOptions, now time.Time) (ImportOutcome, error) {
	if pl.err != nil {
		return ImportOutcome{}, pl.err
	}
	p := pl.parcel
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
	// The stored parcel this item matches now.
	cands, _ := keys.candidates(&pl.item.ParcelInput)
	if pl.match == nil && len(cands) > 0 {
		return out, &Error{Kind: KindConflict, Title: "地块已被他人登记",
			Detail: "导入期间已有相同编号的地块登记，请重新导入"}
	}
	if pl.match != nil {
		var cur *Parcel
		for j := range cands {
			if cands[j].ID == pl.match.ID {
				cur = &cands[j]
			}
		}
		if cur == nil || cur.Version != pl.match.Version {
			return out, staleError(pl.match.ID, pl.match.Version+1, pl.match.Version)
		}
		if j, dup := taken[cur.ID]; dup {
			return out, &Error{Kind: KindConflict, Title: "重复更新同一地块",
				Fields: []FieldError{{pl.matchBy, fmt.Sprintf("与第 %d 个要素对应同一在册地块 #%d", j+1, cur.ID)}}}
		}
		taken[cur.ID] = i
	}
	markSeen := func() {
		if p.SupervisionNo != "" {
			seen["supervision_no\x00"+p.SupervisionNo] = i
		}
		if p.Code != "" {
			seen["code\x00"+p.Code] = i
		}
	}
	if pl.match != nil {
		out.ParcelID = pl.match.ID
		if len(pl.changed) == 0 {
			markSeen()
			out.Action = ImportUnchanged
			return out, nil
		}
		q, err := s.replaceParcel(ctx, tx, actor, *pl.match, ParcelInput{}, &p)
		if err != nil {
			return out, err
		}
		markSeen()
		out.Action, out.Changed, out.Flags = ImportUpdate, pl.changed, q.Flags
		return out, nil
	}
	if err := checkOverlaps(ctx, tx, p.Geometry, p.GKZone, 0); err != nil {
		return out, err
	}
	p.CreatedBy, p.UpdatedBy, p.CreatedAt, p.UpdatedAt = actor.Name, actor.Name, now, now
	if err := tx.InsertParcel(ctx, &p); err != nil {
		return out, fmt.Errorf("insert parcel: %w", err)
	}
	if err := appendEvent(ctx, tx, &Event{ParkCode: p.ParkCode, ParcelID: p.ID, Kind: EventParcelCreate, Actor: actor.Name, At: now}, nil, parcelState(p)); err != nil {
		return out, err
	}
	markSeen()
	out.Action, out.ParcelID = ImportCreate, p.ID
	return out, nil
}
