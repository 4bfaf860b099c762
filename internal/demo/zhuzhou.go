package demo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"panhuo/geo"
	"panhuo/internal/land"
)

// ErrNotEmpty is returned (wrapped) when demo or synthetic data is asked for
// a database that already holds parks: demo data is never mixed into real
// data.
var ErrNotEmpty = errors.New("the database already has parks")

// City is the city of the demo parks.
const City = "株洲市"

// SeedDate is the date of seed 004 (株工信字〔2022〕21号). Every date of the
// demo lies on or before it, so a service whose clock reads this date or
// later accepts the whole demo, and its cumulative rates are the seed's.
func SeedDate() land.Date { return land.NewDate(2022, 6, 28) }

// zhuzhouSeed seeds every random draw of the demo.
const zhuzhouSeed = 20220628

// The city totals of seed 004.
const (
	// IdentifiedMu is the 三类用地 found by the 2021–2022 清理专项行动: 1.96 万亩.
	IdentifiedMu = 19600.0
	// BuiltupShare is 三类 ÷ 实际建成区面积: 18.8%.
	BuiltupShare = 0.188
	// DisposedCount and DisposedMu are what was disposed: 62 宗共 2497 亩.
	DisposedCount = 62
	DisposedMu    = 2497.0
	// TopPark leads the ranking (红黑榜) with TopRate: 醴陵经开区 at 72.3%.
	TopPark = "LLJK"
	TopRate = 0.723
)

// partSpec is one part of a park's boundary: centre and area.
type partSpec struct {
	lon, lat float64
	km2      float64
	vertices [2]int // range of the vertex count
}

// parkSpec is one demo park: the table of DOMAIN.md plus the split of the
// seed's figures this demo makes.
type parkSpec struct {
	code, name, level string
	parts             []partSpec
	builtupMu         float64 // 实际建成区面积
	targetMu          float64 // 一园一策 target for TargetYear
	identifiedMu      float64 // 三类 stock
	disposedMu        float64 // disposed area (whole parcels)
	disposedCount     int
	straddlers        int        // parcels laid across the boundary
	shares            [3]float64 // class split by area, in land.Classes order
	loc               locale
}

// TargetYear is the year of the parks' 一园一策 targets.
const TargetYear = 2022

