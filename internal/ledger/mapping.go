package ledger

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"panhuo/geo"
	"panhuo/internal/land"
)

// Mapped is what the properties of one feature or row say of a parcel.
type Mapped struct {
	Class  land.Class // "" when the source gives none
	Park   string     // as written (a name or a code), "" when none
	Fields land.ParcelFields
	// Set holds the fields the source gave a non-empty, readable value for
	// (contract names, plus "class" and "park"), so that a re-import updates
	// only those.
	Set map[string]bool
	// Errors: Field is the contract field name; Reason, in Chinese, names the
	// source column and value.
	Errors   []land.FieldError
	Warnings []string // Chinese
}

// column is one property with the field its name maps to.
type column struct {
	name, value string
	field, unit string
}

// MapProperties reads the ledger fields from the properties of one feature
// or row. Property names go through FieldFor (the user's Mapping first);
// unknown names and "ignore", "wkt" and "gk_zone" columns are skipped (list
// unknown names once per file with UnknownHeaders). When several columns map
// to the same field, the columns of the highest rank present decide (the
// user's Mapping, then specific names such as 台账面积, then generic ones such
// as 面积); among those the first non-empty value wins, with a warning when
// another differs. Empty values leave a field unset.
func MapProperties(props []geo.Property, m Mapping) Mapped {
	return NewMapper(m).Map(props)
}

// Mapper is MapProperties for many features of one file: it remembers what
// each property name maps to, and which properties count for a list of
// names, since the features of a file share their names. A Mapper is not
// safe for concurrent use.
type Mapper struct {
	m     Mapping
	known map[string]lookedUp
	plan  mapPlan
}

type lookedUp struct {
	field, unit string
	rank        int
	ok          bool
}

// mapPlan is what Map does with the properties of one list of names.
type mapPlan struct {
	names []string // the names it was made for, in order; nil before the first
	// cols are the properties that can set a field: mapped to one, of the
	// highest rank present for it, in property order.
	cols []planColumn
	// fields are the distinct fields of cols; planColumn.slot indexes it.
	fields []string
}

type planColumn struct {
	prop        int    // index in the properties
	name        string // trimmed
	field, unit string
	slot        int
}

// NewMapper returns a Mapper with the user's Mapping m.
func NewMapper(m Mapping) *Mapper { return &Mapper{m: m, known: map[string]lookedUp{}} }

func (mp *Mapper) lookup(name string) (string, string, int, bool) {
	l, hit := mp.known[name]
	if !hit {
		l.field, l.unit, l.rank, l.ok = lookup(name, mp.m)
		mp.known[name] = l
	}
	return l.field, l.unit, l.rank, l.ok
}

// planFor returns the plan for the names of props, making it when they are
// not those of the previous call.
func (mp *Mapper) planFor(props []geo.Property) *mapPlan {
	p := &mp.plan
	if p.names != nil && len(p.names) == len(props) {
		same := true
		for i := range props {
			if props[i].Name != p.names[i] {
				same = false
				break
			}
		}
		if same {
			return p
		}
	}
	p.names = p.names[:0]
	p.cols = p.cols[:0]
	p.fields = p.fields[:0]
	best := map[string]int{}
	for _, pr := range props {
		p.names = append(p.names, pr.Name)
		f, _, r, ok := mp.lookup(pr.Name)
		if !ok || f == FieldIgnore || f == FieldWKT || f == FieldGKZone {
			continue
		}
		best[f] = max(best[f], r)
	}
	if p.names == nil {
		p.names = []string{}
	}
	for i, pr := range props {
		f, u, r, ok := mp.lookup(pr.Name)
		if !ok || f == FieldIgnore || f == FieldWKT || f == FieldGKZone || r != best[f] {
			continue
		}
		slot := slices.Index(p.fields, f)
		if slot < 0 {
			slot = len(p.fields)
			p.fields = append(p.fields, f)
		}
		p.cols = append(p.cols, planColumn{prop: i, name: strings.TrimSpace(pr.Name), field: f, unit: u, slot: slot})
	}
	return p
}

