package geo

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// TXTFormatVersion is the 格式版本号 WriteBaobuTXT writes.
const TXTFormatVersion = "1.01版本"

// TXTProducer is the 数据产生单位 WriteBaobuTXT writes.
const TXTProducer = "panhuo"

// TXTOutParcel is one parcel to write to a 报部 TXT file.
type TXTOutParcel struct {
	Code, Name, Use, LandClassCode string
	// Geometry is a Polygon or MultiPolygon in CGCS2000 lon/lat.
	Geometry orb.Geometry
}

// TXTWriteOptions are the options of WriteBaobuTXT.
type TXTWriteOptions struct {
	// Zone is the 3° zone to project to; 0 means the zone of the first
	// parcel's centroid (CentroidZone).
	Zone Zone
	// Encoding is "GBK" (the default, what 报部 systems expect) or "UTF-8"
	// (without BOM).
	Encoding string
	// Decimals of the coordinates in metres: 0 means 3 (millimetres); at
	// most 6.
	Decimals int
	// Date is the 数据产生日期, written as 2006-01-02; empty when zero. It is
	// an option rather than time.Now so that output is reproducible.
	Date time.Time
}

// WriteBaobuTXT writes parcels as a 报部/勘测定界 coordinate TXT file, the
// format ReadBaobuTXT reads: a [属性描述] header (CGCS2000, 3° zones,
// 高斯克吕格, metres, 带号) and a [地块坐标] section with, per parcel, the line
// `界址点数,地块面积(公顷),地块编号,地块名称,面,图幅号,地块用途,地类编码,@`
// and its `点号,圈号,X,Y` point lines, X the northing and Y the easting with
// the zone prefix, lines ending in CRLF.
//
// Points are numbered J1, J2, … per parcel; each ring is closed by repeating
// its first point with the same number, and 界址点数 counts the point lines
// written (closing points included). Shells run counter-clockwise and holes
// clockwise; rings are numbered from 1 per parcel in order: a polygon's shell
// then its holes, then the next polygon of a MultiPolygon. 地块面积 is the
// shoelace area of the written (rounded) plane coordinates, shells minus
// holes, in 公顷 with 4 decimals. 图幅号 is left empty.
//
// Commas (半角 or 全角) and line breaks in the text fields, which would break
// the format, are replaced by 、 and spaces. All parcels are projected to
// one zone; a parcel lying more than about 4° from its central meridian, a
// ring with fewer than 3 distinct points after rounding, a MultiPolygon part
// lying inside a hole of another part (which the format cannot tell from a
// hole), or text GBK cannot encode is an error, and nothing is written.
func WriteBaobuTXT(w io.Writer, parcels []TXTOutParcel, opt TXTWriteOptions) error {
	if len(parcels) == 0 {
		return fmt.Errorf("报部 TXT：没有地块可写")
	}
	decimals := opt.Decimals
	if decimals == 0 {
		decimals = 3
	}
	if decimals < 0 || decimals > 6 {
		return fmt.Errorf("报部 TXT：坐标小数位数 %d 无效：应为 1–6", opt.Decimals)
	}
	enc := strings.ToUpper(strings.TrimSpace(opt.Encoding))
	switch enc {
	case "", "GBK", "GB2312", "CP936":
		enc = "GBK"
	case "UTF-8", "UTF8":
		enc = "UTF-8"
	default:
		return fmt.Errorf("报部 TXT：不支持的编码 %q：应为 GBK 或 UTF-8", opt.Encoding)
	}
	zone := opt.Zone
	if zone == 0 {
		zone = CentroidZone(parcels[0].Geometry)
		if !zone.Valid() {
			return fmt.Errorf("报部 TXT：无法从第 1 个地块的图形确定带号（中心不在中国的 %d–%d 带内）：请指定带号", MinZone, MaxZone)
		}
	}
	if !zone.Valid() {
		return fmt.Errorf("报部 TXT：带号 %d 无效：应为 %d–%d", zone, MinZone, MaxZone)
	}

	var b strings.Builder
	line := func(s string) {
		b.WriteString(s)
		b.WriteString("\r\n")
	}
	date := ""
	if !opt.Date.IsZero() {
		date = opt.Date.Format("2006-01-02")
	}
	line("[属性描述]")
	line("格式版本号=" + TXTFormatVersion)
	line("数据产生单位=" + TXTProducer)
	line("数据产生日期=" + date)
	line("坐标系=2000国家大地坐标系")
	line("几度分带=3")
	line("投影类型=高斯克吕格")
	line("计量单位=米")
	line(fmt.Sprintf("带号=%d", zone))
	line("精度=" + strconv.FormatFloat(math.Pow10(-decimals), 'f', decimals, 64))
	line("转换参数=,,,,,,")
	line("[地块坐标]")

	for i, p := range parcels {
		label := fmt.Sprintf("第 %d 个地块", i+1)
		if p.Code != "" {
			label = fmt.Sprintf("第 %d 个地块（%s）", i+1, p.Code)
		}
		rings, area, err := txtRings(p.Geometry, zone, decimals)
		if err != nil {
			return fmt.Errorf("报部 TXT：%s：%w", label, err)
		}
		points := 0
		for _, r := range rings {
			points += len(r.pts) + 1
		}
		line(strings.Join([]string{
			strconv.Itoa(points),
			strconv.FormatFloat(area/10000, 'f', 4, 64),
			txtField(p.Code), txtField(p.Name), "面", "",
			txtField(p.Use), txtField(p.LandClassCode), "@",
		}, ","))
		n := 0
		for ri, r := range rings {
			first := n + 1
			for _, q := range r.pts {
				n++
				line(fmt.Sprintf("J%d,%d,%s,%s", n, ri+1, q.n, q.e))
			}
			line(fmt.Sprintf("J%d,%d,%s,%s", first, ri+1, r.pts[0].n, r.pts[0].e))
		}
	}

	out := []byte(b.String())
	if enc == "GBK" {
		gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes(out)
		if err != nil {
			return fmt.Errorf("报部 TXT：%s，可改用 UTF-8：%w", gbkProblem(parcels), err)
		}
		out = gbk
	}
	bw := bufio.NewWriter(w)
	if _, err := bw.Write(out); err != nil {
		return fmt.Errorf("报部 TXT：写入失败：%w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("报部 TXT：写入失败：%w", err)
	}
	return nil
}

// txtField makes s safe for a comma-separated 报部 line.
func txtField(s string) string {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, ",，\r\n") {
		return s
	}
	s = strings.NewReplacer(",", "、", "，", "、", "\r\n", " ", "\r", " ", "\n", " ").Replace(s)
	return strings.TrimSpace(s)
}

