package land

import (
	"context"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"panhuo/geo"
)

// CoordinateDecimals is the precision parcels and parks are stored and
// served at: 1e-8° is about 1 mm on the ground.
const CoordinateDecimals = 8

// Service applies panhuo's rules on top of a Store: every write goes through
// it, so every write measures, places and checks its parcel the same way and
// leaves an event.
type Service struct {
	store Store
	now   func() time.Time

	mu    sync.Mutex
	parks *parkIndex // cached index of park boundaries; nil after a park write
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock (tests fix "today" with it).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// NewService returns a Service over store.
func NewService(store Store, opts ...Option) *Service {
	s := &Service{store: store, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Store returns the store the service writes to (for reads).
func (s *Service) Store() Store { return s.store }

// Today is the current calendar date in China Standard Time.
func (s *Service) Today() Date {
	return DateOf(s.now().In(chinaTime))
}

var chinaTime = time.FixedZone("CST", 8*3600)

// ParkInput is what an administrator writes for a park.
type ParkInput struct {
	Code       string
	Name       string
	Level      string
	City       string
	Boundary   orb.MultiPolygon
	BuiltupMu  float64
	TargetMu   float64
	TargetYear int
	Demo       bool
}

// ParcelInput is what an officer writes for a parcel: class, geometry and the
// ledger fields. Area, park, status and flags are computed.
type ParcelInput struct {
	Class    Class
	Geometry orb.Geometry // lon/lat Polygon or MultiPolygon
	// GKZone is the Gauss-Krüger zone the source was surveyed in, when known
	// (a TXT or GK Shapefile); 0 means the zone holding the centroid.
	GKZone geo.Zone
	// SurveyedAreaM2 is the area of the source file's own plane coordinates
	// in GKZone (what the 勘测定界 report states), when the source was
	// Gauss-Krüger; 0 otherwise. It is stored as the area when it agrees
	// with the area of the stored (rounded) geometry to within rounding:
	// max(1 m², 10⁻⁵ of the area).
	SurveyedAreaM2 float64
	ParcelFields
	Demo bool // 示例数据: flags the parcel "demo"
}

// DisposalInput is one disposal step as an officer records it.
type DisposalInput struct {
	Method string
	Date   Date
	AreaMu *float64 // nil: all that is left (for a counting method)
	Note   string
}

// RatesQuery asks for the ranking. A zero AsOf is today; a zero From gives
// cumulative figures.
type RatesQuery struct {
	AsOf  Date
	From  Date
	Class Class // "" for the three together
}

// RateFigures are identified and disposed area and count and the rates
// derived from them. Rates are nil when nothing is identified.
type RateFigures struct {
	IdentifiedMu    float64  `json:"identified_mu"`
	IdentifiedCount int      `json:"identified_count"`
	DisposedMu      float64  `json:"disposed_mu"`
	DisposedCount   int      `json:"disposed_count"`
	Rate            *float64 `json:"rate"`       // disposed 亩 ÷ identified 亩
	RateCount       *float64 `json:"rate_count"` // disposed 宗 ÷ identified 宗
}

// RateRow is one park's line of the ranking, or the total line
// (ParkCode "total").
type RateRow struct {
	Rank     int    `json:"rank,omitempty"` // 1 = highest rate; 0 for the total and for parks with nothing identified
	ParkCode string `json:"park_code"`
	ParkName string `json:"park_name"`
	Level    string `json:"level,omitempty"`
	RateFigures
	BuiltupMu        float64               `json:"builtup_mu"`
	BuiltupShare     *float64              `json:"builtup_share"` // identified 亩 ÷ 建成区 亩
	TargetMu         float64               `json:"target_mu"`
	TargetYear       int                   `json:"target_year,omitempty"`
	TargetDisposedMu float64               `json:"target_disposed_mu"` // disposed in the target's calendar year up to AsOf
	TargetProgress   *float64              `json:"target_progress"`    // TargetDisposedMu ÷ TargetMu
	ByClass          map[Class]RateFigures `json:"by_class"`
}

// RatesReport is the ranking of parks by rate with a total row last.
type RatesReport struct {
	AsOf  Date      `json:"asof"`
	From  Date      `json:"from"`
	Class Class     `json:"class,omitempty"`
	Rows  []RateRow `json:"rows"`
}

// TrendQuery asks for a month-by-month series, cumulative as of each month's
// last day (or AsOf for the current month).
type TrendQuery struct {
	ParkCode string // "" for all parks
	Class    Class
	From, To Date // months from From's month to To's month; zero To is today
}

// TrendPoint is one month of the trend.
type TrendPoint struct {
	Month        string   `json:"month"` // YYYY-MM
	AsOf         Date     `json:"asof"`
	IdentifiedMu float64  `json:"identified_mu"`
	DisposedMu   float64  `json:"disposed_mu"`
	Rate         *float64 `json:"rate"`
}

// Methods returns the disposal methods (from the store, so an administrator's
// changes show).
func (s *Service) Methods(ctx context.Context) ([]Method, error) {
	return s.store.ListMethods(ctx)
}

// The write and report methods are in parks.go, parcels.go, disposals.go and
// rates.go:
//
//	CreatePark(ctx, actor, ParkInput) (Park, error)
//	UpdatePark(ctx, actor, code string, ParkInput) (Park, error)
//	CreateParcel(ctx, actor, ParcelInput) (Parcel, error)
//	CreateParcels(ctx, actor, []ParcelInput) ([]Parcel, error) — all or nothing
//	UpdateParcel(ctx, actor, id, ifMatch int, ParcelInput) (Parcel, error)
//	RemoveParcel(ctx, actor, id, ifMatch int, on Date, reason string) (Parcel, error)
//	AddDisposal(ctx, actor, parcelID, DisposalInput) (Disposal, Parcel, error)
//	Rates(ctx, RatesQuery) (RatesReport, error)
//	Trend(ctx, TrendQuery) ([]TrendPoint, error)
