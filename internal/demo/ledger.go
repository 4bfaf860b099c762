package demo

import (
	"fmt"
	"math"
	"math/rand/v2"

	"panhuo/internal/land"
)

// locale is what makes ledger entries of one park look like that park's:
// the county code of its parcel numbers, its district, roads and industries.
type locale struct {
	county     string   // 行政区划代码, e.g. 430211 天元区
	district   string   // 坐落 prefix, e.g. 天元区
	batchCity  string   // who the batches are named after: 株洲市, 醴陵市, 攸县…
	firmPlace  []string // place prefixes of company names
	roads      []string // roads for 坐落
	industries []string // industries for company and project names
}

// Trade names (字号) of the made-up companies.
var tradeNames = [...]string{
	"华鑫", "恒盛", "金瑞", "天成", "瑞达", "鼎诚", "宏远", "博锐", "星火", "新宇",
	"凯诚", "盛达", "旭日", "钧晟", "创源", "众合", "立德", "鸿泰", "嘉禾", "博腾",
	"明诚", "信和", "泰格", "汇丰源", "精诚", "宇航", "中拓", "联创", "晨光", "远大",
	"华锐", "永信", "湘达", "诚泰", "金源", "昊天", "世纪", "国泰", "兴旺", "安达",
}

// Kinds of company by suffix.
var firmSuffixes = [...]string{"科技有限公司", "有限公司", "股份有限公司", "科技有限公司", "实业有限公司"}

// Project name patterns: %[1]s trade name, %[2]s industry.
var projectPatterns = [...]string{
	"%[1]s%[2]s产业园项目", "%[1]s%[2]s生产基地项目", "年产%[3]d万件%[2]s产品生产线项目",
	"%[1]s%[2]s技改扩能项目", "%[2]s标准厂房项目", "%[1]s%[2]s研发中心及生产基地项目",
}

// Reasons a parcel was found inefficient (低效用地认定原因).
var inefficientReasons = [...]string{
	"亩均税收低于园区工业用地平均水平的 50%",
	"容积率低于 0.6，土地利用粗放",
	"企业停产、半停产两年以上",
	"属产业政策淘汰类、限制类落后产能",
	"厂房建筑危旧，布局散乱，配套设施不足",
	"长期出租转包，实际用地单位与登记不符",
}

var directions = [...]string{"以东", "以南", "以西", "以北"}

// ledger draws ledger entries for one park from r; seq numbers its parcels.
type ledger struct {
	r   *rand.Rand
	loc locale
	seq map[int]int // parcels per identification year, for 宗地编号 (never iterated)
	sup int         // serial of 电子监管号
}

