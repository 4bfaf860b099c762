package land

import (
	"context"

	"github.com/paulmach/orb"
)

// ParcelFilter selects parcels for layers and lists. Zero fields do not filter.
type ParcelFilter struct {
	ParkCode       string
	Class          Class
	Status         Status
	BBox           *orb.Bound // lon/lat; parcels whose bbox intersects it
	IncludeRemoved bool
	// Codes and SupervisionNos select parcels whose 宗地编号 is one of Codes
	// or whose 电子监管号 is one of SupervisionNos (either matches; empty
	// strings never match). Both nil: no filter.
	Codes          []string
	SupervisionNos []string
	Limit          int // 0: no limit
}

// RateQuery asks for rate sums. AsOf is required. A zero From gives
// cumulative figures; otherwise the period [From, AsOf] against the stock
// still undisposed at From (DESIGN.md, "Rules the numbers follow").
type RateQuery struct {
	AsOf     Date
	From     Date
	ParkCode string // "" for all parks
	Class    Class  // "" for all classes
}

// RateSum holds the stored-number aggregates of one park and class. For each
// parcel identified on or before AsOf and not removed on or before AsOf:
//
//	before = Σ area of its counting steps dated before From (0 with no From)
//	upto   = Σ area of its counting steps dated on or before AsOf
//	stock  = area_mu − before
//
// IdentifiedMu = Σ stock; IdentifiedCount = #{stock > ε};
// DisposedMu = Σ (upto − before); DisposedCount = #{stock > ε and upto ≥ area_mu − ε}.
type RateSum struct {
	ParkCode        string
	Class           Class
	IdentifiedMu    float64
	IdentifiedCount int
	DisposedMu      float64
	DisposedCount   int
}

// Reader is what every store answers, inside a transaction or not.
type Reader interface {
	ListParks(ctx context.Context) ([]Park, error)
	// ListParkFigures lists the parks like ListParks but without their
	// boundaries (Boundary nil): for reports that need only the figures.
	ListParkFigures(ctx context.Context) ([]Park, error)
	GetPark(ctx context.Context, code string) (Park, error) // ErrNotFound
	// ParksVersion is a number that grows with every change to the parks
	// (a park inserted or updated), by any process or server sharing the
	// database: a cache of parks read at one version is current while the
	// version stays.
	ParksVersion(ctx context.Context) (int64, error)
	ListMethods(ctx context.Context) ([]Method, error)
	GetParcel(ctx context.Context, id int64) (Parcel, error) // ErrNotFound; removed parcels too
	ListParcels(ctx context.Context, f ParcelFilter) ([]Parcel, error)
	ListDisposals(ctx context.Context, parcelID int64) ([]Disposal, error) // by date, then id
	ListEvents(ctx context.Context, parcelID int64) ([]Event, error)       // oldest first
	// SearchEvents browses the whole audit trail, newest first.
	SearchEvents(ctx context.Context, f EventFilter) ([]Event, error)
	RateSums(ctx context.Context, q RateQuery) ([]RateSum, error)
	// DisposedByPark gives, per park, the DisposedMu that RateSums(q) gives
	// summed over the classes, without the stock: only the counting steps
	// dated in [From, AsOf] are read. q.From is required.
	DisposedByPark(ctx context.Context, q RateQuery) (map[string]float64, error)
	CountRows(ctx context.Context) (RowCounts, error)
}

// EventFilter selects events of the audit trail. Zero fields do not filter.
type EventFilter struct {
	Actor    string // exact login (or "cli:…", "system")
	ParkCode string
	ParcelID int64
	Kind     string // exact kind, e.g. "parcel.update", or a prefix ending in "." ("user.")
	From, To Date   // the day of Event.At in China Standard Time, inclusive
	BeforeID int64  // keyset paging: only events with a smaller id
	Limit    int    // 0: no limit
}

// RowCounts are the numbers of rows per table, for health checks and tests
// that prove a refused write changed nothing.
type RowCounts struct {
	Parks, Parcels, Disposals, Events, Methods int
}

// Tx is one write transaction. Whatever a function given to Store.Update does
// through it commits together or not at all.
type Tx interface {
	Reader
	InsertPark(ctx context.Context, p *Park) error     // sets Version=1, CreatedAt/UpdatedAt kept as given
	UpdatePark(ctx context.Context, p *Park) error     // replaces by code; bumps Version
	InsertParcel(ctx context.Context, p *Parcel) error // sets ID and Version=1
	// InsertParcels inserts the parcels ps as InsertParcel would, many at
	// once (an import of thousands): each gets a new id unless it has one,
	// and Version 1, set in ps. The ids are increasing in the order of ps.
	InsertParcels(ctx context.Context, ps []Parcel) error
	// UpdateParcel replaces the parcel row whose version is expect and sets
	// p.Version to expect+1; ErrVersionConflict when the stored version differs.
	UpdateParcel(ctx context.Context, p *Parcel, expect int) error
	// ActiveParcelsNear lists parcels not removed and not disposed whose
	// bbox intersects b (lon/lat), except the one with id except.
	ActiveParcelsNear(ctx context.Context, b orb.Bound, except int64) ([]Parcel, error)
	InsertDisposal(ctx context.Context, d *Disposal) error // sets ID
	AppendEvent(ctx context.Context, e *Event) error       // sets ID; events are never changed
	// AppendEvents appends es as AppendEvent would, many at once, in their
	// order (increasing ids), and sets their ids.
	AppendEvents(ctx context.Context, es []Event) error
	UpsertMethod(ctx context.Context, m Method) error
}

// Store is a database engine holding panhuo's data.
type Store interface {
	Reader
	// Update runs fn in one write transaction, committing when fn returns
	// nil and rolling back otherwise.
	Update(ctx context.Context, fn func(tx Tx) error) error
	// Engine names the engine ("sqlite", "postgres").
	Engine() string
	// SchemaVersion is the last applied migration.
	SchemaVersion(ctx context.Context) (int64, error)
	Close() error
}