// zhuzhouParks are the eight parks of DOMAIN.md's table, in its order.
// Built-up areas sum to 19600 ÷ 0.188 = 104 255.32 亩; identified areas to
// 19 600 亩; disposed areas to 2 497 亩 over 62 parcels, of which 醴陵经开区
// holds 723 of its 1 000 亩 (72.3%) and every other park less than 11%.
func zhuzhouParks() []parkSpec {
	defaultShares := [3]float64{0.45, 0.20, 0.35}
	return []parkSpec{
		{
			code: "ZZGX", name: "株洲高新区", level: land.LevelNational,
			// 天元区, and the 董家垅 航空城 片区 to its east.
			parts:     []partSpec{{113.08, 27.82, 40, [2]int{24, 30}}, {113.16, 27.78, 7, [2]int{14, 18}}},
			builtupMu: 32000, targetMu: 900, identifiedMu: 5600, disposedMu: 520, disposedCount: 14,
			straddlers: 1, shares: [3]float64{0.48, 0.18, 0.34},
			loc: locale{county: "430211", district: "天元区", batchCity: "株洲市", firmPlace: []string{"株洲", "湖南", "株洲天元"},
				roads:      []string{"黄河南路", "长江南路", "珠江南路", "栗雨路", "株洲大道", "天易大道", "泰山路", "湘芸路", "仙月环路"},
				industries: []string{"轨道交通装备", "航空动力", "汽车零部件", "电子信息", "新材料", "生物医药"}},
		},
		{
			code: "ZZJK", name: "株洲经开区", level: land.LevelProvincial,
			parts:     []partSpec{{113.17, 27.95, 32, [2]int{22, 28}}},
			builtupMu: 21000, targetMu: 700, identifiedMu: 4200, disposedMu: 400, disposedCount: 12,
			straddlers: 1, shares: [3]float64{0.47, 0.20, 0.33},
			loc: locale{county: "430204", district: "石峰区", batchCity: "株洲市", firmPlace: []string{"株洲", "湖南", "株洲云龙"},
				roads:      []string{"云龙大道", "北环大道", "中车大道", "田心大道", "田林路", "藏龙路", "智慧路", "职教大道"},
				industries: []string{"轨道交通", "北斗导航", "集成电路", "生物医药", "智能装备", "新能源"}},
		},
		{
			code: "LLJK", name: "醴陵经开区", level: land.LevelProvincial,
			parts:     []partSpec{{113.49, 27.66, 13, [2]int{20, 26}}},
			builtupMu: 9000, targetMu: 800, identifiedMu: 1000, disposedMu: 723, disposedCount: 5,
			shares: [3]float64{0.35, 0.15, 0.50},
			loc: locale{county: "430281", district: "醴陵市", batchCity: "醴陵市", firmPlace: []string{"醴陵", "湖南", "醴陵市"},
				roads:      []string{"瓷城大道", "醴陵大道", "陶瓷路", "西山路", "经开大道", "株醴大道"},
				industries: []string{"陶瓷", "电瓷电器", "玻璃", "新材料", "烟花", "电子陶瓷"}},
		},
		{
			code: "YXGX", name: "攸县高新区", level: land.LevelProvincial,
			parts:     []partSpec{{113.36, 27.02, 17, [2]int{20, 28}}},
			builtupMu: 10500, targetMu: 360, identifiedMu: 2400, disposedMu: 230, disposedCount: 8,
			straddlers: 1, shares: [3]float64{0.42, 0.23, 0.35},
			loc: locale{county: "430223", district: "攸县", batchCity: "攸县", firmPlace: []string{"攸县", "湖南", "株洲"},
				roads:      []string{"攸州大道", "工业大道", "网岭路", "联星路", "谭家垅路"},
				industries: []string{"新材料", "食品", "电子", "建材", "机械制造"}},
		},
		{
			code: "CLJK", name: "茶陵经开区", level: land.LevelProvincial,
			parts:     []partSpec{{113.55, 26.80, 14, [2]int{20, 26}}},
			builtupMu: 8500, targetMu: 300, identifiedMu: 1900, disposedMu: 180, disposedCount: 7,
			shares: defaultShares,
			loc: locale{county: "430224", district: "茶陵县", batchCity: "茶陵县", firmPlace: []string{"茶陵", "湖南", "株洲"},
				roads:      []string{"茶陵大道", "洣江路", "工业园路", "犀城大道", "云阳路"},
				industries: []string{"纺织服饰", "电子", "新材料", "食品", "稀土材料"}},
		},
		{
			code: "YLGY", name: "炎陵工业集中区", level: land.LevelProvincial,
			parts:     []partSpec{{113.77, 26.49, 10, [2]int{20, 24}}},
			builtupMu: 5500, targetMu: 200, identifiedMu: 1300, disposedMu: 134, disposedCount: 5,
			shares: [3]float64{0.40, 0.25, 0.35},
			loc: locale{county: "430225", district: "炎陵县", batchCity: "炎陵县", firmPlace: []string{"炎陵", "湖南", "株洲"},
				roads:      []string{"霞阳路", "炎帝大道", "工业大道", "神农路"},
				industries: []string{"电子元器件", "食品加工", "竹木加工", "新能源", "中药材"}},
		},
		{
			code: "LKJK", name: "渌口经开区", level: land.LevelProvincial,
			parts:     []partSpec{{113.15, 27.70, 14, [2]int{20, 26}}},
			builtupMu: 8000, targetMu: 280, identifiedMu: 1800, disposedMu: 170, disposedCount: 6,
			shares: [3]float64{0.46, 0.22, 0.32},
			loc: locale{county: "430212", district: "渌口区", batchCity: "株洲市", firmPlace: []string{"株洲", "湖南", "渌口"},
				roads:      []string{"渌口大道", "南洲路", "湘江路", "伏波大道", "南阳桥路"},
				industries: []string{"服饰", "汽车零部件", "机械制造", "现代物流", "新材料"}},
		},
		{
			code: "HTJS", name: "荷塘金山科技工业园", level: land.LevelProvincial,
			parts:     []partSpec{{113.20, 27.87, 11, [2]int{20, 26}}},
			builtupMu: 9755.32, targetMu: 220, identifiedMu: 1400, disposedMu: 140, disposedCount: 5,
			shares: [3]float64{0.40, 0.15, 0.45},
			loc: locale{county: "430202", district: "荷塘区", batchCity: "株洲市", firmPlace: []string{"株洲", "湖南", "株洲荷塘"},
				roads:      []string{"金山路", "新华路", "荷塘大道", "仙庾路", "红旗北路"},
				industries: []string{"硬质合金", "新材料", "电子信息", "机械", "工具"}},
		},
	}
}

