package ledger

import (
	"reflect"
	"testing"
)

func TestFieldFor(t *testing.T) {
	for _, tc := range []struct {
		header, field, unit string
	}{
		{"宗地编号", "code", ""},
		{" 宗地号 ", "code", ""},
		{"地块编号", "code", ""},
		{"宗地代码", "code", ""},
		{"ZDBH", "code", ""},
		{"zddm", "code", ""},
		{"Code", "code", ""},
		{"*宗地编号：", "code", ""},
		{"电子监管号", "supervision_no", ""},
		{"合同电子监管号", "supervision_no", ""},
		{"DZJGH", "supervision_no", ""},
		{"项目名称", "project_name", ""},
		{"地块名称", "project_name", ""},
		{"XMMC", "project_name", ""},
		{"name", "project_name", ""},
		{"用地单位", "land_user", ""},
		{"土地使用权人", "land_user", ""},
		{"权利人", "land_user", ""},
		{"企业名称", "land_user", ""},
		{"YDDW", "land_user", ""},
		{"坐落", "location", ""},
		{"土地坐落", "location", ""},
		{"ZL", "location", ""},
		{"用途", "land_use", ""},
		{"规划用途", "land_use", ""},
		{"YT", "land_use", ""},
		{"面积", "declared_area_mu", "亩"},
		{"MJ", "declared_area_mu", "亩"},
		{"批准面积", "declared_area_mu", "亩"},
		{"出让面积", "declared_area_mu", "亩"},
		{"面积(亩)", "declared_area_mu", "亩"},
		{"面积（亩）", "declared_area_mu", "亩"},
		{"面积（公顷）", "declared_area_mu", "公顷"},
		{"地块面积(公顷)", "declared_area_mu", "公顷"},
		{"宗地面积（平方米）", "declared_area_mu", "平方米"},
		{"用地面积(㎡)", "declared_area_mu", "平方米"},
		{"面积 ( m2 )", "declared_area_mu", "平方米"},
		{"面积【亩】", "declared_area_mu", "亩"},
		{"面积公顷", "declared_area_mu", "公顷"},
		{"台账面积(亩)", "declared_area_mu", "亩"},
		{"认定日期", "identified_on", ""},
		{"认定时间", "identified_on", ""},
		{"类别", "class", ""},
		{"三类用地类型", "class", ""},
		{"园区", "park", ""},
		{"开发区", "park", ""},
		{"批次名称", "batch_name", ""},
		{"PCMC", "batch_name", ""},
		{"省批文号", "approval_no", ""},
		{"批复日期", "approved_on", ""},
		{"出让合同号", "contract_no", ""},
		{"合同编号", "contract_no", ""},
		{"约定开工日期", "agreed_start_on", ""},
		{"合同约定动工时间", "agreed_start_on", ""},
		{"合同约定竣工时间", "agreed_completion_on", ""},
		{"闲置原因", "idle_cause", ""},
		{"低效类型", "identified_reason", ""},
		{"容积率", "plot_ratio", ""},
		{"亩均税收", "tax_per_mu", "万元"},
		{"亩均税收(万元)", "tax_per_mu", "万元"},
		{"亩均税收（元/亩）", "tax_per_mu", "元"},
		{"备注", "note", ""},
		{"WKT", "wkt", ""},
		{"几何", "wkt", ""},
		{"Geometry", "wkt", ""},
		{"图形", "wkt", ""},
		{"带号", "gk_zone", ""},
		{"supervision_no", "supervision_no", ""},
		{"declared_area_mu", "declared_area_mu", "亩"},
		{"agreed_completion_on", "agreed_completion_on", ""},
		// Known columns carrying nothing to import: those the ledger writes.
		{"序号", "ignore", ""},
		{"已处置面积(亩)", "ignore", ""},
		{"剩余面积(亩)", "ignore", ""},
		{"状态", "ignore", ""},
		{"标记", "ignore", ""},
	} {
		field, unit, ok := FieldFor(tc.header, nil)
		if !ok || field != tc.field || unit != tc.unit {
			t.Errorf("FieldFor(%q) = %q, %q, %v; want %q, %q", tc.header, field, unit, ok, tc.field, tc.unit)
		}
	}
	for _, h := range []string{"", "联系人", "株洲市园区三类用地台账", "面积合计", "(亩)"} {
		if f, _, ok := FieldFor(h, nil); ok {
			t.Errorf("FieldFor(%q) = %q, want unknown", h, f)
		}
	}
}

func TestFieldForMapping(t *testing.T) {
	m := Mapping{"编号": "code", "面积": "ignore", "地块 面积（公顷）": "declared_area_mu", "负责人": "land_user", "乱写": "nonsense"}
	for _, tc := range []struct {
		header, field, unit string
		ok                  bool
	}{
		{"编号", "code", "", true},
		{"面积", "ignore", "", true},                   // the user's table wins over the built-in one
		{"地块面积(公顷)", "declared_area_mu", "公顷", true}, // keys are normalised too
		{"负责人", "land_user", "", true},
		{"乱写", "", "", false}, // a mapping to no field is no mapping
		{"宗地编号", "code", "", true},
	} {
		field, unit, ok := FieldFor(tc.header, m)
		if field != tc.field || unit != tc.unit || ok != tc.ok {
			t.Errorf("FieldFor(%q, m) = %q, %q, %v; want %q, %q, %v", tc.header, field, unit, ok, tc.field, tc.unit, tc.ok)
		}
	}
}

func TestUnknownHeaders(t *testing.T) {
	got := UnknownHeaders([]string{"宗地编号", "联系人", "", "电话", "联系人", "序号", "WKT", "带号"}, Mapping{"电话": "note"})
	if want := []string{"联系人"}; !reflect.DeepEqual(got, want) {
		t.Errorf("UnknownHeaders = %q, want %q", got, want)
	}
}

func TestFieldsKnown(t *testing.T) {
	for _, f := range Fields() {
		if !KnownField(f) {
			t.Errorf("KnownField(%q) = false", f)
		}
	}
	if KnownField("area_mu") {
		t.Error("area_mu is computed, not a field")
	}
}
