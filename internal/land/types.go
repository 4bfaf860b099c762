package land

import (
	"encoding/json"
	"time"

	"github.com/paulmach/orb"

	"panhuo/geo"
)

// Class is one of the three classes of land (三类用地).
type Class string

// The three classes, with the codes of the HTTP contract.
const (
	Unsupplied  Class = "unsupplied"  // 批而未供: approved but not supplied
	Idle        Class = "idle"        // 闲置: idle land
	Inefficient Class = "inefficient" // 低效: inefficient land
)

// Classes lists the three classes in the order reports show them.
var Classes = [...]Class{Unsupplied, Idle, Inefficient}

// Valid reports whether c is one of the three classes.
func (c Class) Valid() bool {
	return c == Unsupplied || c == Idle || c == Inefficient
}

// Name is the Chinese name of the class.
func (c Class) Name() string {
	switch c {
	case Unsupplied:
		return "批而未供"
	case Idle:
		return "闲置"
	case Inefficient:
		return "低效"
	}
	return string(c)
}

// Status is where a parcel stands in its disposal.
type Status string

// Statuses of a parcel; they follow from its disposal steps.
const (
	Pending    Status = "pending"     // 待处置: no step yet
	InProgress Status = "in_progress" // 处置中: some step, area left
	Disposed   Status = "disposed"    // 已处置: counting steps cover the whole area
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s == Pending || s == InProgress || s == Disposed }

// Name is the Chinese name of the status.
func (s Status) Name() string {
	switch s {
	case Pending:
		return "待处置"
	case InProgress:
		return "处置中"
	case Disposed:
		return "已处置"
	}
	return string(s)
}

// Park levels.
const (
	LevelNational   = "国家级"
	LevelProvincial = "省级"
)

// Park is an industrial park (产业园区/开发区) with its boundary and the
// figures its disposal rate is read against.
type Park struct {
	Code       string           `json:"code"` // short code, e.g. ZZGX
	Name       string           `json:"name"`
	Level      string           `json:"level"` // 国家级 or 省级
	City       string           `json:"city"`
	Boundary   orb.MultiPolygon `json:"-"`          // lon/lat, CGCS2000
	AreaMu     float64          `json:"area_mu"`    // boundary area on the Gauss-Krüger plane, computed
	GKZone     geo.Zone         `json:"gk_zone"`    // zone the boundary area is computed in
	BuiltupMu  float64          `json:"builtup_mu"` // 实际建成区面积, 亩
	TargetMu   float64          `json:"target_mu"`  // 一园一策 annual disposal target, 亩
	TargetYear int              `json:"target_year"`
	Demo       bool             `json:"demo,omitempty"` // 示例数据
	Version    int              `json:"version"`
	CreatedAt  time.Time        `json:"created_at"`
	UpdatedAt  time.Time        `json:"updated_at"`
}

// ParcelFields are the ledger fields of a parcel that an officer writes.
// JSON names are those of the HTTP contract.
type ParcelFields struct {
	Code           string   `json:"code"`             // 宗地编号
	SupervisionNo  string   `json:"supervision_no"`   // 电子监管号, up to 19 characters
	ProjectName    string   `json:"project_name"`     // 项目名称
	LandUser       string   `json:"land_user"`        // 用地单位
	Location       string   `json:"location"`         // 坐落
	LandUse        string   `json:"land_use"`         // 用途
	DeclaredAreaMu *float64 `json:"declared_area_mu"` // area the ledger declares, 亩
	IdentifiedOn   Date     `json:"identified_on"`    // 认定日期
	Note           string   `json:"note"`

	// 批而未供
	BatchName  string `json:"batch_name"`  // 批次名称
	ApprovalNo string `json:"approval_no"` // 批准文号
	ApprovedOn Date   `json:"approved_on"` // 批准日期

	// 闲置
	ContractNo         string `json:"contract_no"`          // 出让合同号
	AgreedStartOn      Date   `json:"agreed_start_on"`      // 约定动工日期
	AgreedCompletionOn Date   `json:"agreed_completion_on"` // 约定竣工日期
	IdleCause          string `json:"idle_cause"`           // government / enterprise / force_majeure

	// 低效
	IdentifiedReason string   `json:"identified_reason"` // 认定原因
	PlotRatio        *float64 `json:"plot_ratio"`        // 容积率
	TaxPerMu         *float64 `json:"tax_per_mu"`        // 亩均税收, 万元
}