// ClassSummary is what one class holds.
type ClassSummary struct {
	Class  land.Class
	Count  int
	AreaMu float64
}

// ParkSummary is what one park holds.
type ParkSummary struct {
	Code, Name    string
	Parcels       int
	IdentifiedMu  float64
	DisposedCount int
	DisposedMu    float64
}

// Summary is what LoadZhuzhou wrote.
type Summary struct {
	Parks         int
	Parcels       int
	Steps         int // disposal steps recorded
	BuiltupMu     float64
	IdentifiedMu  float64
	DisposedCount int // parcels disposed whole by counting steps
	DisposedMu    float64
	InProgress    int            // parcels with steps and area left
	Straddling    int            // parcels flagged straddles_boundary
	Classes       []ClassSummary // in land.Classes order
	ParkRows      []ParkSummary  // in DOMAIN.md's order
}

// String reports the summary for a land officer.
func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "示例数据（%s）：%d 个园区，%d 宗“三类”用地，共 %.2f 亩，占建成区 %.2f 亩的 %.1f%%\n",
		City, s.Parks, s.Parcels, s.IdentifiedMu, s.BuiltupMu, 100*s.IdentifiedMu/s.BuiltupMu)
	fmt.Fprintf(&b, "已处置 %d 宗共 %.2f 亩（盘活率 %.1f%%），处置中 %d 宗，跨园区边界 %d 宗，处置记录 %d 条\n",
		s.DisposedCount, s.DisposedMu, 100*s.DisposedMu/s.IdentifiedMu, s.InProgress, s.Straddling, s.Steps)
	for _, c := range s.Classes {
		name := c.Class.Name()
		name += strings.Repeat("　", max(0, 4-utf8.RuneCountInString(name))) // full-width spaces line up Chinese names
		fmt.Fprintf(&b, "  %s %3d 宗 %9.2f 亩（%.1f%%）\n", name, c.Count, c.AreaMu, 100*c.AreaMu/s.IdentifiedMu)
	}
	for _, p := range s.ParkRows {
		fmt.Fprintf(&b, "  %-4s %s：%d 宗 %.2f 亩，已处置 %d 宗 %.2f 亩（%.1f%%）\n",
			p.Code, p.Name, p.Parcels, p.IdentifiedMu, p.DisposedCount, p.DisposedMu, 100*p.DisposedMu/p.IdentifiedMu)
	}
	return b.String()
}

// parcelPlan is one demo parcel: what is written and the steps that follow.
type parcelPlan struct {
	input    land.ParcelInput
	disposed bool // counting steps will cover it whole
	straddle bool // laid across the park boundary
	areaM2   float64
	steps    []land.DisposalInput
}

// parkPlan is one demo park with its parcels.
type parkPlan struct {
	spec    parkSpec
	input   land.ParkInput
	parcels []parcelPlan
}