func newLedger(r *rand.Rand, loc locale) *ledger {
	return &ledger{r: r, loc: loc, seq: map[int]int{}, sup: between(r, 100, 900)}
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// firm returns a company name and its trade name.
func (l *ledger) firm() (name, trade string) {
	trade = tradeNames[l.r.IntN(len(tradeNames))]
	ind := pick(l.r, l.loc.industries)
	return pick(l.r, l.loc.firmPlace) + trade + ind + firmSuffixes[l.r.IntN(len(firmSuffixes))], trade
}

func (l *ledger) project(trade string) string {
	return fmt.Sprintf(projectPatterns[l.r.IntN(len(projectPatterns))], trade, pick(l.r, l.loc.industries), between(l.r, 5, 200))
}

// code is a 宗地编号: county, year, serial (430211-2021-017).
func (l *ledger) code(year int) string {
	l.seq[year]++
	return fmt.Sprintf("%s-%d-%03d", l.loc.county, year, l.seq[year])
}

// supervisionNo is a 电子监管号 of 16 to 19 digits: county, year, serial.
func (l *ledger) supervisionNo(year int) string {
	l.sup += between(l.r, 1, 37)
	return fmt.Sprintf("%s%d%0*d", l.loc.county, year, between(l.r, 6, 9), l.sup)
}

func (l *ledger) location() string {
	return l.loc.district + pick(l.r, l.loc.roads) + directions[l.r.IntN(len(directions))]
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

func ptr(x float64) *float64 { return &x }

// fields draws the ledger fields of a parcel of class c and area areaMu
// identified on identified.
func (l *ledger) fields(c land.Class, areaMu float64, identified land.Date) land.ParcelFields {
	r := l.r
	f := land.ParcelFields{
		IdentifiedOn:   identified,
		DeclaredAreaMu: ptr(round2(areaMu)),
		Location:       l.location(),
		LandUse:        "工业用地",
	}
	if r.IntN(10) == 0 {
		f.LandUse = "仓储用地"
	}
	user, trade := l.firm()
	f.ProjectName = l.project(trade)
	switch c {
	case land.Unsupplied:
		approved := dateBetween(r, land.NewDate(2015, 3, 1), land.NewDate(2020, 12, 31))
		f.ApprovedOn = approved
		f.BatchName = fmt.Sprintf("%s%d年度第%d批次城镇建设用地", l.loc.batchCity, approved.Year(), between(r, 1, 18))
		if r.IntN(6) == 0 {
			f.BatchName = fmt.Sprintf("%s%s项目（单独选址）", l.loc.batchCity, pick(r, l.loc.industries))
		}
		f.ApprovalNo = fmt.Sprintf("湘政地〔%d〕%d号", approved.Year(), between(r, 20, 680))
		f.Code = l.code(identified.Year())
		f.SupervisionNo = l.supervisionNo(approved.Year())
		// Not supplied yet: the intended user, when there is one, goes into the note.
		if r.IntN(3) == 0 {
			f.Note = "拟供地对象：" + user
		}
	case land.Idle:
		signed := dateBetween(r, land.NewDate(2016, 1, 10), identified.AddDate(-1, -9, 0))
		f.LandUser = user
		f.ContractNo = contractNo(r, signed.Year())
		f.AgreedStartOn = signed.AddDate(0, between(r, 3, 9), 0)
		f.AgreedCompletionOn = f.AgreedStartOn.AddDate(0, between(r, 18, 36), 0)
		f.Code = l.code(signed.Year())
		f.SupervisionNo = l.supervisionNo(signed.Year())
		switch n := r.IntN(20); {
		case n < 8:
			f.IdleCause = land.IdleCauseGovernment
			f.Note = pick(r, []string{"规划调整，未按约定交地", "征拆未完成，未达净地交付条件", "周边配套道路未建成"})
		case n < 19:
			f.IdleCause = land.IdleCauseEnterprise
			f.Note = pick(r, []string{"企业资金链紧张，未按期动工", "项目投资方变更，迟迟未开工", "已动工但投资不足总投资 25% 后停工"})
		default:
			f.IdleCause = land.IdleCauseForceMajeure
			f.Note = "受疫情影响停工"
		}
	case land.Inefficient:
		f.LandUser = user
		f.ProjectName = trade + "厂区"
		f.Code = l.code(identified.Year())
		f.SupervisionNo = l.supervisionNo(between(r, 2005, 2015))
		f.IdentifiedReason = inefficientReasons[r.IntN(len(inefficientReasons))]
		f.PlotRatio = ptr(round2(uniform(r, 0.25, 0.75)))
		f.TaxPerMu = ptr(round2(uniform(r, 0.3, 5.5)))
	}
	return f
}

// contractNo is a 国有建设用地使用权出让合同 number.
func contractNo(r *rand.Rand, year int) string {
	office := "株国土资"
	if year >= 2019 {
		office = "株自然资"
	}
	return fmt.Sprintf("%s出让合字〔%d〕第%03d号", office, year, between(r, 1, 260))
}

// dateBetween draws a date in [a, b]; b before a gives a.
func dateBetween(r *rand.Rand, a, b land.Date) land.Date {
	days := int(b.Time().Sub(a.Time()).Hours() / 24)
	if days <= 0 {
		return a
	}
	return a.AddDate(0, 0, r.IntN(days+1))
}

// Methods by class, counting and not, with a weight and what an officer
// would note.
type methodChoice struct {
	code   string
	weight int
	note   string
}

// countingMethods are the methods of class c that count toward the rate.
func countingMethods(c land.Class) []methodChoice {
	switch c {
	case land.Unsupplied:
		return []methodChoice{
			{"supply", 14, "已挂牌出让，签订出让合同"},
			{"withdraw_approval", 3, "经省自然资源厅同意，核减批文面积"},
			{"replan_swap", 3, "调整规划后与园区其他地块置换"},
		}
	case land.Idle:
		return []methodChoice{
			{"start_construction", 10, "已全面动工，完成投资超过总投资 25%"},
			{"paid_recovery", 5, "与用地单位签订有偿收回协议"},
			{"free_recovery", 2, "闲置满两年，依法无偿收回"},
			{"land_swap", 3, "置换至园区其他地块"},
		}
	default:
		return []methodChoice{
			{"capacity_upgrade", 7, "增容技改，新建厂房，容积率提高至 1.2 以上"},
			{"merger_transfer", 5, "由园区龙头企业兼并重组"},
			{"recover_resupply", 4, "收回后重新供应给新项目"},
			{"use_conversion", 2, "退二进三，调整为生产性服务业用地"},
			{"split_transfer", 2, "分割转让给配套企业"},
		}
	}
}

// nonCountingMethods are the methods of class c that put a parcel in
// progress without using up area.
func nonCountingMethods(c land.Class) []methodChoice {
	switch c {
	case land.Unsupplied:
		return []methodChoice{
			{"land_reserve", 3, "纳入园区土地储备"},
			{"temporary_use", 1, "临时用作项目施工场地"},
		}
	case land.Idle:
		return []methodChoice{
			{"extend_start", 4, "因政府原因，同意延长动工期限一年"},
			{"idle_fee", 2, "已下达征缴土地闲置费决定书"},
			{"change_use", 1, "申请调整规划条件，正在审批"},
			{"government_temporary_use", 1, "政府安排临时使用，期限两年"},
		}
	default:
		return []methodChoice{{"renovation", 1, "开展厂区整治提升"}}
	}
}

func pickMethod(r *rand.Rand, ms []methodChoice) methodChoice {
	total := 0
	for _, m := range ms {
		total += m.weight
	}
	n := r.IntN(total)
	for _, m := range ms {
		if n < m.weight {
			return m
		}
		n -= m.weight
	}
	return ms[len(ms)-1]
}
