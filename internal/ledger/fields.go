package ledger

import (
	"strings"
	"unicode"
)

// Field names a header can map to besides the JSON contract names of
// land.ParcelFields.
const (
	FieldClass  = "class"   // 三类类别
	FieldPark   = "park"    // 园区 name or code
	FieldWKT    = "wkt"     // a WKT geometry column
	FieldGKZone = "gk_zone" // 带号 of unprefixed Gauss-Krüger eastings
	FieldIgnore = "ignore"  // a known column that carries nothing to import (序号, 状态, 剩余面积 …)
)

// Units FieldFor reports.
const (
	UnitMu      = "亩"
	UnitHectare = "公顷"
	UnitM2      = "平方米"
	UnitWanYuan = "万元"
	UnitYuan    = "元"
)

// Mapping maps a user's own header to a field name; it wins over the
// built-in table. Headers are compared after the same normalisation as the
// built-in ones (full-width → half-width, no spaces, Latin case folded).
type Mapping map[string]string

// Fields lists the field names a header can map to, in ledger order.
func Fields() []string {
	return []string{
		"code", "supervision_no", "project_name", "land_user", "location", "land_use",
		"declared_area_mu", "identified_on", "note", "batch_name", "approval_no", "approved_on",
		"contract_no", "agreed_start_on", "agreed_completion_on", "idle_cause",
		"identified_reason", "plot_ratio", "tax_per_mu",
		FieldClass, FieldPark, FieldWKT, FieldGKZone, FieldIgnore,
	}
}

// KnownField reports whether name is one of Fields.
func KnownField(name string) bool {
	for _, f := range Fields() {
		if f == name {
			return true
		}
	}
	return false
}

// Ranks of a header's claim on its field, when two columns map to the same
// field: the highest rank present wins (an empty cell in it means "none").
const (
	rankGeneric  = 1 // 面积, 批准面积 …
	rankSpecific = 2 // 台账面积, declared_area_mu: the declared area for certain
	rankUser     = 3 // the user's own Mapping
)

// FieldFor returns the field a header maps to, and for an area or tax column
// the unit its values are in: "亩" (the default), "公顷" or "平方米" for
// declared_area_mu; "万元" (the default) or "元" for tax_per_mu; "" for
// other fields. ok is false for an unknown header. Known columns that carry
// nothing to import (序号, 状态, 已处置面积 …) give field "ignore".
func FieldFor(header string, m Mapping) (field string, unit string, ok bool) {
	field, unit, _, ok = lookup(header, m)
	return field, unit, ok
}

// lookup is FieldFor with the rank of the match.
func lookup(header string, m Mapping) (field, unit string, rank int, ok bool) {
	full := normalizeHeader(header)
	if full == "" {
		return "", "", 0, false
	}
	base, qual := splitQualifier(full)
	if f, found := userField(full, base, m); found {
		return f, unitFor(f, full, qual), rankUser, true
	}
	for _, name := range []string{full, base, trimUnitSuffix(base)} {
		if name == "" {
			continue
		}
		if f, r, found := builtinField(name); found {
			return f, unitFor(f, full, qual), r, true
		}
	}
	if f, found := truncatedField(full); found {
		return f, unitFor(f, full, qual), rankGeneric, true
	}
	return "", "", 0, false
}

// truncatedField knows the headers of Shapefiles whose DBF field names were
// cut to 10 bytes: in UTF-8 that is 3 Chinese characters (GDAL and QGIS
// write 宗地编号 as 宗地编), in GBK 5.
func truncatedField(h string) (field string, ok bool) {
	switch h {
	case "宗地编", "宗地代", "地块编":
		return "code", true
	case "电子监", "合同电", "电子监管":
		return "supervision_no", true
	case "项目名", "地块名":
		return "project_name", true
	case "用地单", "土地使", "使用权":
		return "land_user", true
	case "土地坐", "宗地坐":
		return "location", true
	case "土地用", "地块用", "规划用", "批准用":
		return "land_use", true
	case "地块面", "用地面", "宗地面", "批准面", "出让面", "土地面":
		return "declared_area_mu", true
	case "台账面":
		return "declared_area_mu", true
	case "认定日", "认定时":
		return "identified_on", true
	case "用地类", "三类用", "三类用地":
		return FieldClass, true
	case "园区名", "所属园":
		return FieldPark, true
	case "批次名":
		return "batch_name", true
	case "批准文":
		return "approval_no", true
	case "批准日", "批准时", "批复日":
		return "approved_on", true
	case "出让合", "合同编", "出让合同":
		return "contract_no", true
	case "约定动", "约定开", "约定动工", "约定开工", "合同约定":
		return "agreed_start_on", true
	case "约定竣", "约定竣工":
		return "agreed_completion_on", true
	case "闲置原":
		return "idle_cause", true
	case "认定原", "低效原", "低效类":
		return "identified_reason", true
	case "亩均税":
		return "tax_per_mu", true
	case "已处置", "剩余面", "未处置", "处置状", "计算面", "界址点", "面积亩":
		return FieldIgnore, true
	}
	return "", false
}