// LoadZhuzhou loads the 株洲 demo (示例数据) through svc: the eight parks of
// DOMAIN.md (Demo set, City 株洲市) with illustrative boundaries, and some
// 280 parcels (flagged demo) whose disposal steps make the cumulative rates
// reproduce seed 004: 19 600 亩 identified, 18.8% of the built-up area,
// 62 parcels / 2 497 亩 disposed, 醴陵经开区 first at 72.3%. Every date lies
// in 2021–2022, on or before SeedDate, so svc's clock must read SeedDate or
// later.
//
// It refuses (ErrNotEmpty) a store that has any park. The parks, each park's
// parcels and each disposal step are written in separate transactions: a
// failure part-way leaves part of the demo, which a new load then refuses.
func LoadZhuzhou(ctx context.Context, svc *land.Service, actor string) (Summary, error) {
	existing, err := svc.Store().ListParkFigures(ctx)
	if err != nil {
		return Summary{}, fmt.Errorf("demo: list parks: %w", err)
	}
	if len(existing) > 0 {
		return Summary{}, fmt.Errorf("demo: %w (%d)", ErrNotEmpty, len(existing))
	}
	if today := svc.Today(); today.Before(SeedDate()) {
		return Summary{}, fmt.Errorf("demo: the service's date %s is before the demo's last date %s", today, SeedDate())
	}
	plans, err := planZhuzhou()
	if err != nil {
		return Summary{}, err
	}
	for _, pp := range plans {
		if _, err := svc.CreatePark(ctx, land.Operator(actor), pp.input); err != nil {
			return Summary{}, fmt.Errorf("demo: create park %s: %w", pp.spec.code, err)
		}
	}
	sum := Summary{Parks: len(plans)}
	classes := make([]ClassSummary, len(land.Classes))
	for i, c := range land.Classes {
		classes[i].Class = c
	}
	for _, pp := range plans {
		ins := make([]land.ParcelInput, len(pp.parcels))
		for i, p := range pp.parcels {
			ins[i] = p.input
		}
		created, err := svc.CreateParcels(ctx, land.Operator(actor), ins)
		if err != nil {
			return Summary{}, fmt.Errorf("demo: create parcels of %s: %w", pp.spec.code, describe(err))
		}
		row := ParkSummary{Code: pp.spec.code, Name: pp.spec.name, Parcels: len(created)}
		for i, p := range created {
			plan := pp.parcels[i]
			if p.ParkCode != pp.spec.code {
				return Summary{}, fmt.Errorf("demo: parcel %s was placed in park %s, not %s", p.Code, p.ParkCode, pp.spec.code)
			}
			if plan.straddle != p.HasFlag(land.FlagStraddlesBoundary) {
				return Summary{}, fmt.Errorf("demo: parcel %s: straddles_boundary is %t, planned %t", p.Code, !plan.straddle, plan.straddle)
			}
			for _, st := range plan.steps {
				if _, p, err = svc.AddDisposal(ctx, land.Operator(actor), p.ID, st); err != nil {
					return Summary{}, fmt.Errorf("demo: disposal %s of parcel %s: %w", st.Method, p.Code, err)
				}
				sum.Steps++
			}
			if (p.Status == land.Disposed) != plan.disposed {
				return Summary{}, fmt.Errorf("demo: parcel %s ended %s", p.Code, p.Status)
			}
			sum.Parcels++
			sum.IdentifiedMu += p.AreaMu
			row.IdentifiedMu += p.AreaMu
			switch p.Status {
			case land.Disposed:
				sum.DisposedCount++
				sum.DisposedMu += p.AreaMu
				row.DisposedCount++
				row.DisposedMu += p.AreaMu
			case land.InProgress:
				sum.InProgress++
			}
			if p.HasFlag(land.FlagStraddlesBoundary) {
				sum.Straddling++
			}
			for i := range classes {
				if classes[i].Class == p.Class {
					classes[i].Count++
					classes[i].AreaMu += p.AreaMu
				}
			}
		}
		sum.BuiltupMu += pp.spec.builtupMu
		sum.ParkRows = append(sum.ParkRows, row)
	}
	sum.Classes = classes
	return sum, nil
}

