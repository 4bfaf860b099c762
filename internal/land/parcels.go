package land

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"panhuo/geo"
)

// appendEvent writes an event with the before/after states as JSON.
func appendEvent(ctx context.Context, tx Tx, e *Event, before, after any) error {
	var err error
	if before != nil {
		if e.Before, err = json.Marshal(before); err != nil {
			return fmt.Errorf("encode event before-state: %w", err)
		}
	}
	if after != nil {
		if e.After, err = json.Marshal(after); err != nil {
			return fmt.Errorf("encode event after-state: %w", err)
		}
	}
	if err := tx.AppendEvent(ctx, e); err != nil {
		return fmt.Errorf("append %s event: %w", e.Kind, err)
	}
	return nil
}

// FeatureState is a parcel or park as the event trail records it: a GeoJSON
// Feature with the stored properties.
type FeatureState struct {
	Type       string          `json:"type"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties any             `json:"properties"`
}

func parcelState(p Parcel) FeatureState {
	return FeatureState{Type: "Feature", Geometry: geo.AppendGeometryJSON(nil, p.Geometry, CoordinateDecimals), Properties: p}
}

func parkState(p Park) FeatureState {
	return FeatureState{Type: "Feature", Geometry: geo.AppendGeometryJSON(nil, p.Boundary, CoordinateDecimals), Properties: p}
}

// validateFields checks the ledger fields and class; it fills identified_on
// when the ledger leaves it out.
func (s *Service) validateFields(in *ParcelInput) []FieldError {
	var fe []FieldError
	if !in.Class.Valid() {
		fe = append(fe, FieldError{"class", "类别须为 unsupplied（批而未供）、idle（闲置）或 inefficient（低效）"})
	}
	f := &in.ParcelFields
	for _, t := range []struct {
		name string
		v    *string
		max  int
	}{
		{"code", &f.Code, 64}, {"supervision_no", &f.SupervisionNo, 19}, {"project_name", &f.ProjectName, 200},
		{"land_user", &f.LandUser, 200}, {"location", &f.Location, 200}, {"land_use", &f.LandUse, 64},
		{"note", &f.Note, 2000}, {"batch_name", &f.BatchName, 200}, {"approval_no", &f.ApprovalNo, 100},
		{"contract_no", &f.ContractNo, 100}, {"identified_reason", &f.IdentifiedReason, 500},
	} {
		*t.v = strings.TrimSpace(*t.v)
		if n := utf8.RuneCountInString(*t.v); n > t.max {
			fe = append(fe, FieldError{t.name, fmt.Sprintf("不能超过 %d 个字符（现有 %d 个）", t.max, n)})
		}
	}
	for _, t := range []struct {
		name string
		v    *float64
	}{{"declared_area_mu", f.DeclaredAreaMu}, {"plot_ratio", f.PlotRatio}, {"tax_per_mu", f.TaxPerMu}} {
		if t.v != nil && (math.IsNaN(*t.v) || math.IsInf(*t.v, 0) || *t.v < 0) {
			fe = append(fe, FieldError{t.name, "须为非负数"})
		}
	}
	switch f.IdleCause {
	case "", IdleCauseGovernment, IdleCauseEnterprise, IdleCauseForceMajeure:
	default:
		fe = append(fe, FieldError{"idle_cause", "闲置原因须为 government（政府原因）、enterprise（企业原因）或 force_majeure（不可抗力）"})
	}
	today := s.Today()
	if f.IdentifiedOn.IsZero() {
		// 批而未供: the approval date is the identification date unless a later 认定 is recorded.
		if in.Class == Unsupplied && !f.ApprovedOn.IsZero() {
			f.IdentifiedOn = f.ApprovedOn
		} else {
			f.IdentifiedOn = today
		}
	}
	if f.IdentifiedOn.After(today) {
		fe = append(fe, FieldError{"identified_on", "认定日期不能晚于今天"})
	}
	if !f.ApprovedOn.IsZero() && f.ApprovedOn.After(today) {
		fe = append(fe, FieldError{"approved_on", "批准日期不能晚于今天"})
	}
	if !f.AgreedStartOn.IsZero() && !f.AgreedCompletionOn.IsZero() && f.AgreedCompletionOn.Before(f.AgreedStartOn) {
		fe = append(fe, FieldError{"agreed_completion_on", "约定竣工日期不能早于约定动工日期"})
	}
	return fe
}

// measured is a parcel geometry that passed validation, with what follows from it.
type measured struct {
	geometry orb.Geometry
	zone     geo.Zone
	areaM2   float64
	parkCode string
	flags    []string
}

// measure validates and normalises the geometry, computes its area on the
// Gauss-Krüger plane and places it in the park holding most of it.
func (s *Service) measure(ctx context.Context, r Reader, g orb.Geometry, zone geo.Zone) (measured, error) {
	if g == nil {
		return measured{}, Invalid("几何图形无效", FieldError{"geometry", "缺少地块图形（geometry）"})
	}
	if probs := geo.Validate(g); len(probs) > 0 {
		return measured{}, invalidGeometry(probs, "")
	}
	g = geo.Normalize(g, CoordinateDecimals)
	// Rounding to about 1 mm can, for spikes or slivers thinner than that,
	// break a valid polygon; stored, it would make every later overlay with
	// it fail.
	if probs := geo.Validate(g); len(probs) > 0 {
		return measured{}, invalidGeometry(probs, "坐标取整到约 1 毫米后图形无效：")
	}
	centroidZone := geo.CentroidZone(g)
	if zone == 0 {
		zone = centroidZone
	} else if !zone.Valid() {
		return measured{}, Invalid("投影带号无效", FieldError{"gk_zone", "高斯-克吕格 3° 带号须在 24–45 之间"})
	} else if d := zone - centroidZone; d > 1 || d < -1 {
		return measured{}, Invalid("投影带号与位置不符", FieldError{"gk_zone",
			fmt.Sprintf("地块位于第 %d 带附近，与给出的第 %d 带相距太远", centroidZone, zone)})
	}
	m := measured{geometry: g, zone: zone, areaM2: geo.AreaM2(g, zone)}
	pi, err := s.parkIndexFor(ctx, r)
	if err != nil {
		return measured{}, err
	}
	shares, inside, err := pi.index.Shares(g, zone)
	if err != nil {
		return measured{}, fmt.Errorf("place parcel in a park: %w", err)
	}
	if len(shares) == 0 || shares[0].AreaM2 <= geo.OverlapToleranceM2 {
		return measured{}, &Error{Kind: KindOutsideParks, Title: "地块不在任何园区范围内",
			Detail: "请检查坐标是否正确，或先由管理员录入该园区的边界",
			Fields: []FieldError{{"geometry", "地块与所有园区边界均不相交"}}}
	}
	m.parkCode = pi.parks[shares[0].Index].Code
	if !inside && m.areaM2-shares[0].AreaM2 > geo.OverlapToleranceM2 {
		m.flags = append(m.flags, FlagStraddlesBoundary)
	}
	return m, nil
}

// invalidGeometry is the refusal of a geometry with problems, each reason
// after prefix.
func invalidGeometry(probs []geo.Problem, prefix string) *Error {
	fe := make([]FieldError, len(probs))
	for i, p := range probs {
		fe[i] = FieldError{"geometry", prefix + p.Reason}
	}
	return Invalid("几何图形无效", fe...)
}

// checkOverlaps refuses a parcel that overlaps another parcel that is neither
// removed nor fully disposed, naming every such parcel.
func checkOverlaps(ctx context.Context, tx Tx, g orb.Geometry, zone geo.Zone, except int64) error {
	fe, err := overlapsExcept(ctx, tx, g, zone, map[int64]bool{except: true})
	if err != nil {
		return err
	}
	if len(fe) > 0 {
		return overlapError(fe)
	}
	return nil
}

// overlapsExcept lists the overlaps of g with the active stored parcels,
// those in except left out.
func overlapsExcept(ctx context.Context, tx Tx, g orb.Geometry, zone geo.Zone, except map[int64]bool) ([]FieldError, error) {
	near, err := tx.ActiveParcelsNear(ctx, g.Bound(), 0)
	if err != nil {
		return nil, fmt.Errorf("find parcels near: %w", err)
	}
	var fe []FieldError
	for _, o := range near {
		if except[o.ID] {
			continue
		}
		a, err := geo.IntersectionAreaM2(g, o.Geometry, zone)
		if err != nil {
			return nil, fmt.Errorf("overlay with parcel %d: %w", o.ID, err)
		}
		if a > geo.OverlapToleranceM2 {
			fe = append(fe, overlapField(parcelName(o), a))
		}
	}
	return fe, nil
}

// parcelName names a parcel in messages: "地块 #12（宗地编号 ZD-1）".
func parcelName(o Parcel) string {
	name := fmt.Sprintf("地块 #%d", o.ID)
	if o.Code != "" {
		name += "（宗地编号 " + o.Code + "）"
	} else if o.ProjectName != "" {
		name += "（" + o.ProjectName + "）"
	}
	return name
}

// overlapField says that a parcel overlaps the one named by a square metres.
func overlapField(name string, a float64) FieldError {
	return FieldError{"geometry", fmt.Sprintf("与%s 重叠 %.2f 平方米（%.4f 亩）", name, a, geo.MuFromM2(a))}
}

func overlapError(fe []FieldError) *Error {
	return &Error{Kind: KindConflict, Title: "地块与已有地块重叠",
		Detail: "同一块地不能重复登记；已全部处置或已删除的地块除外", Fields: fe}
}

// flagsFor returns the computed flags plus the demo flag.
func flagsFor(m measured, demo bool) []string {
	flags := append([]string{}, m.flags...)
	if demo {
		flags = append(flags, FlagDemo)
	}
	return flags
}

// CreateParcel measures, places and stores one parcel.
func (s *Service) CreateParcel(ctx context.Context, actor Actor, in ParcelInput) (Parcel, error) {
	ps, err := s.CreateParcels(ctx, actor, []ParcelInput{in})
	if err != nil {
		return Parcel{}, err
	}
	return ps[0], nil
}

// BatchError reports the inputs of a batch that were refused, by position.
// Nothing of the batch was written.
type BatchError struct {
	Items map[int]*Error
}

func (e *BatchError) Error() string {
	return fmt.Sprintf("%d of the parcels were refused; nothing was written", len(e.Items))
}

// CreateParcels stores a batch of parcels in one transaction: all of them or,
// if any is refused, none. With one input the error is that input's *Error;
// with more it is a *BatchError listing every refused input.
func (s *Service) CreateParcels(ctx context.Context, actor Actor, ins []ParcelInput) ([]Parcel, error) {
	if err := actor.check(); err != nil {
		return nil, err
	}
	out := make([]Parcel, 0, len(ins))
	refused := map[int]*Error{}
	err := s.store.Update(ctx, func(tx Tx) error {
		if err := s.checkParks(ctx, tx); err != nil {
			return err
		}
		now := s.now().UTC()
		for i, in := range ins {
			p, err := s.prepareNew(ctx, tx, in)
			if err == nil {
				err = requirePark(actor, p.ParkCode)
			}
			if err == nil {
				err = checkOverlaps(ctx, tx, p.Geometry, p.GKZone, 0)
			}
			if err != nil {
				if e, ok := AsError(err); ok {
					refused[i] = e
					continue
				}
				return err
			}
			p.CreatedBy, p.UpdatedBy, p.CreatedAt, p.UpdatedAt = actor.Name, actor.Name, now, now
			if err := tx.InsertParcel(ctx, &p); err != nil {
				return fmt.Errorf("insert parcel: %w", err)
			}
			if err := appendEvent(ctx, tx, &Event{ParkCode: p.ParkCode, ParcelID: p.ID, Kind: EventParcelCreate, Actor: actor.Name, At: now}, nil, parcelState(p)); err != nil {
				return err
			}
			out = append(out, p)
		}
		if len(refused) > 0 {
			if len(ins) == 1 {
				return refused[0]
			}
			return &BatchError{Items: refused}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// prepareNew validates one input and builds the parcel to insert.
func (s *Service) prepareNew(ctx context.Context, r Reader, in ParcelInput) (Parcel, error) {
	fe := s.validateFields(&in)
	m, err := s.measure(ctx, r, in.Geometry, in.GKZone)
	if err != nil {
		e, ok := AsError(err)
		if !ok {
			return Parcel{}, err
		}
		if e.Kind != KindInvalid || len(fe) == 0 {
			if len(fe) > 0 {
				e.Fields = append(fe, e.Fields...)
			}
			return Parcel{}, e
		}
		fe = append(fe, e.Fields...)
	}
	if len(fe) > 0 {
		return Parcel{}, Invalid("地块数据有误", fe...)
	}
	if sa := in.SurveyedAreaM2; sa > 0 && in.GKZone != 0 && m.zone == in.GKZone &&
		math.Abs(sa-m.areaM2) <= math.Max(1, 1e-5*sa) {
		m.areaM2 = sa
	}
	return Parcel{
		ParkCode: m.parkCode, Class: in.Class, Status: Pending,
		Geometry: m.geometry, GKZone: m.zone, AreaM2: m.areaM2, AreaMu: geo.MuFromM2(m.areaM2),
		ParcelFields: in.ParcelFields, Flags: flagsFor(m, in.Demo),
	}, nil
}

// staleError is the answer to a write whose If-Match is not the stored version.
func staleError(id int64, stored, ifMatch int) *Error {
	return &Error{Kind: KindStale, Title: "地块已被他人修改",
		Detail: fmt.Sprintf("地块 #%d 当前版本为 %d，而请求基于版本 %d；请刷新后重新编辑", id, stored, ifMatch)}
}

func notFoundParcel(id int64) *Error {
	return &Error{Kind: KindNotFound, Title: "地块不存在", Detail: fmt.Sprintf("没有编号为 %d 的地块", id)}
}

// loadForWrite reads a parcel inside a write and checks its version.
func loadForWrite(ctx context.Context, tx Tx, id int64, ifMatch int) (Parcel, error) {
	p, err := tx.GetParcel(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Parcel{}, notFoundParcel(id)
	} else if err != nil {
		return Parcel{}, fmt.Errorf("load parcel %d: %w", id, err)
	}
	if p.Version != ifMatch {
		return Parcel{}, staleError(id, p.Version, ifMatch)
	}
	if p.Removed() {
		return Parcel{}, &Error{Kind: KindConflict, Title: "地块已删除", Detail: fmt.Sprintf("地块 #%d 已于 %s 删除，不能再修改", id, p.RemovedOn)}
	}
	return p, nil
}

// statusFor derives a parcel's status from its disposal steps.
func statusFor(areaMu, disposedMu float64, steps int) Status {
	switch {
	case steps > 0 && disposedMu >= areaMu-AreaEpsilonMu:
		return Disposed
	case steps > 0:
		return InProgress
	}
	return Pending
}

// UpdateParcel replaces a parcel's class, geometry and ledger fields when
// ifMatch is its stored version. Area, park and flags are computed again.
func (s *Service) UpdateParcel(ctx context.Context, actor Actor, id int64, ifMatch int, in ParcelInput) (Parcel, error) {
	ps, err := s.UpdateParcels(ctx, actor, []ParcelUpdate{{ID: id, IfMatch: ifMatch, Input: in}})
	if err != nil {
		return Parcel{}, err
	}
	return ps[0], nil
}

// ParcelUpdate is one parcel of UpdateParcels: its new class, geometry and
// ledger fields, if its stored version is IfMatch.
type ParcelUpdate struct {
	ID      int64
	IfMatch int
	Input   ParcelInput
}

// UpdateParcels replaces several parcels in one transaction, all of them or
// none: a boundary two parcels share, moved on the map, changes both at
// once. Each is checked as UpdateParcel checks one: the actor must hold its
// park and the new one, the identification date may not follow a recorded
// step, a parcel with steps keeps its class and at least its disposed area,
// and it may not overlap another active parcel — here the others' new shapes,
// not their stored ones. A stale version or a removed parcel is returned as
// that parcel's *Error; other refusals, with one update its *Error, with
// more a *BatchError by position.
func (s *Service) UpdateParcels(ctx context.Context, actor Actor, ups []ParcelUpdate) ([]Parcel, error) {
	if err := actor.check(); err != nil {
		return nil, err
	}
	out := make([]Parcel, len(ups))
	err := s.store.Update(ctx, func(tx Tx) error {
		if err := s.checkParks(ctx, tx); err != nil {
			return err
		}
		type replaced struct {
			old, p Parcel
			steps  []Disposal
		}
		rs := make([]replaced, len(ups))
		batch := map[int64]bool{}
		for i, up := range ups {
			if batch[up.ID] {
				return Invalid("同一地块重复出现", FieldError{"id", fmt.Sprintf("地块 #%d 在本次修改中出现了两次", up.ID)})
			}
			batch[up.ID] = true
			old, err := loadForWrite(ctx, tx, up.ID, up.IfMatch)
			if err != nil {
				return err
			}
			rs[i].old = old
		}
		refused := map[int]*Error{}
		refuse := func(i int, err error) error {
			e, ok := AsError(err)
			if !ok {
				return err
			}
			refused[i] = e
			return nil
		}
		for i, up := range ups {
			r := &rs[i]
			if err := requirePark(actor, r.old.ParkCode); err != nil {
				if err := refuse(i, err); err != nil {
					return err
				}
				continue
			}
			steps, err := tx.ListDisposals(ctx, r.old.ID)
			if err != nil {
				return fmt.Errorf("list disposals of parcel %d: %w", r.old.ID, err)
			}
			in := up.Input
			if in.GKZone == 0 {
				in.GKZone = r.old.GKZone
			}
			in.Demo = r.old.HasFlag(FlagDemo)
			p, err := s.prepareNew(ctx, tx, in)
			if err == nil {
				err = checkReplace(actor, r.old, p, steps)
			}
			if err != nil {
				if err := refuse(i, err); err != nil {
					return err
				}
				continue
			}
			r.p, r.steps = s.replacement(actor, r.old, p, steps), steps
		}
		for i := range rs {
			if refused[i] != nil {
				continue
			}
			fe, err := overlapsExcept(ctx, tx, rs[i].p.Geometry, rs[i].p.GKZone, batch)
			if err != nil {
				return err
			}
			for j := range rs {
				if j == i || refused[j] != nil || rs[j].p.Status == Disposed {
					continue
				}
				a, err := geo.IntersectionAreaM2(rs[i].p.Geometry, rs[j].p.Geometry, rs[i].p.GKZone)
				if err != nil {
					return fmt.Errorf("overlay parcel %d with parcel %d: %w", rs[i].p.ID, rs[j].p.ID, err)
				}
				if a > geo.OverlapToleranceM2 {
					fe = append(fe, overlapField(parcelName(rs[j].p), a))
				}
			}
			if len(fe) > 0 {
				refused[i] = overlapError(fe)
			}
		}
		if len(refused) > 0 {
			if len(ups) == 1 {
				return refused[0]
			}
			return &BatchError{Items: refused}
		}
		for i := range rs {
			r := &rs[i]
			if err := tx.UpdateParcel(ctx, &r.p, r.old.Version); err != nil {
				if errors.Is(err, ErrVersionConflict) {
					return staleError(r.old.ID, r.old.Version+1, r.old.Version)
				}
				return fmt.Errorf("update parcel %d: %w", r.old.ID, err)
			}
			if err := appendEvent(ctx, tx, &Event{ParkCode: r.p.ParkCode, ParcelID: r.p.ID, Kind: EventParcelUpdate, Actor: actor.Name, At: r.p.UpdatedAt}, parcelState(r.old), parcelState(r.p)); err != nil {
				return err
			}
			out[i] = r.p
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkReplace applies the rules of replacing stored parcel old, whose
// disposal steps are steps, with the prepared state p, overlaps aside: the
// actor must hold both parks, the identification date may not follow a
// step, a parcel with steps keeps its class and at least its disposed area.
func checkReplace(actor Actor, old, p Parcel, steps []Disposal) error {
	if err := requirePark(actor, old.ParkCode); err != nil {
		return err
	}
	if err := requirePark(actor, p.ParkCode); err != nil {
		return err
	}
	for _, d := range steps {
		if d.Date.Before(p.IdentifiedOn) {
			return Invalid("认定日期晚于已有处置记录", FieldError{"identified_on",
				fmt.Sprintf("该地块已有 %s 的处置记录，认定日期不能晚于它", d.Date)})
		}
	}
	if len(steps) > 0 && p.Class != old.Class {
		return Invalid("已有处置记录的地块不能更改类别", FieldError{"class", "该地块已有处置记录，处置方式与类别相关，不能更改类别"})
	}
	if p.AreaMu < old.Disposed-AreaEpsilonMu {
		return Invalid("地块面积小于已处置面积", FieldError{"geometry",
			fmt.Sprintf("修改后面积 %.4f 亩小于已处置面积 %.4f 亩", p.AreaMu, old.Disposed)})
	}
	return nil
}

// replacement is the prepared state p as the new row of stored parcel old:
// its id, disposal figures and creation are kept, its status follows from
// the steps, and the actor is the one who updated it now.
func (s *Service) replacement(actor Actor, old, p Parcel, steps []Disposal) Parcel {
	p.ID, p.Disposed, p.SplitOf = old.ID, old.Disposed, old.SplitOf
	p.Status = statusFor(p.AreaMu, p.Disposed, len(steps))
	p.CreatedBy, p.CreatedAt = old.CreatedBy, old.CreatedAt
	p.UpdatedBy, p.UpdatedAt = actor.Name, s.now().UTC()
	return p
}

// RemoveParcel soft-deletes a parcel as of a date, with a reason. It stays in
// the history and in rates as of dates before its removal.
func (s *Service) RemoveParcel(ctx context.Context, actor Actor, id int64, ifMatch int, on Date, reason string) (Parcel, error) {
	if err := actor.check(); err != nil {
		return Parcel{}, err
	}
	reason = strings.TrimSpace(reason)
	var out Parcel
	err := s.store.Update(ctx, func(tx Tx) error {
		old, err := loadForWrite(ctx, tx, id, ifMatch)
		if err != nil {
			return err
		}
		if err := requirePark(actor, old.ParkCode); err != nil {
			return err
		}
		today := s.Today()
		if on.IsZero() {
			on = today
		}
		var fe []FieldError
		if reason == "" {
			fe = append(fe, FieldError{"reason", "删除地块须说明原因（如：重复登记、核查后不属于三类用地）"})
		}
		if on.After(today) {
			fe = append(fe, FieldError{"removed_on", "删除日期不能晚于今天"})
		}
		if on.Before(old.IdentifiedOn) {
			fe = append(fe, FieldError{"removed_on", "删除日期不能早于认定日期 " + old.IdentifiedOn.String()})
		}
		steps, err := tx.ListDisposals(ctx, id)
		if err != nil {
			return fmt.Errorf("list disposals of parcel %d: %w", id, err)
		}
		for _, d := range steps {
			if on.Before(d.Date) {
				fe = append(fe, FieldError{"removed_on", fmt.Sprintf("该地块有 %s 的处置记录，删除日期不能早于它", d.Date)})
				break
			}
		}
		if len(fe) > 0 {
			return Invalid("不能删除地块", fe...)
		}
		p := old
		p.RemovedOn, p.RemovedReason = on, reason
		p.UpdatedBy, p.UpdatedAt = actor.Name, s.now().UTC()
		if err := tx.UpdateParcel(ctx, &p, ifMatch); err != nil {
			if errors.Is(err, ErrVersionConflict) {
				return staleError(id, ifMatch+1, ifMatch)
			}
			return fmt.Errorf("remove parcel %d: %w", id, err)
		}
		out = p
		return appendEvent(ctx, tx, &Event{ParkCode: p.ParkCode, ParcelID: id, Kind: EventParcelDelete, Actor: actor.Name, At: p.UpdatedAt}, parcelState(old), parcelState(p))
	})
	if err != nil {
		return Parcel{}, err
	}
	return out, nil
}