// gbkProblem names the first text field GBK cannot encode.
func gbkProblem(parcels []TXTOutParcel) string {
	e := simplifiedchinese.GBK.NewEncoder()
	for i, p := range parcels {
		for _, s := range []string{p.Code, p.Name, p.Use, p.LandClassCode} {
			if _, err := e.String(s); err != nil {
				return fmt.Sprintf("第 %d 个地块的「%s」含有 GBK 无法表示的字符", i+1, clipText(s))
			}
		}
	}
	return "有 GBK 无法表示的字符"
}

// txtPt is a written point: its coordinates as text and as read back.
type txtPt struct {
	n, e string    // northing; easting with the zone prefix
	p    orb.Point // easting without prefix, northing, parsed from the text
}

type txtOutRing struct {
	pts  []txtPt // without the closing point
	hole bool
	part int // index of the polygon it belongs to
}

// txtRings projects g to zone's plane, rounds to decimals and returns its
// rings in writing order with the area of the rounded coordinates (m²).
func txtRings(g orb.Geometry, zone Zone, decimals int) ([]txtOutRing, float64, error) {
	if r, ok := g.(orb.Ring); ok {
		g = orb.Polygon{r} // a bare ring is written as a one-ring polygon
	}
	polys, ok := Polygons(g)
	if !ok {
		if g == nil {
			return nil, 0, fmt.Errorf("没有图形")
		}
		return nil, 0, fmt.Errorf("图形类型 %s 不是面：报部格式只能写多边形", g.GeoJSONType())
	}
	var rings []txtOutRing
	var area float64
	for pi, poly := range polys {
		if len(poly) == 0 {
			continue
		}
		for ri, r := range poly {
			out, err := txtProjectRing(r, zone, decimals)
			if err != nil {
				return nil, 0, fmt.Errorf("第 %d 个面的第 %d 个环：%w", pi+1, ri+1, err)
			}
			plane := make(orb.Ring, len(out), len(out)+1)
			for k, q := range out {
				plane[k] = q.p
			}
			// Shells counter-clockwise, holes clockwise, by OrientRing's rule;
			// out, the text to write, is reversed rather than its copy plane.
			a := RingSignedArea(plane)
			if (a > 0) != (ri == 0) {
				for x, y := 0, len(out)-1; x < y; x, y = x+1, y-1 {
					out[x], out[y] = out[y], out[x]
				}
			}
			if ri == 0 {
				area += math.Abs(a)
			} else {
				area -= math.Abs(a)
			}
			rings = append(rings, txtOutRing{pts: out, hole: ri > 0, part: pi})
		}
	}
	if len(rings) == 0 {
		return nil, 0, fmt.Errorf("没有坐标")
	}
	if err := txtCheckReadBack(rings); err != nil {
		return nil, 0, err
	}
	return rings, area, nil
}