// describe spells out the refused items of a batch error, in order.
func describe(err error) error {
	var be *land.BatchError
	if !errors.As(err, &be) {
		return err
	}
	keys := make([]int, 0, len(be.Items))
	for k := range be.Items {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for i, k := range keys {
		if i == 5 {
			fmt.Fprintf(&b, "; …%d more", len(keys)-i)
			break
		}
		fmt.Fprintf(&b, "; item %d: %v", k, be.Items[k])
	}
	return fmt.Errorf("%w%s", err, b.String())
}

// planZhuzhou draws the whole demo. It writes nothing.
func planZhuzhou() ([]parkPlan, error) {
	specs := zhuzhouParks()
	plans := make([]parkPlan, len(specs))
	for i, sp := range specs {
		pp, err := planPark(i, sp)
		if err != nil {
			return nil, fmt.Errorf("demo: plan park %s: %w", sp.code, err)
		}
		plans[i] = pp
	}
	if err := checkApart(plans); err != nil {
		return nil, err
	}
	return plans, nil
}

// errNoRoom means a park's boundary left too little room for its parcels.
var errNoRoom = errors.New("no room for the parcels")

// planPark draws a park's boundary and parcels. When the parcels do not fit
// the boundary grows, same shape, and the parcels are drawn again.
func planPark(i int, sp parkSpec) (parkPlan, error) {
	shapeRand := rand.New(rand.NewPCG(zhuzhouSeed, uint64(2*i)))
	f := newFrame(sp.parts[0].lon, sp.parts[0].lat, uniform(shapeRand, -math.Pi/6, math.Pi/6))
	shapes := make([][]vec, len(sp.parts))
	for j, part := range sp.parts {
		n := between(shapeRand, part.vertices[0], part.vertices[1])
		shapes[j] = rotate(starShape(shapeRand, n, 0.5, uniform(shapeRand, 1, 1.25)), uniform(shapeRand, 0, 2*math.Pi))
	}
	grow := 1.0
	for range 8 {
		boundary := make(orb.MultiPolygon, len(sp.parts))
		for j, part := range sp.parts {
			c := f.local(orb.Point{part.lon, part.lat})
			s := math.Sqrt(part.km2 * 1e6 * grow)
			pts := make([]vec, len(shapes[j]))
			for k, p := range shapes[j] {
				pts[k] = vec{c.u + s*p.u, c.v + s*p.v}
			}
			boundary[j] = orb.Polygon{f.ring(pts)}
		}
		parcels, err := planParcels(rand.New(rand.NewPCG(zhuzhouSeed, uint64(2*i+1))), sp, f, newRegion(f, boundary))
		if errors.Is(err, errNoRoom) {
			grow *= 1.15
			continue
		}
		if err != nil {
			return parkPlan{}, err
		}
		return parkPlan{
			spec: sp,
			input: land.ParkInput{
				Code: sp.code, Name: sp.name, Level: sp.level, City: City, Boundary: boundary,
				BuiltupMu: sp.builtupMu, TargetMu: sp.targetMu, TargetYear: TargetYear, Demo: true,
			},
			parcels: parcels,
		}, nil
	}
	return parkPlan{}, fmt.Errorf("%w even at %.1f× the planned area", errNoRoom, grow)
}

// checkApart makes sure no two park parts come near each other: their
// circumscribed circles on the (shared) Gauss-Krüger plane, plus a
// kilometre for parcels laid across a boundary, do not meet.
func checkApart(plans []parkPlan) error {
	type disc struct {
		park   string
		e, n   float64
		radius float64
	}
	var discs []disc
	for _, pp := range plans {
		for j, poly := range pp.input.Boundary {
			z := geo.ZoneForLon(pp.spec.parts[j].lon)
			e0, n0 := z.Forward(pp.spec.parts[j].lon, pp.spec.parts[j].lat)
			d := disc{park: pp.spec.code, e: e0, n: n0}
			for _, p := range poly[0] {
				if geo.ZoneForLon(p[0]) != 38 {
					return fmt.Errorf("demo: park %s leaves Gauss-Krüger zone 38", pp.spec.code)
				}
				e, n := z.Forward(p[0], p[1])
				d.radius = math.Max(d.radius, math.Hypot(e-e0, n-n0))
			}
			discs = append(discs, d)
		}
	}
	for i := range discs {
		for j := i + 1; j < len(discs); j++ {
			a, b := discs[i], discs[j]
			if gap := math.Hypot(a.e-b.e, a.n-b.n) - a.radius - b.radius; gap < 1000 {
				return fmt.Errorf("demo: parks %s and %s come within %.0f m of each other", a.park, b.park, gap)
			}
		}
	}
	return nil
}

// Cells of the packing grid: a base cell and its quarters, with the margin
// (half the road between parcels) kept free on each side.
const baseCell = 760.0

// cellSize is the side of a cell of the level (0, 1, 2): 760, 380, 190 m.
func cellSize(level int) float64 { return baseCell / float64(int(1)<<level) }

// cellMargin is the free margin on each side of a cell of the level.
func cellMargin(level int) float64 { return [3]float64{40, 22, 12}[level] }

// planParcels draws the parcels of one park on frame f inside region g.
func planParcels(r *rand.Rand, sp parkSpec, f frame, g region) ([]parcelPlan, error) {
	nPending := max(1, int(math.Round((sp.identifiedMu-sp.disposedMu)/80)))
	dispAreas, err := splitArea(r, sp.disposedCount, sp.disposedMu)
	if err != nil {
		return nil, fmt.Errorf("split the disposed area: %w", err)
	}
	pendAreas, err := splitArea(r, nPending, sp.identifiedMu-sp.disposedMu)
	if err != nil {
		return nil, fmt.Errorf("split the pending area: %w", err)
	}
	type item struct {
		areaMu   float64
		disposed bool
		straddle bool
		class    land.Class
	}
	items := make([]item, 0, len(dispAreas)+len(pendAreas))
	for _, a := range dispAreas {
		items = append(items, item{areaMu: a, disposed: true})
	}
	for _, a := range pendAreas {
		items = append(items, item{areaMu: a})
	}
	areas := make([]float64, len(items))
	for i := range items {
		areas[i] = items[i].areaMu
	}
	for i, c := range assignClasses(r, areas, sp.shares) {
		items[i].class = c
	}
	for _, i := range r.Perm(len(items)) {
		if sp.straddlers > 0 && !items[i].disposed && items[i].areaMu >= 25 && items[i].areaMu <= 160 {
			items[i].straddle = true
			sp.straddlers--
		}
	}
	if sp.straddlers > 0 {
		return nil, fmt.Errorf("no parcel of a size to lay across the boundary")
	}

	// Packing order: parcels across the boundary first, then largest first.
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		x, y := items[a], items[b]
		if x.straddle != y.straddle {
			if x.straddle {
				return -1
			}
			return 1
		}
		switch {
		case x.areaMu > y.areaMu:
			return -1
		case x.areaMu < y.areaMu:
			return 1
		}
		return 0
	})

	cells := newCells(r, g)
	out := make([]parcelPlan, len(items))
	var carry [2]float64 // m² still owed by each bucket (pending, disposed)
	for _, i := range order {
		it := items[i]
		bucket := 0
		if it.disposed {
			bucket = 1
		}
		target := geo.M2FromMu(it.areaMu) + carry[bucket]
		var fit fitted
		if it.straddle {
			fit, err = placeAcross(r, f, g, cells, target)
		} else {
			fit, err = placeInside(r, f, cells, target)
		}
		if err != nil {
			return nil, err
		}
		carry[bucket] = target - fit.areaM2
		out[i] = parcelPlan{disposed: it.disposed, straddle: it.straddle, areaM2: fit.areaM2,
			input: land.ParcelInput{Class: it.class, Geometry: fit.poly, Demo: true}}
	}

	// Ledger fields, dates and steps, in item order.
	l := newLedger(r, sp.loc)
	inProgress := max(1, nPending/15)
	for _, i := range r.Perm(len(items)) {
		it := items[i]
		p := &out[i]
		var identified land.Date
		if it.disposed {
			identified = dateBetween(r, land.NewDate(2021, 1, 4), land.NewDate(2021, 12, 31))
		} else {
			identified = dateBetween(r, land.NewDate(2021, 1, 4), land.NewDate(2022, 5, 31))
		}
		p.input.ParcelFields = l.fields(it.class, it.areaMu, identified)
		switch {
		case it.disposed:
			p.steps = disposalSteps(r, it.class, geo.MuFromM2(p.areaM2), identified)
		case inProgress > 0:
			p.steps = progressSteps(r, it.class, identified)
			inProgress--
		}
	}
	return out, nil
}