// Map is MapProperties(props, the Mapper's Mapping).
func (mp *Mapper) Map(props []geo.Property) Mapped {
	p := mp.planFor(props)
	// chosen[slot] is the index in p.cols of the column that sets the field,
	// -1 for none yet; order lists the slots in the order they were chosen.
	var chosenBuf, orderBuf [32]int
	var valueBuf [32]string
	chosen, order, values := chosenBuf[:0], orderBuf[:0], valueBuf[:0]
	if len(p.fields) > len(chosenBuf) {
		chosen, order, values = make([]int, 0, len(p.fields)), make([]int, 0, len(p.fields)), make([]string, 0, len(p.fields))
	}
	for range p.fields {
		chosen = append(chosen, -1)
		values = append(values, "")
	}
	out := Mapped{}
	for i := range p.cols {
		c := &p.cols[i]
		v := cleanValue(props[c.prop].Value)
		if v == "" {
			continue
		}
		prev := chosen[c.slot]
		if prev < 0 {
			chosen[c.slot], values[c.slot] = i, v
			order = append(order, c.slot)
			continue
		}
		if values[c.slot] != v {
			pc := &p.cols[prev]
			out.Warnings = append(out.Warnings, fmt.Sprintf("列「%s」与列「%s」对应同一字段，取列「%s」的值「%s」，未用「%s」",
				pc.name, c.name, pc.name, values[c.slot], v))
		}
	}
	// One more entry for the caller's "class".
	out.Set = make(map[string]bool, len(order)+1)
	for _, slot := range order {
		pc := &p.cols[chosen[slot]]
		c := column{name: pc.name, value: values[slot], field: pc.field, unit: pc.unit}
		if fe := out.set(c); fe != nil {
			out.Errors = append(out.Errors, *fe)
			continue
		}
		out.Set[c.field] = true
	}
	return out
}

// cleanValue trims a value, white space of any width included.
func cleanValue(v string) string {
	if v == "" {
		return v
	}
	// Most values have nothing to trim: look at both ends first.
	first, _ := utf8.DecodeRuneInString(v)
	last, _ := utf8.DecodeLastRuneInString(v)
	if !blank(first) && !blank(last) {
		return v
	}
	return strings.TrimFunc(v, blank)
}

// blank reports whether cleanValue trims r; there is no white space after
// U+3000.
func blank(r rune) bool {
	return r <= '\u3000' && unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'
}

// set reads one column's value into its field.
func (o *Mapped) set(c column) *land.FieldError {
	f := &o.Fields
	bad := func(what string) *land.FieldError {
		return &land.FieldError{Field: c.field, Reason: fmt.Sprintf("列「%s」的值「%s」%s", c.name, c.value, what)}
	}
	date := func(d *land.Date) *land.FieldError {
		v, ok := ParseDate(c.value)
		if !ok {
			return bad("不是有效日期（应如 2021-03-05、2021/3/5、2021年3月5日）")
		}
		*d = v
		return nil
	}
	switch c.field {
	case FieldClass:
		cl, ok := ParseClass(c.value)
		if !ok {
			return bad("不是三类用地类别（应为 批而未供、闲置 或 低效）")
		}
		o.Class = cl
	case FieldPark:
		o.Park = c.value
	case "code":
		f.Code = c.value
	case "supervision_no":
		f.SupervisionNo = c.value
		if strings.ContainsAny(c.value, "Ee") && looksNumeric(c.value) {
			o.Warnings = append(o.Warnings, fmt.Sprintf("列「%s」的值「%s」是科学计数法数字，电子监管号可能已丢失位数：请把该列设为文本后重新录入", c.name, c.value))
		}
	case "project_name":
		f.ProjectName = c.value
	case "land_user":
		f.LandUser = c.value
	case "location":
		f.Location = c.value
	case "land_use":
		f.LandUse = c.value
	case "note":
		f.Note = c.value
	case "batch_name":
		f.BatchName = c.value
	case "approval_no":
		f.ApprovalNo = c.value
	case "contract_no":
		f.ContractNo = c.value
	case "identified_reason":
		f.IdentifiedReason = c.value
	case "identified_on":
		return date(&f.IdentifiedOn)
	case "approved_on":
		return date(&f.ApprovedOn)
	case "agreed_start_on":
		return date(&f.AgreedStartOn)
	case "agreed_completion_on":
		return date(&f.AgreedCompletionOn)
	case "idle_cause":
		cause, ok := ParseIdleCause(c.value)
		if !ok {
			return bad("不是闲置原因（应为 政府原因、企业原因 或 不可抗力）")
		}
		f.IdleCause = cause
	case "declared_area_mu":
		v, unit, ok := ParseNumber(c.value)
		if !ok {
			return bad("不是数字")
		}
		u := areaUnit(unit)
		if unit != "" && u == "" {
			return bad(fmt.Sprintf("的单位「%s」不是面积单位（亩、公顷、平方米）", unit))
		}
		if u == "" {
			u = c.unit
		}
		if v < 0 {
			return bad("不能为负数")
		}
		mu := toMu(v, u)
		f.DeclaredAreaMu = &mu
	case "plot_ratio":
		v, unit, ok := ParseNumber(c.value)
		if !ok || unit != "" {
			return bad("不是数字")
		}
		if v < 0 {
			return bad("不能为负数")
		}
		f.PlotRatio = &v
	case "tax_per_mu":
		v, unit, ok := ParseNumber(c.value)
		if !ok {
			return bad("不是数字")
		}
		u := c.unit
		switch strings.TrimSuffix(strings.TrimSuffix(unit, "/亩"), "每亩") {
		case "":
		case UnitWanYuan:
			u = UnitWanYuan
		case UnitYuan:
			u = UnitYuan
		default:
			return bad(fmt.Sprintf("的单位「%s」不是金额单位（万元、元）", unit))
		}
		if u == UnitYuan {
			v = roundTo(v/10000, 1e-6)
		}
		f.TaxPerMu = &v
	default:
		return bad("无法识别")
	}
	return nil
}

