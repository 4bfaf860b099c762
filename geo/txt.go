package geo

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// MaxTXTBytes is the largest 报部 TXT file ReadBaobuTXT reads.
const MaxTXTBytes = 64 << 20

// maxTXTErrors caps the errors ReadBaobuTXT collects before giving up.
const maxTXTErrors = 50

// TXTDeclaredAreaTolerance is the relative difference between the declared
// 地块面积 and the computed area above which a parcel gets a warning.
const TXTDeclaredAreaTolerance = 0.005

// TXTFile is a parsed 报部/勘测定界 coordinate TXT file.
type TXTFile struct {
	// Header holds every key=value line of [属性描述], as written.
	Header map[string]string
	// Encoding is "UTF-8" or "GBK".
	Encoding string
	// Zone is the header's 带号, or the zone read from the eastings' prefix
	// when 带号 is empty.
	Zone    Zone
	Parcels []TXTParcel
}

// TXTParcel is one parcel (one `…,@` line and its points) of a 报部 TXT file.
type TXTParcel struct {
	Index         int // 1-based, in file order
	Line          int // line of the parcel's `…,@` header
	Code          string
	Name          string
	Use           string
	LandClassCode string
	// DeclaredHectares is the 地块面积 column (公顷), nil when empty.
	DeclaredHectares *float64
	Zone             Zone
	// Planar is the parcel on its Gauss-Krüger plane, in metres without the
	// zone prefix: X = easting, Y = northing. Shells run counter-clockwise,
	// holes clockwise; rings are closed. orb.Polygon or orb.MultiPolygon.
	Planar orb.Geometry
	// Geometry is Planar in CGCS2000 longitude/latitude (Zone.Inverse).
	Geometry orb.Geometry
	// AreaM2 is the shoelace area of the file's own coordinates on the
	// Gauss-Krüger plane: shells minus holes, as the survey reports it.
	AreaM2   float64
	Warnings []string // Chinese
}

// TXTError is one problem of a 报部 TXT file. Line is 1-based; 0 means the
// file as a whole (empty, no [地块坐标] section, unreadable encoding).
type TXTError struct {
	Line   int
	Reason string // Chinese
}

func (e *TXTError) Error() string {
	if e.Line <= 0 {
		return "报部 TXT：" + e.Reason
	}
	return fmt.Sprintf("报部 TXT 第 %d 行：%s", e.Line, e.Reason)
}

// TXTErrors is the list of problems of a file with more than one. errors.As
// with a *TXTError finds the first.
type TXTErrors []*TXTError

func (l TXTErrors) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "；")
}

// Unwrap returns the errors, for errors.Is and errors.As.
func (l TXTErrors) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

type txtLine struct {
	no   int
	text string
}

type txtParser struct {
	errs TXTErrors
}

func (p *txtParser) fail(line int, format string, args ...any) {
	if len(p.errs) < maxTXTErrors {
		p.errs = append(p.errs, &TXTError{Line: line, Reason: fmt.Sprintf(format, args...)})
	}
}