// disposalSteps are the steps that dispose of a whole parcel: sometimes a
// step that does not count first, sometimes the area in two parts.
func disposalSteps(r *rand.Rand, c land.Class, areaMu float64, identified land.Date) []land.DisposalInput {
	var steps []land.DisposalInput
	last := dateBetween(r, identified.AddDate(0, 0, 60), SeedDate().AddDate(0, 0, -8))
	first := identified.AddDate(0, 0, 20)
	pre := 5
	if c == land.Idle {
		pre = 3
	}
	if r.IntN(pre) == 0 {
		m := pickMethod(r, nonCountingMethods(c))
		d := dateBetween(r, first, last.AddDate(0, 0, -20))
		steps = append(steps, land.DisposalInput{Method: m.code, Date: d, Note: m.note})
		first = d.AddDate(0, 0, 10)
	}
	m := pickMethod(r, countingMethods(c))
	if r.IntN(8) == 0 {
		part := round2(areaMu * uniform(r, 0.4, 0.7))
		d := dateBetween(r, first, last.AddDate(0, 0, -15))
		steps = append(steps, land.DisposalInput{Method: m.code, Date: d, AreaMu: ptr(part),
			Note: fmt.Sprintf("%s（一期 %.2f 亩）", m.note, part)})
		steps = append(steps, land.DisposalInput{Method: m.code, Date: last, Note: m.note + "（二期，剩余面积）"})
		return steps
	}
	return append(steps, land.DisposalInput{Method: m.code, Date: last, Note: m.note})
}

// progressSteps are one or two steps that do not count: the parcel is in
// progress and uses up no area.
func progressSteps(r *rand.Rand, c land.Class, identified land.Date) []land.DisposalInput {
	ms := nonCountingMethods(c)
	m := pickMethod(r, ms)
	d := dateBetween(r, identified.AddDate(0, 0, 15), SeedDate().AddDate(0, 0, -3))
	steps := []land.DisposalInput{{Method: m.code, Date: d, Note: m.note}}
	if len(ms) > 1 && r.IntN(3) == 0 {
		n := pickMethod(r, ms)
		if n.code != m.code {
			steps = append(steps, land.DisposalInput{Method: n.code, Date: dateBetween(r, d, SeedDate()), Note: n.note})
		}
	}
	return steps
}

