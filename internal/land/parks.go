package land

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/paulmach/orb"

	"panhuo/geo"
)

// parkIndex is the spatial index of park boundaries used to place parcels.
type parkIndex struct {
	parks   []Park
	index   *geo.AreaIndex
	version int64 // Reader.ParksVersion when the parks were read
}

var parkCodePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{2,32}$`)

// validatePark checks a park input and computes its boundary's area and zone.
func validatePark(in *ParkInput) (geo.Zone, float64, error) {
	var fe []FieldError
	in.Code = strings.TrimSpace(in.Code)
	in.Name = strings.TrimSpace(in.Name)
	if !parkCodePattern.MatchString(in.Code) {
		fe = append(fe, FieldError{"code", "园区代码须为 2–32 位字母、数字、下划线或连字符，如 ZZGX"})
	}
	if in.Name == "" {
		fe = append(fe, FieldError{"name", "园区名称不能为空"})
	}
	if in.Level != LevelNational && in.Level != LevelProvincial {
		fe = append(fe, FieldError{"level", "园区级别须为“国家级”或“省级”"})
	}
	if in.BuiltupMu < 0 {
		fe = append(fe, FieldError{"builtup_mu", "建成区面积不能为负数"})
	}
	if in.TargetMu < 0 {
		fe = append(fe, FieldError{"target_mu", "处置目标面积不能为负数"})
	}
	if in.TargetMu > 0 && (in.TargetYear < 2000 || in.TargetYear > 2100) {
		fe = append(fe, FieldError{"target_year", "设定了处置目标时须给出目标年度（如 2022）"})
	}
	var zone geo.Zone
	var areaMu float64
	if len(in.Boundary) == 0 {
		fe = append(fe, FieldError{"geometry", "园区边界不能为空"})
	} else {
		for _, p := range geo.Validate(in.Boundary) {
			fe = append(fe, FieldError{"geometry", p.Reason})
		}
		if len(fe) == 0 {
			n, ok := geo.Normalize(in.Boundary, CoordinateDecimals).(orb.MultiPolygon)
			if !ok {
				return 0, 0, fmt.Errorf("normalize park boundary: unexpected type")
			}
			in.Boundary = n
			zone = geo.CentroidZone(in.Boundary)
			areaMu = geo.MuFromM2(geo.AreaM2(in.Boundary, zone))
		}
	}
	if len(fe) > 0 {
		return 0, 0, Invalid("园区数据有误", fe...)
	}
	return zone, areaMu, nil
}

// CreatePark adds a park. The code must be new.
func (s *Service) CreatePark(ctx context.Context, actor Actor, in ParkInput) (Park, error) {
	if err := requireAdmin(actor); err != nil {
		return Park{}, err
	}
	zone, areaMu, err := validatePark(&in)
	if err != nil {
		return Park{}, err
	}
	now := s.now().UTC()
	p := Park{
		Code: in.Code, Name: in.Name, Level: in.Level, City: strings.TrimSpace(in.City),
		Boundary: in.Boundary, AreaMu: areaMu, GKZone: zone,
		BuiltupMu: in.BuiltupMu, TargetMu: in.TargetMu, TargetYear: in.TargetYear, Demo: in.Demo,
		CreatedAt: now, UpdatedAt: now,
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		if _, err := tx.GetPark(ctx, p.Code); err == nil {
			return &Error{Kind: KindConflict, Title: "园区代码已存在",
				Fields: []FieldError{{"code", fmt.Sprintf("园区代码 %s 已被使用", p.Code)}}}
		} else if !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("look up park %s: %w", p.Code, err)
		}
		if err := tx.InsertPark(ctx, &p); err != nil {
			return fmt.Errorf("insert park %s: %w", p.Code, err)
		}
		return appendEvent(ctx, tx, &Event{ParkCode: p.Code, Kind: EventParkCreate, Actor: actor.Name, At: now}, nil, parkState(p))
	})
	if err != nil {
		return Park{}, err
	}
	s.forgetParks()
	return p, nil
}

// UpdatePark replaces a park's data. Parcels already placed keep their park
// until they are written again (a recompute command re-places them).
func (s *Service) UpdatePark(ctx context.Context, actor Actor, code string, in ParkInput) (Park, error) {
	if err := requireAdmin(actor); err != nil {
		return Park{}, err
	}
	if strings.TrimSpace(in.Code) != code {
		return Park{}, Invalid("园区代码不可修改", FieldError{"code", "园区代码创建后不能修改"})
	}
	zone, areaMu, err := validatePark(&in)
	if err != nil {
		return Park{}, err
	}
	var out Park
	err = s.store.Update(ctx, func(tx Tx) error {
		old, err := tx.GetPark(ctx, code)
		if errors.Is(err, ErrNotFound) {
			return &Error{Kind: KindNotFound, Title: "园区不存在", Detail: "没有代码为 " + code + " 的园区"}
		} else if err != nil {
			return fmt.Errorf("load park %s: %w", code, err)
		}
		p := old
		p.Name, p.Level, p.City = in.Name, in.Level, strings.TrimSpace(in.City)
		p.Boundary, p.AreaMu, p.GKZone = in.Boundary, areaMu, zone
		p.BuiltupMu, p.TargetMu, p.TargetYear, p.Demo = in.BuiltupMu, in.TargetMu, in.TargetYear, in.Demo
		p.UpdatedAt = s.now().UTC()
		if err := tx.UpdatePark(ctx, &p); err != nil {
			return fmt.Errorf("update park %s: %w", code, err)
		}
		out = p
		return appendEvent(ctx, tx, &Event{ParkCode: code, Kind: EventParkUpdate, Actor: actor.Name, At: p.UpdatedAt}, parkState(old), parkState(p))
	})
	if err != nil {
		return Park{}, err
	}
	s.forgetParks()
	return out, nil
}

// forgetParks drops the cached park index after a park write.
func (s *Service) forgetParks() {
	s.mu.Lock()
	s.parks = nil
	s.mu.Unlock()
}

// parkIndexFor returns the park index, building it from r when not cached.
func (s *Service) parkIndexFor(ctx context.Context, r Reader) (*parkIndex, error) {
	s.mu.Lock()
	pi := s.parks
	s.mu.Unlock()
	if pi != nil {
		return pi, nil
	}
	// The version first: a change landing before the parks are read leaves
	// an older version with them, and the next check reads them again.
	version, err := r.ParksVersion(ctx)
	if err != nil {
		return nil, err
	}
	parks, err := r.ListParks(ctx)
	if err != nil {
		return nil, fmt.Errorf("list parks: %w", err)
	}
	areas := make([]orb.MultiPolygon, len(parks))
	for i := range parks {
		areas[i] = parks[i].Boundary
	}
	ix, err := geo.NewAreaIndex(areas)
	if err != nil {
		return nil, fmt.Errorf("index park boundaries: %w", err)
	}
	pi = &parkIndex{parks: parks, index: ix, version: version}
	s.mu.Lock()
	s.parks = pi
	s.mu.Unlock()
	return pi, nil
}

// checkParks drops the cached park index when the parks changed since it
// was read, by this service or by another process or server sharing the
// database (an administrator's edit on another server of a PostgreSQL
// deployment). Every write that places parcels calls it once, inside its
// transaction, before it measures them.
func (s *Service) checkParks(ctx context.Context, r Reader) error {
	s.mu.Lock()
	pi := s.parks
	s.mu.Unlock()
	if pi == nil {
		return nil
	}
	version, err := r.ParksVersion(ctx)
	if err != nil {
		return err
	}
	if version != pi.version {
		s.mu.Lock()
		if s.parks == pi {
			s.parks = nil
		}
		s.mu.Unlock()
	}
	return nil
}