// ReadBaobuTXT reads a 报部/勘测定界 coordinate TXT file: UTF-8 (with or
// without BOM) or GBK, CRLF or LF; a [属性描述] header and a [地块坐标]
// section of `界址点数,地块面积(公顷),地块编号,地块名称,面,图幅号,地块用途,地类编码,@`
// parcel lines, each followed by its `点号,圈号,X,Y` point lines, where X is
// the northing and Y the easting (with the zone prefix, or without it when
// 带号 is given). Rings are closed when the file leaves them open. 圈号 1 is
// the outer ring; a ring numbered 2 or more is a hole when its first vertex
// lies inside an earlier outer ring and an extra part otherwise.
//
// A file with any problem returns a *TXTError, or TXTErrors when there are
// several, each with its line number, and an empty TXTFile: never a partial
// result.
func ReadBaobuTXT(r io.Reader) (TXTFile, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxTXTBytes+1))
	if err != nil {
		return TXTFile{}, &TXTError{Reason: "读取文件失败：" + err.Error()}
	}
	if len(data) > MaxTXTBytes {
		return TXTFile{}, &TXTError{Reason: fmt.Sprintf("文件超过 %d MB", MaxTXTBytes>>20)}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	f := TXTFile{Encoding: "UTF-8", Header: map[string]string{}}
	if !utf8.Valid(data) {
		dec, err := simplifiedchinese.GBK.NewDecoder().Bytes(data)
		if err != nil {
			return TXTFile{}, &TXTError{Reason: "文件既不是 UTF-8 也不是 GBK 编码"}
		}
		data, f.Encoding = dec, "GBK"
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return TXTFile{}, &TXTError{Reason: "文件为空"}
	}

	var p txtParser
	header, coords, hasCoords := p.splitSections(string(data))
	headerZone, zoneLine := p.readHeader(header, f.Header)
	if !hasCoords {
		p.fail(0, "文件中没有 [地块坐标] 节")
	}
	if len(p.errs) == 0 {
		f.Parcels = p.readParcels(coords, headerZone, zoneLine)
		if hasCoords && len(f.Parcels) == 0 && len(p.errs) == 0 {
			p.fail(0, "[地块坐标] 节中没有地块")
		}
	}
	switch len(p.errs) {
	case 0:
	case 1:
		return TXTFile{}, p.errs[0]
	default:
		return TXTFile{}, p.errs
	}
	f.Zone = headerZone
	if f.Zone == 0 && len(f.Parcels) > 0 {
		f.Zone = f.Parcels[0].Zone
	}
	return f, nil
}

// splitSections returns the non-empty lines of [属性描述] and [地块坐标].
// Lines of other sections are ignored; text before the first section is an
// error.
func (p *txtParser) splitSections(text string) (header, coords []txtLine, hasCoords bool) {
	section := ""
	for i, raw := range strings.Split(text, "\n") {
		s := strings.TrimSpace(strings.TrimSuffix(raw, "\r"))
		if s == "" {
			continue
		}
		no := i + 1
		if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
			section = strings.TrimSpace(s[1 : len(s)-1])
			if section == "地块坐标" {
				hasCoords = true
			}
			continue
		}
		switch section {
		case "":
			p.fail(no, "在任何节（如 [属性描述]、[地块坐标]）之前出现了内容")
		case "属性描述":
			header = append(header, txtLine{no, s})
		case "地块坐标":
			coords = append(coords, txtLine{no, s})
		}
	}
	return header, coords, hasCoords
}