// userField looks a header up in the user's Mapping, by the whole header and
// then without its qualifier in parentheses. Entries naming no known field
// are skipped.
func userField(full, base string, m Mapping) (string, bool) {
	if len(m) == 0 {
		return "", false
	}
	for _, name := range []string{full, base} {
		for k, v := range m {
			if normalizeHeader(k) != name {
				continue
			}
			v = strings.ToLower(strings.TrimSpace(v))
			if KnownField(v) {
				return v, true
			}
		}
	}
	return "", false
}

// UnknownHeaders returns the non-empty names FieldFor does not know, each
// once, in the order given: the caller lists them in one warning.
func UnknownHeaders(names []string, m Mapping) []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		if _, _, ok := FieldFor(n, m); !ok {
			out = append(out, n)
		}
	}
	return out
}

// normalizeHeader folds a header for matching: full-width forms to
// half-width, 【】 and [] to (), no white space, no leading * (a "required"
// mark) nor trailing colon, Latin letters lower case.
func normalizeHeader(h string) string {
	h = narrow(h)
	var b strings.Builder
	for _, r := range h {
		switch {
		case unicode.IsSpace(r), r == '\u200b', r == '\ufeff':
			continue
		case r == '【' || r == '[' || r == '〔':
			r = '('
		case r == '】' || r == ']' || r == '〕':
			r = ')'
		}
		b.WriteRune(unicode.ToLower(r))
	}
	s := strings.TrimLeft(b.String(), "*※")
	return strings.TrimRight(s, ":：")
}

// splitQualifier splits "面积(公顷)" into "面积" and "公顷". A header with
// no trailing parenthesis is its own base.
func splitQualifier(h string) (base, qual string) {
	if !strings.HasSuffix(h, ")") {
		return h, ""
	}
	i := strings.LastIndex(h, "(")
	if i <= 0 {
		return h, ""
	}
	return h[:i], h[i+1 : len(h)-1]
}

// trimUnitSuffix drops a unit written into the name itself: "面积亩",
// "面积公顷", "mj_mu" stay matchable.
func trimUnitSuffix(h string) string {
	for _, u := range []string{"平方米", "公顷", "亩", "万元", "㎡", "_mu", "_m2", "_ha", "m2"} {
		if s, ok := strings.CutSuffix(h, u); ok && s != "" {
			return strings.TrimRight(s, "_/")
		}
	}
	return ""
}

// areaUnit reads an area unit from a qualifier or a value's suffix.
func areaUnit(s string) string {
	switch strings.TrimSpace(strings.ToLower(s)) {
	case "亩":
		return UnitMu
	case "公顷", "ha", "hm2", "hm²", "公顷(ha)":
		return UnitHectare
	case "平方米", "m2", "m²", "㎡", "平米", "平方", "sqm":
		return UnitM2
	}
	return ""
}

// unitFor is the unit of a field's values read from its header.
func unitFor(field, full, qual string) string {
	switch field {
	case "declared_area_mu":
		if u := areaUnit(qual); u != "" {
			return u
		}
		for _, u := range []string{UnitM2, UnitHectare, "㎡", UnitMu} {
			if strings.HasSuffix(full, u) {
				return areaUnit(u)
			}
		}
		switch {
		case strings.HasSuffix(full, "_m2"):
			return UnitM2
		case strings.HasSuffix(full, "_ha"):
			return UnitHectare
		}
		return UnitMu
	case "tax_per_mu":
		q := strings.TrimSuffix(strings.TrimSuffix(qual, "/亩"), "每亩")
		if q == UnitYuan {
			return UnitYuan
		}
		return UnitWanYuan
	}
	return ""
}