// toMu converts an area in unit u to 亩; a conversion is rounded to 1e-6 亩
// (under a thousandth of a square metre) so that 公顷 × 15 reads cleanly.
func toMu(v float64, u string) float64 {
	switch u {
	case UnitHectare:
		return roundTo(v*15, 1e-6)
	case UnitM2:
		return roundTo(geo.MuFromM2(v), 1e-6)
	}
	return v
}

func roundTo(v, step float64) float64 { return math.Round(v/step) * step }

// looksNumeric reports whether s parses as a float.
func looksNumeric(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// ParseClass reads a class as ledgers write it: 批而未供, 未供, 批而未供土地,
// 闲置, 闲置土地, 低效, 低效用地, the API codes (any case).
func ParseClass(s string) (land.Class, bool) {
	switch s { // as most files write it, nothing to normalise
	case "批而未供":
		return land.Unsupplied, true
	case "闲置":
		return land.Idle, true
	case "低效":
		return land.Inefficient, true
	}
	s = strings.ToLower(normalizeHeader(s))
	switch s {
	case "unsupplied":
		return land.Unsupplied, true
	case "idle":
		return land.Idle, true
	case "inefficient":
		return land.Inefficient, true
	}
	for _, suffix := range []string{"土地", "用地", "地"} {
		if t, ok := strings.CutSuffix(s, suffix); ok && t != "" {
			s = t
			break
		}
	}
	switch s {
	case "批而未供", "未供", "批而未供应":
		return land.Unsupplied, true
	case "闲置":
		return land.Idle, true
	case "低效", "低效利用":
		return land.Inefficient, true
	}
	return "", false
}

// ParseIdleCause reads a 闲置原因: 政府原因/政府, 企业原因/企业, 不可抗力, or
// the codes; a longer text naming exactly one of 政府, 企业 and 不可抗力 is
// taken as that cause.
func ParseIdleCause(s string) (string, bool) {
	switch s { // as most files write it, nothing to normalise
	case "政府原因":
		return land.IdleCauseGovernment, true
	case "企业原因":
		return land.IdleCauseEnterprise, true
	case "不可抗力":
		return land.IdleCauseForceMajeure, true
	}
	n := strings.ToLower(normalizeHeader(s))
	switch n {
	case "政府原因", "政府", "government":
		return land.IdleCauseGovernment, true
	case "企业原因", "企业", "enterprise":
		return land.IdleCauseEnterprise, true
	case "不可抗力", "force_majeure", "forcemajeure":
		return land.IdleCauseForceMajeure, true
	}
	var found []string
	if strings.Contains(n, "政府") {
		found = append(found, land.IdleCauseGovernment)
	}
	if strings.Contains(n, "企业") || strings.Contains(n, "用地单位") || strings.Contains(n, "用地者") {
		found = append(found, land.IdleCauseEnterprise)
	}
	if strings.Contains(n, "不可抗力") {
		found = append(found, land.IdleCauseForceMajeure)
	}
	if len(found) == 1 {
		return found[0], true
	}
	return "", false
}

// IdleCauseName is the Chinese name of an idle cause code.
func IdleCauseName(code string) string {
	switch code {
	case land.IdleCauseGovernment:
		return "政府原因"
	case land.IdleCauseEnterprise:
		return "企业原因"
	case land.IdleCauseForceMajeure:
		return "不可抗力"
	}
	return code
}

// ParseNumber reads a number as ledgers write it: full-width digits,
// thousands separators, surrounding spaces, and a trailing unit, which it
// returns ("12.5亩" gives 12.5, "亩"). NaN and infinities are refused.
func ParseNumber(s string) (v float64, unit string, ok bool) {
	if plainDecimal(s) { // what a DBF or a formatted cell holds: no unit, nothing to clean
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, "", false
		}
		return v, "", true
	}
	s = narrow(s)
	var b strings.Builder
	for _, r := range s {
		if unicode.IsSpace(r) || r == ',' || r == '\'' || r == '_' {
			continue
		}
		if r == '。' {
			r = '.'
		}
		b.WriteRune(r)
	}
	s = b.String()
	end := len(s)
	for end > 0 {
		c := s[end-1]
		if c >= '0' && c <= '9' || c == '.' {
			break
		}
		end--
	}
	num, unit := s[:end], s[end:]
	// An exponent ("1.5E+3") is part of the number, not a unit.
	if strings.ContainsAny(num, "eE") {
		num, unit = s, ""
	}
	if num == "" || strings.ContainsAny(num, "xXpP") {
		return 0, "", false
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, "", false
	}
	return v, unit, true
}

