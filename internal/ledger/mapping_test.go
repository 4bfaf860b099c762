package ledger

import (
	"math"
	"reflect"
	"sort"
	"strings"
	"testing"

	"panhuo/geo"
	"panhuo/internal/land"
)

func props(kv ...string) []geo.Property {
	var ps []geo.Property
	for i := 0; i+1 < len(kv); i += 2 {
		ps = append(ps, geo.Property{Name: kv[i], Value: kv[i+1]})
	}
	return ps
}

func setKeys(m map[string]bool) []string {
	var ks []string
	for k, v := range m {
		if v {
			ks = append(ks, k)
		}
	}
	sort.Strings(ks)
	return ks
}

func TestParseDate(t *testing.T) {
	for _, s := range []string{
		"2021-03-05", "2021-3-5", "2021/3/5", "2021/03/05", "2021.3.5", "2021年3月5日", "2021年03月05日",
		"20210305", "44260", "44260.75", "2021-03-05T10:30:00+08:00", "2021-03-05T00:00:00Z",
		"2021-03-05 10:30:00", " 2021-03-05 ", "２０２１－０３－０５",
	} {
		d, ok := ParseDate(s)
		if !ok || d.String() != "2021-03-05" {
			t.Errorf("ParseDate(%q) = %v, %v; want 2021-03-05", s, d, ok)
		}
	}
	for _, s := range []string{"", "2021-13-01", "2021-02-29", "2021-02-30", "3/5/2021", "2021-03", "昨天",
		"1850-01-01", "202103", "2021-03-05-01", "2021/3.5x", "0"} {
		if d, ok := ParseDate(s); ok {
			t.Errorf("ParseDate(%q) = %v, want failure", s, d)
		}
	}
	if d, ok := ParseDate("2020-02-29"); !ok || d.String() != "2020-02-29" {
		t.Errorf("leap day: %v %v", d, ok)
	}
}

func TestSerialDate(t *testing.T) {
	for _, tc := range []struct {
		serial float64
		is1904 bool
		want   string
	}{
		{44260, false, "2021-03-05"},
		{61, false, "1900-03-01"},
		{1, false, "1900-01-01"},
		{42798, true, "2021-03-05"}, // 1904 system: 1462 days fewer
	} {
		d, ok := SerialDate(tc.serial, tc.is1904)
		if !ok || d.String() != tc.want {
			t.Errorf("SerialDate(%v, %v) = %v, %v; want %s", tc.serial, tc.is1904, d, ok, tc.want)
		}
	}
}

func TestParseNumber(t *testing.T) {
	for _, tc := range []struct {
		in   string
		v    float64
		unit string
	}{
		{"12.5", 12.5, ""},
		{" 1,234.56 ", 1234.56, ""},
		{"１２．５", 12.5, ""},
		{"１，２３４", 1234, ""},
		{"12.5亩", 12.5, "亩"},
		{"12.5 公顷", 12.5, "公顷"},
		{"-3", -3, ""},
		{"1.5E+3", 1500, ""},
		{"0.30000000000000004", 0.30000000000000004, ""},
	} {
		v, unit, ok := ParseNumber(tc.in)
		if !ok || v != tc.v || unit != tc.unit {
			t.Errorf("ParseNumber(%q) = %v, %q, %v; want %v, %q", tc.in, v, unit, ok, tc.v, tc.unit)
		}
	}
	for _, s := range []string{"", "abc", "亩", "NaN", "Inf", "1.2.3", "0x10", "12a3"} {
		if v, _, ok := ParseNumber(s); ok {
			t.Errorf("ParseNumber(%q) = %v, want failure", s, v)
		}
	}
}