// Idle causes (闲置原因).
const (
	IdleCauseGovernment   = "government"    // 政府原因
	IdleCauseEnterprise   = "enterprise"    // 企业原因
	IdleCauseForceMajeure = "force_majeure" // 不可抗力
)

// Flags a parcel can carry.
const (
	FlagStraddlesBoundary = "straddles_boundary" // part of it lies outside its park
	FlagDemo              = "demo"               // 示例数据
)

// Parcel is one parcel (宗地) of 三类用地.
type Parcel struct {
	ID       int64        `json:"id"`
	ParkCode string       `json:"park_code"`
	Class    Class        `json:"class"`
	Status   Status       `json:"status"`
	Geometry orb.Geometry `json:"-"` // Polygon or MultiPolygon, lon/lat CGCS2000, normalised
	GKZone   geo.Zone     `json:"gk_zone"`
	AreaM2   float64      `json:"area_m2"`     // on the Gauss-Krüger plane of GKZone
	AreaMu   float64      `json:"area_mu"`     // AreaM2 in 亩
	Disposed float64      `json:"disposed_mu"` // area used up by counting steps, 亩
	ParcelFields
	Flags         []string  `json:"flags"`
	RemovedOn     Date      `json:"removed_on"`
	RemovedReason string    `json:"removed_reason,omitempty"`
	SplitOf       int64     `json:"split_of,omitempty"`
	Version       int       `json:"version"`
	CreatedBy     string    `json:"created_by"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedBy     string    `json:"updated_by"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Removed reports whether the parcel was removed (soft-deleted).
func (p *Parcel) Removed() bool { return !p.RemovedOn.IsZero() }

// RemainingMu is the area not yet disposed by counting steps.
func (p *Parcel) RemainingMu() float64 {
	r := p.AreaMu - p.Disposed
	if r < AreaEpsilonMu {
		return 0
	}
	return r
}

// AreaEpsilonMu is the area below which what is left of a parcel counts as
// nothing: a thousandth of a square metre.
const AreaEpsilonMu = 1e-6

// HasFlag reports whether the parcel carries flag f.
func (p *Parcel) HasFlag(f string) bool {
	for _, g := range p.Flags {
		if g == f {
			return true
		}
	}
	return false
}

// Method is a disposal method (处置方式) of one class.
type Method struct {
	Code   string `json:"code"`
	Class  Class  `json:"class"`
	Name   string `json:"name"`   // Chinese
	Counts bool   `json:"counts"` // counts toward 处置率: a step uses up area
	Order  int    `json:"order"`
}

// Disposal is one recorded disposal step (处置记录).
type Disposal struct {
	ID        int64     `json:"id"`
	ParcelID  int64     `json:"parcel_id"`
	ParkCode  string    `json:"park_code"`
	Method    string    `json:"method"`
	Counts    bool      `json:"counts"` // the method's flag when the step was recorded
	Date      Date      `json:"date"`
	AreaMu    float64   `json:"area_mu"` // area used up; 0 for a step that does not count
	Note      string    `json:"note"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Event kinds of the audit trail.
const (
	EventParkCreate     = "park.create"
	EventParkUpdate     = "park.update"
	EventParcelCreate   = "parcel.create"
	EventParcelUpdate   = "parcel.update"
	EventParcelDelete   = "parcel.delete"
	EventDisposalCreate = "disposal.create"
)

// Event is one entry of the append-only audit trail.
type Event struct {
	ID       int64           `json:"id"`
	ParkCode string          `json:"park_code"`
	ParcelID int64           `json:"parcel_id,omitempty"`
	Kind     string          `json:"kind"`
	Actor    string          `json:"actor"`
	At       time.Time       `json:"at"`
	Before   json.RawMessage `json:"before,omitempty"`
	After    json.RawMessage `json:"after,omitempty"`
}