// readHeader reads the key=value lines of [属性描述] into h and checks the
// unit, the zone width and 带号. It returns 带号 (0 when empty) and its line.
func (p *txtParser) readHeader(lines []txtLine, h map[string]string) (Zone, int) {
	var zone Zone
	zoneLine := 0
	for _, l := range lines {
		k, v, ok := strings.Cut(strings.ReplaceAll(l.text, "＝", "="), "=")
		if !ok {
			p.fail(l.no, "[属性描述] 的行应为 键=值：%q", l.text)
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		h[k] = v
		switch k {
		case "计量单位":
			if v != "" && v != "米" && !strings.EqualFold(v, "m") {
				p.fail(l.no, "计量单位为 %q：只支持 米（高斯-克吕格投影坐标）", v)
			}
		case "几度分带", "分带":
			w := strings.TrimSuffix(strings.TrimSuffix(v, "带"), "度")
			if w != "" && w != "3" && w != "三" {
				p.fail(l.no, "%s=%s：只支持 3 度带", k, v)
			}
		case "带号":
			if v == "" {
				continue
			}
			n, err := strconv.Atoi(v)
			if err != nil || !Zone(n).Valid() {
				p.fail(l.no, "带号 %q 无效：应为 %d–%d 的整数（或留空，由东坐标的带号前缀确定）", v, MinZone, MaxZone)
				continue
			}
			zone, zoneLine = Zone(n), l.no
		}
	}
	return zone, zoneLine
}

type txtPoint struct {
	line int
	ring int
	pt   orb.Point // easting, northing without prefix
}

type txtRawParcel struct {
	TXTParcel
	declaredPoints int // -1 when empty
	points         []txtPoint
	zoneLine       int
	bad            bool // a line of the parcel had an error already reported
}

// readParcels reads the [地块坐标] lines.
func (p *txtParser) readParcels(lines []txtLine, headerZone Zone, headerZoneLine int) []TXTParcel {
	var raws []*txtRawParcel
	var cur *txtRawParcel
	for _, l := range lines {
		fields := strings.Split(strings.ReplaceAll(l.text, "，", ","), ",")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		if fields[len(fields)-1] == "@" {
			cur = p.parcelHeader(l, fields[:len(fields)-1])
			cur.Index = len(raws) + 1
			raws = append(raws, cur)
			continue
		}
		if cur == nil {
			p.fail(l.no, "界址点行之前没有地块行（以 ,@ 结尾的 界址点数,地块面积,地块编号,… 行）")
			continue
		}
		pt, z, ok := p.point(l, fields, headerZone, headerZoneLine)
		if !ok {
			cur.bad = true
			continue
		}
		if cur.Zone == 0 {
			cur.Zone, cur.zoneLine = z, l.no
		} else if z != cur.Zone {
			p.fail(l.no, "带号 %d 与本地块第 %d 行的带号 %d 不同", z, cur.zoneLine, cur.Zone)
			cur.bad = true
			continue
		}
		cur.points = append(cur.points, pt)
	}
	out := make([]TXTParcel, 0, len(raws))
	for _, r := range raws {
		if r.bad {
			continue
		}
		if pc, ok := p.buildParcel(r); ok {
			out = append(out, pc)
		}
	}
	return out
}

func (p *txtParser) parcelHeader(l txtLine, f []string) *txtRawParcel {
	get := func(i int) string {
		if i < len(f) {
			return f[i]
		}
		return ""
	}
	r := &txtRawParcel{declaredPoints: -1}
	r.Line = l.no
	if s := get(0); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			p.fail(l.no, "界址点数 %q 不是整数", s)
		} else {
			r.declaredPoints = n
		}
	}
	if s := get(1); s != "" {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			p.fail(l.no, "地块面积 %q 不是以公顷计的数字", s)
		} else {
			r.DeclaredHectares = &v
		}
	}
	r.Code, r.Name, r.Use, r.LandClassCode = get(2), get(3), get(6), get(7)
	return r
}

// Extent of plausible Gauss-Krüger northings in China (latitudes 3°–54°).
const (
	txtMinNorthing = 300000.0
	txtMaxNorthing = 6100000.0
)