// txtProjectRing projects and rounds one ring, dropping the closing point and
// consecutive repeats.
func txtProjectRing(r orb.Ring, zone Zone, decimals int) ([]txtPt, error) {
	prefix := strconv.Itoa(int(zone))
	var out []txtPt
	for _, q := range r {
		if math.IsNaN(q[0]) || math.IsNaN(q[1]) || math.IsInf(q[0], 0) || math.IsInf(q[1], 0) {
			return nil, fmt.Errorf("坐标不是有限的数字")
		}
		e, n := zone.Forward(q[0], q[1])
		es := strconv.FormatFloat(e, 'f', decimals, 64)
		ns := strconv.FormatFloat(n, 'f', decimals, 64)
		ev, _ := strconv.ParseFloat(es, 64)
		nv, _ := strconv.ParseFloat(ns, 64)
		if !(ev >= 100000 && ev <= 900000) {
			return nil, fmt.Errorf("经度 %s 离第 %d 带中央经线 %g°E 太远（东坐标 %s 米超出 100000–900000）：请选择正确的带号",
				fmtNum(q[0], 8), zone, zone.CentralMeridian(), es)
		}
		if !(nv >= txtMinNorthing && nv <= txtMaxNorthing) {
			return nil, fmt.Errorf("纬度 %s 超出中国范围", fmtNum(q[1], 8))
		}
		pt := txtPt{n: ns, e: prefix + es, p: orb.Point{ev, nv}}
		if len(out) > 0 && out[len(out)-1].p == pt.p {
			continue
		}
		out = append(out, pt)
	}
	if len(out) > 1 && out[0].p == out[len(out)-1].p {
		out = out[:len(out)-1]
	}
	if len(out) < 3 {
		return nil, fmt.Errorf("只有 %d 个不同的点（按 %d 位小数取整后）：至少需要 3 个", len(out), decimals)
	}
	return out, nil
}

// txtCheckReadBack makes sure ReadBaobuTXT will assign every ring ≥ 2 to the
// right polygon: it takes a ring as a hole of the first earlier shell
// holding the ring's first point, and as a new part otherwise. A ring is
// rotated to start at a point that reads right when its first point does not.
func txtCheckReadBack(rings []txtOutRing) error {
	var shells []orb.Ring // shells read so far, by part
	var parts []int
	ring := func(pts []txtPt) orb.Ring {
		r := make(orb.Ring, len(pts)+1)
		for i, q := range pts {
			r[i] = q.p
		}
		r[len(pts)] = pts[0].p
		return r
	}
	readsAs := func(p orb.Point) int { // part the reader assigns, -1 for a new part
		for i, s := range shells {
			if planar.RingContains(s, p) {
				return parts[i]
			}
		}
		return -1
	}
	for i := range rings {
		r := &rings[i]
		if i > 0 {
			want := -1
			if r.hole {
				want = r.part
			}
			ok := false
			for k := range r.pts {
				if readsAs(r.pts[k].p) == want {
					rot := make([]txtPt, 0, len(r.pts))
					r.pts = append(append(rot, r.pts[k:]...), r.pts[:k]...)
					ok = true
					break
				}
			}
			if !ok {
				if r.hole {
					return fmt.Errorf("第 %d 个面的洞不在其外环内", r.part+1)
				}
				return fmt.Errorf("第 %d 个面位于另一个面的范围（或其洞）内：报部格式无法区分它与洞，请拆分为两个地块", r.part+1)
			}
		}
		if !r.hole {
			shells = append(shells, ring(r.pts))
			parts = append(parts, r.part)
		}
	}
	return nil
}
