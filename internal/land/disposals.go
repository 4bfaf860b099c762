package land

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
)

// AddDisposal records a disposal step. A step by a method that counts uses up
// area (by default all that is left, never more); a step by one that does not
// count uses none but puts the parcel in progress. Steps are appended: they
// need no If-Match, and the parcel's version moves on.
func (s *Service) AddDisposal(ctx context.Context, actor Actor, parcelID int64, in DisposalInput) (Disposal, Parcel, error) {
	if err := actor.check(); err != nil {
		return Disposal{}, Parcel{}, err
	}
	var d Disposal
	var out Parcel
	err := s.store.Update(ctx, func(tx Tx) error {
		p, err := tx.GetParcel(ctx, parcelID)
		if errors.Is(err, ErrNotFound) {
			return notFoundParcel(parcelID)
		} else if err != nil {
			return fmt.Errorf("load parcel %d: %w", parcelID, err)
		}
		if err := requirePark(actor, p.ParkCode); err != nil {
			return err
		}
		if p.Removed() {
			return &Error{Kind: KindConflict, Title: "地块已删除", Detail: fmt.Sprintf("地块 #%d 已于 %s 删除，不能再登记处置", parcelID, p.RemovedOn)}
		}
		if p.Status == Disposed {
			return &Error{Kind: KindConflict, Title: "地块已全部处置", Detail: fmt.Sprintf("地块 #%d 已全部处置，不能再登记处置步骤", parcelID)}
		}
		methods, err := tx.ListMethods(ctx)
		if err != nil {
			return fmt.Errorf("list methods: %w", err)
		}
		m, fe := s.checkDisposal(&in, p, methods)
		if len(fe) > 0 {
			return Invalid("处置记录有误", fe...)
		}
		steps, err := tx.ListDisposals(ctx, parcelID)
		if err != nil {
			return fmt.Errorf("list disposals of parcel %d: %w", parcelID, err)
		}
		area := 0.0
		if m.Counts {
			area = p.RemainingMu()
			if in.AreaMu != nil {
				area = math.Min(*in.AreaMu, area) // within ε of what is left: exactly what is left
			}
		}
		now := s.now().UTC()
		d = Disposal{ParcelID: parcelID, ParkCode: p.ParkCode, Method: m.Code, Counts: m.Counts,
			Date: in.Date, AreaMu: area, Note: strings.TrimSpace(in.Note), CreatedBy: actor.Name, CreatedAt: now}
		if err := tx.InsertDisposal(ctx, &d); err != nil {
			return fmt.Errorf("insert disposal: %w", err)
		}
		old := p
		p.Disposed += area
		if p.AreaMu-p.Disposed < AreaEpsilonMu {
			p.Disposed = p.AreaMu
		}
		p.Status = statusFor(p.AreaMu, p.Disposed, len(steps)+1)
		p.UpdatedBy, p.UpdatedAt = actor.Name, now
		if err := tx.UpdateParcel(ctx, &p, old.Version); err != nil {
			return fmt.Errorf("update parcel %d after disposal: %w", parcelID, err)
		}
		out = p
		type state struct {
			Disposal Disposal `json:"disposal"`
			Status   Status   `json:"status"`
			Disposed float64  `json:"disposed_mu"`
			Version  int      `json:"version"`
		}
		return appendEvent(ctx, tx, &Event{ParkCode: p.ParkCode, ParcelID: parcelID, Kind: EventDisposalCreate, Actor: actor.Name, At: now},
			state{Status: old.Status, Disposed: old.Disposed, Version: old.Version},
			state{Disposal: d, Status: p.Status, Disposed: p.Disposed, Version: p.Version})
	})
	if err != nil {
		return Disposal{}, Parcel{}, err
	}
	return d, out, nil
}

// checkDisposal validates a step against the parcel and the method list.
func (s *Service) checkDisposal(in *DisposalInput, p Parcel, methods []Method) (Method, []FieldError) {
	var fe []FieldError
	var m Method
	found := false
	for _, c := range methods {
		if c.Code == in.Method {
			m, found = c, true
		}
	}
	switch {
	case in.Method == "":
		fe = append(fe, FieldError{"method", "须选择处置方式"})
	case !found:
		fe = append(fe, FieldError{"method", fmt.Sprintf("未知的处置方式 %q", in.Method)})
	case m.Class != p.Class:
		fe = append(fe, FieldError{"method", fmt.Sprintf("处置方式“%s”属于%s，不适用于%s地块", m.Name, m.Class.Name(), p.Class.Name())})
	}
	today := s.Today()
	if in.Date.IsZero() {
		fe = append(fe, FieldError{"date", "须填写处置日期"})
	} else {
		if in.Date.After(today) {
			fe = append(fe, FieldError{"date", "处置日期不能晚于今天"})
		}
		if in.Date.Before(p.IdentifiedOn) {
			fe = append(fe, FieldError{"date", "处置日期不能早于认定日期 " + p.IdentifiedOn.String()})
		}
	}
	if in.AreaMu != nil {
		a := *in.AreaMu
		switch {
		case math.IsNaN(a) || math.IsInf(a, 0) || a <= 0:
			fe = append(fe, FieldError{"area_mu", "处置面积须为正数"})
		case found && !m.Counts:
			fe = append(fe, FieldError{"area_mu", fmt.Sprintf("“%s”不计入处置率，不占用面积；请不要填写处置面积", m.Name)})
		case a > p.RemainingMu()+AreaEpsilonMu:
			fe = append(fe, FieldError{"area_mu", fmt.Sprintf("处置面积 %.4f 亩超过剩余未处置面积 %.4f 亩", a, p.RemainingMu())})
		}
	}
	if len([]rune(strings.TrimSpace(in.Note))) > 2000 {
		fe = append(fe, FieldError{"note", "备注不能超过 2000 个字符"})
	}
	return m, fe
}