// point parses a `点号,圈号,X,Y` line.
func (p *txtParser) point(l txtLine, f []string, headerZone Zone, headerZoneLine int) (txtPoint, Zone, bool) {
	if len(f) < 4 {
		p.fail(l.no, "界址点行应有 4 个字段（点号,圈号,X,Y），只有 %d 个：%q", len(f), l.text)
		return txtPoint{}, 0, false
	}
	ring, err := strconv.Atoi(f[1])
	if err != nil || ring < 1 {
		p.fail(l.no, "圈号 %q 应为从 1 起的整数", f[1])
		return txtPoint{}, 0, false
	}
	num := func(name, s string) (float64, bool) {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			p.fail(l.no, "%s 坐标 %q 不是数字", name, s)
			return 0, false
		}
		return v, true
	}
	x, okx := num("X（北）", f[2])
	y, oky := num("Y（东）", f[3])
	if !okx || !oky {
		return txtPoint{}, 0, false
	}
	if math.Abs(x) <= 360 && math.Abs(y) <= 360 {
		p.fail(l.no, "坐标 X=%s, Y=%s 像是经纬度（度），不是高斯-克吕格投影坐标（米）", f[2], f[3])
		return txtPoint{}, 0, false
	}
	if _, _, ok := SplitPrefixedEasting(x); ok && y >= txtMinNorthing && y <= txtMaxNorthing {
		p.fail(l.no, "X=%s 像是带带号的东坐标、Y=%s 像是北坐标：X、Y 颠倒了？报部格式中 X 为北坐标、Y 为东坐标", f[2], f[3])
		return txtPoint{}, 0, false
	}
	if x < txtMinNorthing || x > txtMaxNorthing {
		p.fail(l.no, "北坐标 X=%s 超出中国范围（%.0f–%.0f 米）", f[2], txtMinNorthing, txtMaxNorthing)
		return txtPoint{}, 0, false
	}
	var z Zone
	var e float64
	switch {
	case y >= 100000 && y <= 900000:
		if headerZone == 0 {
			p.fail(l.no, "东坐标 Y=%s 没有带号前缀，而 [属性描述] 的 带号 为空：无法确定投影带", f[3])
			return txtPoint{}, 0, false
		}
		z, e = headerZone, y
	default:
		var ok bool
		z, e, ok = SplitPrefixedEasting(y)
		if !ok {
			p.fail(l.no, "东坐标 Y=%s 无效：应为带带号前缀的东坐标（如 38512345.678，带号 %d–%d）或不带前缀的 100000–900000 米", f[3], MinZone, MaxZone)
			return txtPoint{}, 0, false
		}
		if headerZone != 0 && z != headerZone {
			p.fail(l.no, "东坐标 Y=%s 的带号前缀 %d 与第 %d 行的 带号=%d 不符", f[3], z, headerZoneLine, headerZone)
			return txtPoint{}, 0, false
		}
		e = unprefixedEasting(f[3], z, e)
	}
	return txtPoint{line: l.no, ring: ring, pt: orb.Point{e, x}}, z, true
}

// unprefixedEasting parses the prefixed easting s of zone z without its
// two-digit prefix, so that 38512345.678 gives the double nearest
// 512345.678 rather than the rounding error of 38512345.678 minus 38e6.
// It returns fallback when s is not plain decimal digits.
func unprefixedEasting(s string, z Zone, fallback float64) float64 {
	s = strings.TrimPrefix(s, "+")
	intPart, _, _ := strings.Cut(s, ".")
	if len(intPart) != 8 || strings.Trim(s, "0123456789.") != "" || intPart[:2] != strconv.Itoa(int(z)) {
		return fallback
	}
	v, err := strconv.ParseFloat(s[2:], 64)
	if err != nil {
		return fallback
	}
	return v
}

type txtRing struct {
	no   int // 圈号
	line int // line of its first point
	ring orb.Ring
}