// builtinField is the built-in table of common header names (Chinese,
// pinyin initials of Chinese GIS attribute tables, and the contract's own
// names), normalised as by normalizeHeader.
func builtinField(h string) (field string, rank int, ok bool) {
	switch h {
	case "宗地编号", "宗地号", "地块编号", "宗地代码", "地块号", "地块代码", "宗地统一编码", "不动产单元号",
		"zdbh", "zddm", "dkbh", "code":
		return "code", rankGeneric, true
	case "电子监管号", "监管号", "合同电子监管号", "电子监管编号", "电子监管码", "dzjgh", "supervision_no":
		return "supervision_no", rankGeneric, true
	case "项目名称", "地块名称", "项目", "xmmc", "dkmc", "name", "project_name":
		return "project_name", rankGeneric, true
	case "用地单位", "土地使用权人", "权利人", "使用权人", "企业名称", "用地企业", "受让人", "受让单位",
		"yddw", "qlr", "land_user":
		return "land_user", rankGeneric, true
	case "坐落", "土地坐落", "宗地坐落", "地址", "位置", "zl", "location":
		return "location", rankGeneric, true
	case "用途", "土地用途", "地块用途", "规划用途", "批准用途", "yt", "tdyt", "land_use":
		return "land_use", rankGeneric, true
	case "面积", "地块面积", "用地面积", "宗地面积", "批准面积", "出让面积", "土地面积", "占地面积", "mj":
		return "declared_area_mu", rankGeneric, true
	case "台账面积", "申报面积", "declared_area_mu":
		return "declared_area_mu", rankSpecific, true
	case "认定日期", "认定时间", "rdrq", "identified_on":
		return "identified_on", rankGeneric, true
	case "类别", "类型", "用地类型", "三类用地类型", "用地类别", "三类用地类别", "三类类别", "class":
		return FieldClass, rankGeneric, true
	case "园区", "园区名称", "开发区", "所属园区", "园区代码", "park", "park_code", "park_name", "yqmc":
		return FieldPark, rankGeneric, true
	case "批次名称", "批次", "pcmc", "batch_name":
		return "batch_name", rankGeneric, true
	case "批准文号", "批文号", "省批文号", "市批文号", "批复文号", "pzwh", "approval_no":
		return "approval_no", rankGeneric, true
	case "批准日期", "批准时间", "批复日期", "批复时间", "pzrq", "approved_on":
		return "approved_on", rankGeneric, true
	case "出让合同号", "合同编号", "合同号", "出让合同编号", "htbh", "contract_no":
		return "contract_no", rankGeneric, true
	case "约定动工日期", "约定开工日期", "合同约定动工时间", "合同约定动工日期", "约定动工时间", "约定开工时间",
		"agreed_start_on":
		return "agreed_start_on", rankGeneric, true
	case "约定竣工日期", "合同约定竣工时间", "合同约定竣工日期", "约定竣工时间", "agreed_completion_on":
		return "agreed_completion_on", rankGeneric, true
	case "闲置原因", "idle_cause":
		return "idle_cause", rankGeneric, true
	case "认定原因", "低效原因", "低效类型", "认定依据", "identified_reason":
		return "identified_reason", rankGeneric, true
	case "容积率", "rjl", "plot_ratio":
		return "plot_ratio", rankGeneric, true
	case "亩均税收", "亩均税收额", "tax_per_mu":
		return "tax_per_mu", rankGeneric, true
	case "备注", "说明", "bz", "note", "remark", "remarks":
		return "note", rankGeneric, true
	case "wkt", "几何", "几何图形", "图形", "geometry", "geom", "the_geom", "shape":
		return FieldWKT, rankGeneric, true
	case "带号", "投影带号", "3度带号", "dh", "gk_zone":
		return FieldGKZone, rankGeneric, true
	case "序号", "已处置面积", "剩余面积", "未处置面积", "状态", "处置状态", "标记", "计算面积",
		"界址点数", "图幅号", "地类编码", "id", "fid", "objectid", "status", "area_mu", "area_m2",
		"disposed_mu", "flags", "version", "removed_on":
		return FieldIgnore, rankGeneric, true
	}
	return "", 0, false
}