// splitArea draws n areas, each within 6–290 亩 and with two decimals, that
// sum to total: log-uniform like real ledgers (many small parcels, a few
// large), then scaled to the total with the bounds enforced.
func splitArea(r *rand.Rand, n int, total float64) ([]float64, error) {
	const lo, hi = 6.0, 290.0
	if n == 0 {
		if total != 0 {
			return nil, fmt.Errorf("%.2f 亩 over no parcel", total)
		}
		return nil, nil
	}
	if total < lo*float64(n) || total > hi*float64(n) {
		return nil, fmt.Errorf("%.2f 亩 cannot be split into %d parcels of %.0f–%.0f 亩", total, n, lo, hi)
	}
	x := make([]float64, n)
	for i := range x {
		x[i] = math.Exp(math.Log(8) + r.Float64()*math.Log(280.0/8))
	}
	fixed := make([]bool, n)
	for range 100 {
		var free, held float64
		for i := range x {
			if fixed[i] {
				held += x[i]
			} else {
				free += x[i]
			}
		}
		k := (total - held) / free
		changed := false
		for i := range x {
			if fixed[i] {
				continue
			}
			switch v := x[i] * k; {
			case v < lo:
				x[i], fixed[i], changed = lo, true, true
			case v > hi:
				x[i], fixed[i], changed = hi, true, true
			}
		}
		if !changed {
			for i := range x {
				if !fixed[i] {
					x[i] *= k
				}
			}
			break
		}
	}
	// Two decimals, the rounding drift on the parcel with most room.
	sum := 0.0
	for i := range x {
		x[i] = round2(x[i])
		sum += x[i]
	}
	drift := round2(total - sum)
	j := 0
	for i := range x {
		if math.Min(x[i]-lo, hi-x[i]) > math.Min(x[j]-lo, hi-x[j]) {
			j = i
		}
	}
	x[j] = round2(x[j] + drift)
	if x[j] < lo || x[j] > hi {
		return nil, fmt.Errorf("split %.2f 亩: no room for the rounding drift", total)
	}
	return x, nil
}

// assignClasses gives each area a class so that the park's split by area
// follows shares: in random order, each parcel goes to the class furthest
// behind its share.
func assignClasses(r *rand.Rand, areas []float64, shares [3]float64) []land.Class {
	out := make([]land.Class, len(areas))
	var got [3]float64
	total := 0.0
	for _, i := range r.Perm(len(areas)) {
		total += areas[i]
		best, gap := 0, math.Inf(-1)
		for c := range 3 {
			if g := shares[c]*total - got[c] + uniform(r, 0, 0.2)*areas[i]; g > gap {
				best, gap = c, g
			}
		}
		got[best] += areas[i]
		out[i] = land.Classes[best]
	}
	return out
}

// cells hands out free cells of the packing grid: whole base cells inside
// the park, split into quarters (and quarters of quarters) on demand, and
// base cells across the boundary for the parcels that straddle it.
type cells struct {
	r      *rand.Rand
	free   [3][]box
	across []box // base cells 45–80% inside the park
}

func newCells(r *rand.Rand, g region) *cells {
	var all box = box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, ring := range g.rings {
		b := boundsOf(ring)
		all.minU, all.minV = math.Min(all.minU, b.minU), math.Min(all.minV, b.minV)
		all.maxU, all.maxV = math.Max(all.maxU, b.maxU), math.Max(all.maxV, b.maxV)
	}
	c := &cells{r: r}
	u0, v0 := all.minU-uniform(r, 0, baseCell), all.minV-uniform(r, 0, baseCell)
	for u := u0; u < all.maxU; u += baseCell {
		for v := v0; v < all.maxV; v += baseCell {
			b := box{u, v, u + baseCell, v + baseCell}
			if g.containsBox(b) {
				c.free[0] = append(c.free[0], b)
				continue
			}
			in := 0
			const k = 8
			for i := range k {
				for j := range k {
					if g.contains(vec{u + (float64(i)+0.5)*baseCell/k, v + (float64(j)+0.5)*baseCell/k}) {
						in++
					}
				}
			}
			if share := float64(in) / (k * k); share >= 0.45 && share <= 0.8 {
				c.across = append(c.across, b)
			}
		}
	}
	r.Shuffle(len(c.free[0]), func(i, j int) { c.free[0][i], c.free[0][j] = c.free[0][j], c.free[0][i] })
	r.Shuffle(len(c.across), func(i, j int) { c.across[i], c.across[j] = c.across[j], c.across[i] })
	return c
}