func TestParseClassAndCause(t *testing.T) {
	for in, want := range map[string]land.Class{
		"批而未供": land.Unsupplied, "未供": land.Unsupplied, "批而未供土地": land.Unsupplied, "unsupplied": land.Unsupplied,
		"闲置": land.Idle, "闲置土地": land.Idle, " IDLE ": land.Idle,
		"低效": land.Inefficient, "低效用地": land.Inefficient, "inefficient": land.Inefficient,
	} {
		if got, ok := ParseClass(in); !ok || got != want {
			t.Errorf("ParseClass(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "已供", "闲置低效", "other"} {
		if got, ok := ParseClass(in); ok {
			t.Errorf("ParseClass(%q) = %q, want failure", in, got)
		}
	}
	for in, want := range map[string]string{
		"政府原因": land.IdleCauseGovernment, "政府": land.IdleCauseGovernment, "government": land.IdleCauseGovernment,
		"因政府规划调整": land.IdleCauseGovernment,
		"企业原因":    land.IdleCauseEnterprise, "企业": land.IdleCauseEnterprise, "enterprise": land.IdleCauseEnterprise,
		"不可抗力": land.IdleCauseForceMajeure, "force_majeure": land.IdleCauseForceMajeure,
	} {
		if got, ok := ParseIdleCause(in); !ok || got != want {
			t.Errorf("ParseIdleCause(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "资金不足", "政府和企业共同原因"} {
		if got, ok := ParseIdleCause(in); ok {
			t.Errorf("ParseIdleCause(%q) = %q, want failure", in, got)
		}
	}
}

func TestMapProperties(t *testing.T) {
	m := MapProperties(props(
		"序号", "1",
		"宗地编号", " ZD-001 ",
		"电子监管号", "4302022021000123456",
		"项目名称", "醴陵陶瓷产业园二期",
		"用地单位", "醴陵某陶瓷有限公司",
		"坐落", "醴陵市经开区",
		"用途", "工业用地",
		"面积（公顷）", "1,5",
		"认定日期", "2021年3月5日",
		"类别", "闲置土地",
		"园区", "醴陵经开区",
		"批次名称", "2019年第3批次",
		"批准文号", "湘政土批〔2019〕123号",
		"批准日期", "43634",
		"出让合同号", "430281-2019-0012",
		"约定动工日期", "2019/5/1",
		"约定竣工日期", "2021-05-01T00:00:00+08:00",
		"闲置原因", "企业原因",
		"认定原因", "",
		"容积率", " 0.35 ",
		"亩均税收(万元)", "１２．５",
		"备注", "复核中",
		"联系人", "张三",
		"WKT", "POLYGON((1 2,3 4,5 6,1 2))",
		"带号", "38",
		"剩余面积(亩)", "abc",
	), nil)
	if len(m.Errors) != 0 {
		t.Fatalf("errors: %+v", m.Errors)
	}
	f := m.Fields
	if m.Class != land.Idle || m.Park != "醴陵经开区" {
		t.Errorf("class %q park %q", m.Class, m.Park)
	}
	for _, c := range []struct{ got, want string }{
		{f.Code, "ZD-001"}, {f.SupervisionNo, "4302022021000123456"}, {f.ProjectName, "醴陵陶瓷产业园二期"},
		{f.LandUser, "醴陵某陶瓷有限公司"}, {f.Location, "醴陵市经开区"}, {f.LandUse, "工业用地"},
		{f.IdentifiedOn.String(), "2021-03-05"}, {f.BatchName, "2019年第3批次"}, {f.ApprovalNo, "湘政土批〔2019〕123号"},
		{f.ApprovedOn.String(), "2019-06-18"}, {f.ContractNo, "430281-2019-0012"},
		{f.AgreedStartOn.String(), "2019-05-01"}, {f.AgreedCompletionOn.String(), "2021-05-01"},
		{f.IdleCause, land.IdleCauseEnterprise}, {f.Note, "复核中"}, {f.IdentifiedReason, ""},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	// "1,5" with a thousands separator is 15 公顷 = 225 亩.
	if f.DeclaredAreaMu == nil || *f.DeclaredAreaMu != 225 {
		t.Errorf("declared area %v, want 225", f.DeclaredAreaMu)
	}
	if f.PlotRatio == nil || *f.PlotRatio != 0.35 || f.TaxPerMu == nil || *f.TaxPerMu != 12.5 {
		t.Errorf("plot ratio %v tax %v", f.PlotRatio, f.TaxPerMu)
	}
	want := []string{"agreed_completion_on", "agreed_start_on", "approval_no", "approved_on", "batch_name", "class",
		"code", "contract_no", "declared_area_mu", "identified_on", "idle_cause", "land_use", "land_user", "location",
		"note", "park", "plot_ratio", "project_name", "supervision_no", "tax_per_mu"}
	if got := setKeys(m.Set); !reflect.DeepEqual(got, want) {
		t.Errorf("Set = %q\nwant  %q", got, want)
	}
}

func TestMapPropertiesUnits(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		want        float64
	}{
		{"面积", "12.5", 12.5},
		{"面积(亩)", "12.5亩", 12.5},
		{"面积（公顷）", "2", 30},
		{"面积(平方米)", "6666.67", 10.000005},
		{"面积(亩)", "1 公顷", 15}, // a unit in the value wins
		{"MJ", "３", 3},
	} {
		m := MapProperties(props(tc.name, tc.value), nil)
		if len(m.Errors) > 0 || m.Fields.DeclaredAreaMu == nil || math.Abs(*m.Fields.DeclaredAreaMu-tc.want) > 1e-9 {
			t.Errorf("%s=%s: %v %+v, want %v", tc.name, tc.value, m.Fields.DeclaredAreaMu, m.Errors, tc.want)
		}
	}
	m := MapProperties(props("亩均税收（元/亩）", "125000"), nil)
	if m.Fields.TaxPerMu == nil || *m.Fields.TaxPerMu != 12.5 {
		t.Errorf("tax in 元: %v", m.Fields.TaxPerMu)
	}
}

func TestMapPropertiesErrors(t *testing.T) {
	m := MapProperties(props(
		"宗地编号", "ZD-9",
		"认定日期", "2021-13-01",
		"类别", "已供",
		"闲置原因", "资金不足",
		"面积(亩)", "约十亩",
		"容积率", "-1",
		"亩均税收", "1.2%",
		"约定动工日期", "明年",
		"面积", "5公斤",
	), nil)
	want := map[string]string{
		"identified_on":   "列「认定日期」的值「2021-13-01」不是有效日期",
		"class":           "列「类别」的值「已供」不是三类用地类别",
		"idle_cause":      "列「闲置原因」的值「资金不足」不是闲置原因",
		"plot_ratio":      "列「容积率」的值「-1」不能为负数",
		"tax_per_mu":      "列「亩均税收」的值「1.2%」的单位「%」不是金额单位",
		"agreed_start_on": "列「约定动工日期」的值「明年」不是有效日期",
	}
	got := map[string]string{}
	for _, e := range m.Errors {
		got[e.Field] += e.Reason
	}
	for f, w := range want {
		if !strings.Contains(got[f], w) {
			t.Errorf("error of %s = %q, want it to contain %q", f, got[f], w)
		}
	}
	// Both area columns are generic; the first non-empty one is read.
	if !strings.Contains(got["declared_area_mu"], "列「面积(亩)」的值「约十亩」不是数字") {
		t.Errorf("area error %q", got["declared_area_mu"])
	}
	if len(m.Warnings) != 1 || !strings.Contains(m.Warnings[0], "列「面积(亩)」与列「面积」对应同一字段") {
		t.Errorf("warnings %q", m.Warnings)
	}
	if got := setKeys(m.Set); !reflect.DeepEqual(got, []string{"code"}) {
		t.Errorf("Set = %q, want only code", got)
	}
}

func TestMapPropertiesRanks(t *testing.T) {
	// 台账面积 beats the generic 面积, even when empty (then no declared area).
	m := MapProperties(props("面积(亩)", "10.5", "台账面积(亩)", "12"), nil)
	if m.Fields.DeclaredAreaMu == nil || *m.Fields.DeclaredAreaMu != 12 {
		t.Errorf("declared %v, want 12", m.Fields.DeclaredAreaMu)
	}
	m = MapProperties(props("面积(亩)", "10.5", "台账面积(亩)", ""), nil)
	if m.Fields.DeclaredAreaMu != nil || m.Set["declared_area_mu"] {
		t.Errorf("declared %v, want none", *m.Fields.DeclaredAreaMu)
	}
	// The user's mapping beats both.
	m = MapProperties(props("面积(亩)", "10.5", "台账面积(亩)", "12", "核实面积", "11"), Mapping{"核实面积": "declared_area_mu"})
	if m.Fields.DeclaredAreaMu == nil || *m.Fields.DeclaredAreaMu != 11 {
		t.Errorf("declared %v, want 11", m.Fields.DeclaredAreaMu)
	}
	// Two generic columns: the first non-empty, a warning when they differ.
	m = MapProperties(props("省批文号", "", "市批文号", "株政函〔2020〕1号", "批准文号", "株政函〔2020〕1号"), nil)
	if m.Fields.ApprovalNo != "株政函〔2020〕1号" || len(m.Warnings) != 0 {
		t.Errorf("approval %q warnings %q", m.Fields.ApprovalNo, m.Warnings)
	}
}

func TestMapPropertiesScientificSupervisionNo(t *testing.T) {
	m := MapProperties(props("电子监管号", "4.30202E+18"), nil)
	if len(m.Warnings) != 1 || !strings.Contains(m.Warnings[0], "科学计数法") {
		t.Errorf("warnings %q", m.Warnings)
	}
}