// buildParcel assembles the rings of a parcel into its geometries.
func (p *txtParser) buildParcel(r *txtRawParcel) (TXTParcel, bool) {
	if len(r.points) == 0 {
		p.fail(r.Line, "地块 %s 没有界址点", parcelLabel(r))
		return TXTParcel{}, false
	}
	var rings []txtRing
	seen := map[int]bool{}
	for _, pt := range r.points {
		if n := len(rings); n > 0 && rings[n-1].no == pt.ring {
			rings[n-1].ring = append(rings[n-1].ring, pt.pt)
			continue
		}
		if seen[pt.ring] {
			p.fail(pt.line, "圈号 %d 的点不连续：同一圈的点应写在一起", pt.ring)
			return TXTParcel{}, false
		}
		seen[pt.ring] = true
		rings = append(rings, txtRing{no: pt.ring, line: pt.line, ring: orb.Ring{pt.pt}})
	}
	if rings[0].no != 1 {
		p.fail(rings[0].line, "地块 %s 的第一圈圈号为 %d：应从外圈 1 开始", parcelLabel(r), rings[0].no)
		return TXTParcel{}, false
	}
	ok := true
	closedLines := 0
	for i := range rings {
		rg := rings[i].ring
		if len(rg) > 1 && rg[0] == rg[len(rg)-1] {
			closedLines++
		} else {
			rg = append(rg, rg[0])
		}
		if d := distinctPoints(rg); d < 3 {
			p.fail(rings[i].line, "地块 %s 的圈 %d 只有 %d 个不同的点：至少需要 3 个", parcelLabel(r), rings[i].no, d)
			ok = false
		}
		rings[i].ring = rg
	}
	if !ok {
		return TXTParcel{}, false
	}

	var polys []orb.Polygon
	for _, rg := range rings {
		if rg.no == 1 {
			polys = append(polys, orb.Polygon{OrientRing(rg.ring, true)})
			continue
		}
		hole := false
		for i := range polys {
			if planar.RingContains(polys[i][0], rg.ring[0]) {
				polys[i] = append(polys[i], OrientRing(rg.ring, false))
				hole = true
				break
			}
		}
		if !hole {
			polys = append(polys, orb.Polygon{OrientRing(rg.ring, true)})
		}
	}
	var area float64
	for _, pl := range polys {
		area += math.Abs(RingSignedArea(pl[0]))
		for _, h := range pl[1:] {
			area -= math.Abs(RingSignedArea(h))
		}
	}
	if !(area >= MinAreaM2) {
		p.fail(r.Line, "地块 %s 的面积为零或为负（%.4f 平方米）：点共线，或内圈大于外圈", parcelLabel(r), area)
		return TXTParcel{}, false
	}

	pc := r.TXTParcel
	pc.AreaM2 = area
	z := pc.Zone
	lonLat := func(ring orb.Ring) orb.Ring {
		out := make(orb.Ring, len(ring))
		for i, q := range ring {
			lon, lat := z.Inverse(q[0], q[1])
			out[i] = orb.Point{lon, lat}
		}
		return out
	}
	ll := make(orb.MultiPolygon, len(polys))
	for i, pl := range polys {
		ll[i] = make(orb.Polygon, len(pl))
		for j, rg := range pl {
			ll[i][j] = lonLat(rg)
		}
	}
	if len(polys) == 1 {
		pc.Planar, pc.Geometry = polys[0], ll[0]
	} else {
		pc.Planar, pc.Geometry = orb.MultiPolygon(polys), ll
	}

	if r.declaredPoints >= 0 && r.declaredPoints != len(r.points) && r.declaredPoints != len(r.points)-closedLines {
		pc.Warnings = append(pc.Warnings, fmt.Sprintf("声明界址点数 %d 与实际点数 %d 不符", r.declaredPoints, len(r.points)))
	}
	if d := pc.DeclaredHectares; d != nil {
		declared := *d * 10000
		if declared == 0 {
			pc.Warnings = append(pc.Warnings, "声明面积为 0")
		} else if diff := math.Abs(area-declared) / declared; diff > TXTDeclaredAreaTolerance {
			pc.Warnings = append(pc.Warnings, fmt.Sprintf("声明面积 %s 公顷与计算面积 %s 公顷相差 %.2f%%（> %.1f%%）",
				strconv.FormatFloat(*d, 'f', -1, 64), fmtNum(area/10000, 4), diff*100, TXTDeclaredAreaTolerance*100))
		}
	}
	for _, pr := range Validate(pc.Geometry) {
		pc.Warnings = append(pc.Warnings, pr.Reason)
	}
	return pc, true
}

func parcelLabel(r *txtRawParcel) string {
	if r.Code != "" {
		return fmt.Sprintf("%q（第 %d 个）", r.Code, r.Index)
	}
	return fmt.Sprintf("第 %d 个", r.Index)
}