// take returns a free cell of the level, splitting a larger one if need be.
func (c *cells) take(level int) (box, bool) {
	if n := len(c.free[level]); n > 0 {
		b := c.free[level][n-1]
		c.free[level] = c.free[level][:n-1]
		return b, true
	}
	if level == 0 {
		return box{}, false
	}
	parent, ok := c.take(level - 1)
	if !ok {
		return box{}, false
	}
	mu, mv := (parent.minU+parent.maxU)/2, (parent.minV+parent.maxV)/2
	quarters := []box{
		{parent.minU, parent.minV, mu, mv}, {mu, parent.minV, parent.maxU, mv},
		{parent.minU, mv, mu, parent.maxV}, {mu, mv, parent.maxU, parent.maxV},
	}
	c.r.Shuffle(len(quarters), func(i, j int) { quarters[i], quarters[j] = quarters[j], quarters[i] })
	c.free[level] = append(c.free[level], quarters[1:]...)
	return quarters[0], true
}

// drawShape draws a parcel shape of unit area whose bounding box, at areaM2,
// fits a square of side maxSide: mostly jittered rectangles along the
// park's street grid, sometimes irregular star shapes.
func drawShape(r *rand.Rand, areaM2, maxSide float64) ([]vec, box, error) {
	s := math.Sqrt(areaM2)
	for try := range 30 {
		calm := float64(try) / 30 // later tries are rounder
		var pts []vec
		if r.IntN(100) < 65 {
			n := between(r, 8, 16)
			if r.IntN(7) == 0 {
				n = between(r, 17, 30)
			}
			pts = rectShape(r, n, uniform(r, 1, 1+0.9*(1-calm)), 0.03)
			turn := uniform(r, -0.06, 0.06)
			if r.IntN(2) == 0 {
				turn += math.Pi / 2
			}
			pts = rotate(pts, turn)
		} else {
			pts = starShape(r, between(r, 10, 30), 0.35*(1-calm), uniform(r, 1, 1+0.3*(1-calm)))
			pts = rotate(pts, uniform(r, 0, 2*math.Pi))
		}
		b := boundsOf(pts)
		if s*b.width() <= maxSide && s*b.height() <= maxSide {
			return pts, box{s * b.minU, s * b.minV, s * b.maxU, s * b.maxV}, nil
		}
	}
	return nil, box{}, fmt.Errorf("no parcel shape of %.0f m² fits %.0f m", areaM2, maxSide)
}

// placeInside draws a shape for targetM2, takes the smallest free cell it
// fits (with its margins) and fits the area there.
func placeInside(r *rand.Rand, f frame, c *cells, targetM2 float64) (fitted, error) {
	pts, b, err := drawShape(r, targetM2, cellSize(0)-2*cellMargin(0))
	if err != nil {
		return fitted{}, err
	}
	level := 0
	for l := 2; l >= 0; l-- {
		if side := cellSize(l) - 2*cellMargin(l); b.width() <= side && b.height() <= side {
			level = l
			break
		}
	}
	cell, ok := c.take(level)
	if !ok {
		return fitted{}, errNoRoom
	}
	m := cellMargin(level)
	centre := vec{
		uniform(r, cell.minU+m-b.minU, cell.maxU-m-b.maxU),
		uniform(r, cell.minV+m-b.minV, cell.maxV-m-b.maxV),
	}
	return fitArea(f, centre, pts, targetM2)
}

// placeAcross lays a parcel across the park boundary: centred on a base
// cell that is partly outside, with 55–90% of its area inside the park so
// that the park still holds most of it.
func placeAcross(r *rand.Rand, f frame, g region, c *cells, targetM2 float64) (fitted, error) {
	pts, b, err := drawShape(r, targetM2, cellSize(0)-2*cellMargin(0))
	if err != nil {
		return fitted{}, err
	}
	for len(c.across) > 0 {
		cell := c.across[len(c.across)-1]
		c.across = c.across[:len(c.across)-1]
		centre := vec{(cell.minU+cell.maxU)/2 - (b.minU+b.maxU)/2, (cell.minV+cell.maxV)/2 - (b.minV+b.maxV)/2}
		fit, err := fitArea(f, centre, pts, targetM2)
		if err != nil {
			return fitted{}, err
		}
		if share := g.insideShare(fit.local); share >= 0.55 && share <= 0.9 {
			return fit, nil
		}
	}
	return fitted{}, errNoRoom
}