// Plausible years of a ledger date; anything else is a typing error.
const (
	minYear = 1900
	maxYear = 2100
)

// ParseDate reads a date as ledgers write it: 2021-03-05, 2021/3/5, 2021.3.5,
// 2021年3月5日, 20210305, an Excel serial number (44260, the 1900 date
// system; a fraction is a time of day and dropped) and an ISO time stamp
// (its date as written). ok is false for anything else, an impossible date
// (2021-02-30) or a year outside 1900–2100.
func ParseDate(s string) (land.Date, bool) {
	if isoDate(s) { // 2021-03-05, what most files hold
		return makeDate(atoi(s[:4]), atoi(s[5:7]), atoi(s[8:]))
	}
	s = strings.TrimSpace(narrow(s))
	if s == "" {
		return land.Date{}, false
	}
	// A time stamp: keep the date.
	if i := strings.IndexAny(s, "Tt "); i > 0 && strings.Contains(s[i:], ":") {
		s = strings.TrimSpace(s[:i])
	}
	if allDigits(s) && len(s) == 8 {
		y, _ := strconv.Atoi(s[:4])
		m, _ := strconv.Atoi(s[4:6])
		d, _ := strconv.Atoi(s[6:])
		return makeDate(y, m, d)
	}
	if serial, err := strconv.ParseFloat(s, 64); err == nil && looksSerial(s) {
		return SerialDate(serial, false)
	}
	if strings.Contains(s, "年") {
		s = strings.NewReplacer("年", "-", "月", "-", "日", "", "号", "").Replace(s)
		s = strings.TrimSuffix(s, "-")
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '/' || r == '.' })
	if len(parts) != 3 || len(parts[0]) != 4 || !allDigits(parts[0]+parts[1]+parts[2]) ||
		len(parts[1]) > 2 || len(parts[2]) > 2 || strings.Count(s, "-")+strings.Count(s, "/")+strings.Count(s, ".") != 2 {
		return land.Date{}, false
	}
	y, _ := strconv.Atoi(parts[0])
	m, _ := strconv.Atoi(parts[1])
	d, _ := strconv.Atoi(parts[2])
	return makeDate(y, m, d)
}

// looksSerial reports whether s is written like an Excel serial date: up to
// six digits, optionally with a fraction.
func looksSerial(s string) bool {
	i, _, _ := strings.Cut(s, ".")
	return i != "" && len(i) <= 6 && allDigits(i)
}

// SerialDate converts an Excel serial date number to a Date: the 1900 date
// system (with Excel's phantom 1900-02-29, so serial 61 is 1900-03-01) or the
// 1904 one. A fraction (time of day) is dropped.
func SerialDate(serial float64, date1904 bool) (land.Date, bool) {
	if math.IsNaN(serial) || serial < 1 || serial > 2958465 {
		return land.Date{}, false
	}
	days := int(math.Floor(serial))
	var t time.Time
	switch {
	case date1904:
		t = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days)
	case days >= 61:
		t = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days)
	default:
		t = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days)
	}
	return makeDate(t.Year(), int(t.Month()), t.Day())
}

// makeDate builds y-m-d when it is a real date of a plausible year.
func makeDate(y, m, d int) (land.Date, bool) {
	if y < minYear || y > maxYear || m < 1 || m > 12 || d < 1 {
		return land.Date{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return land.Date{}, false
	}
	return land.NewDate(y, time.Month(m), d), true
}

// plainDecimal reports whether s is digits with maybe a decimal point, and
// nothing else.
func plainDecimal(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return false
		}
	}
	return true
}

// isoDate reports whether s is written YYYY-MM-DD.
func isoDate(s string) bool {
	return len(s) == 10 && s[4] == '-' && s[7] == '-' && allDigits(s[:4]) && allDigits(s[5:7]) && allDigits(s[8:])
}

// atoi is the value of a string of ASCII digits.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = 10*n + int(s[i]-'0')
	}
	return n
}

// narrow is width.Narrow.String(s) without the transformer when it would
// change nothing, which is most of the time (ASCII, Chinese characters).
func narrow(s string) string {
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if size == 1 || width.LookupRune(r).Narrow() != 0 { // invalid UTF-8 or a wide form
			return width.Narrow.String(s)
		}
		i += size
	}
	return s
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
