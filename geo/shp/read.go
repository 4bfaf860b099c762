// Package shp reads and writes zipped ESRI Shapefiles of land parcels, the
// format officers exchange most after the 报部 coordinate TXT: polygons in
// CGCS2000 longitude/latitude or a CGCS2000 3° Gauss-Krüger zone (.prj),
// with attributes in GBK or UTF-8 (.cpg or the DBF language driver byte).
//
// Read turns the .zip a user uploads into a geo.Layer in CGCS2000 lon/lat,
// refusing what it cannot read with certainty (an unknown coordinate system,
// a truncated file) with a Chinese reason; Write exports parcels as a .zip
// that ArcGIS, QGIS and GDAL open with Chinese attributes intact.
package shp

import (
	"archive/zip"
	"fmt"
	"math"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"golang.org/x/text/encoding/simplifiedchinese"

	"panhuo/geo"
)

// formatName is geo.FileError.Format for every error of this package.
const formatName = "Shapefile"

// labelFields are the fields whose first non-empty value labels a feature,
// in order of preference; "宗地编" and "地块编" are 宗地编号 and 地块编号 cut
// to 10 bytes of UTF-8 (GDAL, QGIS). Latin names are compared ignoring case.
func labelFields() []string {
	return []string{"宗地编号", "地块编号", "ZDBH", "CODE", "宗地编", "地块编"}
}

// Read reads a zipped shapefile: data is a .zip holding exactly one .shp with
// its .shx, .dbf and .prj (and optionally a .cpg) of the same base name.
//
// The coordinate system comes from the .prj (see ParsePRJ); a missing or
// unsupported one is an error. Attribute text is decoded with the .cpg's
// code page, else the DBF language driver (0x4D: GBK), else UTF-8 when the
// text is valid UTF-8 and GBK otherwise; Layer.Encoding says which
// ("UTF-8", "GBK" or "GB18030").
//
// Shapes must be polygons (Polygon, PolygonZ or PolygonM; Z and M are
// dropped). Rings are assigned by containment, whatever their orientation;
// each geometry is a lon/lat Polygon (one shell) or MultiPolygon, shells
// counter-clockwise. Gauss-Krüger coordinates are converted with
// geo.CRS.ToLonLat, which also sets Feature.Zone and Feature.PlanarAreaM2.
// A record that cannot be used (a null shape, too many vertices, coordinates
// impossible in the CRS) gets a Feature.Problem; the rest of the file is
// still read.
//
// Whole-file problems (not a zip, several .shp, a missing part, a truncated
// or corrupt file, too many features, every feature unusable) return a
// *geo.FileError with a Chinese reason.
func Read(data []byte, l geo.Limits) (geo.Layer, error) {
	l = l.WithDefaults()
	zr, err := geo.OpenZip(data, formatName, l)
	if err != nil {
		return geo.Layer{}, err
	}
	parts, err := findParts(zr)
	if err != nil {
		return geo.Layer{}, err
	}
	read := func(f *zip.File) ([]byte, error) {
		return geo.ReadZipEntry(f, formatName, l.MaxUncompressedBytes)
	}

	// The coordinate system first: without it nothing else matters.
	prjData, err := read(parts.prj)
	if err != nil {
		return geo.Layer{}, err
	}
	crs, err := ParsePRJ(decodePRJ(prjData))
	if err != nil {
		return geo.Layer{}, fileErr(parts.prj.Name, err.Error())
	}

	shx, err := read(parts.shx)
	if err != nil {
		return geo.Layer{}, err
	}
	shxType, reason := fileHeader(shx)
	if reason != "" {
		return geo.Layer{}, fileErr(parts.shx.Name, reason)
	}
	if n := (len(shx) - headerLen) / shxRecordLen; n > l.MaxFeatures {
		return geo.Layer{}, fileErr("", fmt.Sprintf("文件有 %d 个要素，超过上限 %d 个：请分批导入", n, l.MaxFeatures))
	}
	if shxType != shapeNull && !isPolygonType(shxType) {
		return geo.Layer{}, fileErr("", fmt.Sprintf("几何类型为%s，须为面（Polygon）", shapeTypeName(shxType)))
	}

	// The .shp inflates while the .dbf does: on two cores that hides the
	// smaller of the two. Errors are still reported .dbf first.
	shpRead := make(chan entryData, 1)
	go func() {
		var e entryData
		defer func() {
			if r := recover(); r != nil {
				e = entryData{err: fmt.Errorf("inflate %s: panic: %v", parts.shp.Name, r)}
			}
			shpRead <- e
		}()
		e.data, e.err = read(parts.shp)
	}()
	dbfData, err := read(parts.dbf)
	var table *dbfTable
	if err == nil {
		table, reason = parseDBF(dbfData)
	}
	shpEntry := <-shpRead
	if err != nil {
		return geo.Layer{}, err
	}
	if reason != "" {
		return geo.Layer{}, fileErr(parts.dbf.Name, reason)
	}
	shpData, err := shpEntry.data, shpEntry.err
	if err != nil {
		return geo.Layer{}, err
	}
	shpType, reason := fileHeader(shpData)
	if reason != "" {
		return geo.Layer{}, fileErr(parts.shp.Name, reason)
	}
	if shpType != shxType {
		return geo.Layer{}, fileErr("", fmt.Sprintf(".shp 的几何类型（%s）与 .shx 的（%s）不一致：文件已损坏", shapeTypeName(shpType), shapeTypeName(shxType)))
	}
	offsets, lengths, reason := shxIndex(shx, len(shpData))
	if reason != "" {
		return geo.Layer{}, fileErr(parts.shx.Name, reason)
	}
	if len(offsets) != table.records {
		return geo.Layer{}, fileErr("", fmt.Sprintf(".shp 有 %d 个要素，.dbf 有 %d 条记录，两者不一致：文件不完整或不是同一图层", len(offsets), table.records))
	}

	layer := geo.Layer{Format: "shapefile", CRS: crs}
	var cpg string
	if parts.cpg != nil {
		b, err := read(parts.cpg)
		if err != nil {
			return geo.Layer{}, err
		}
		cpg = string(b)
	}
	var warning string
	layer.Encoding, warning = detectEncoding(parts.cpg != nil, cpg, table)
	if warning != "" {
		layer.Warnings = append(layer.Warnings, warning)
	}
	decode := decoder(layer.Encoding)
	names := make([]string, len(table.fields))
	for i, f := range table.fields {
		names[i] = strings.TrimSpace(decode(f.rawName))
		if names[i] == "" {
			names[i] = fmt.Sprintf("字段%d", i+1)
		}
	}

	src := layerSource{table: table, shp: shpData, offsets: offsets, lengths: lengths, names: names,
		labels: labelColumns(names), encoding: layer.Encoding, crs: crs, maxVertices: l.MaxVerticesPerFeature}
	var res decodeResult
	layer.Features, res = src.decode()
	if res.shapes > 0 && res.coordProblems == res.shapes {
		return geo.Layer{}, fileErr("", "所有要素的坐标都不符合 .prj 声明的坐标系 "+crs.String()+"（"+res.firstCoordProblem+"）：请检查 .prj 是否与数据一致")
	}
	return layer, nil
}

// toLonLat sets f.Geometry (and for Gauss-Krüger, Zone, PlanarAreaM2 and
// warnings) from g in the file's coordinates; it returns a problem when the
// coordinates are impossible in crs.
func toLonLat(f *geo.Feature, g orb.Geometry, crs geo.CRS) string {
	if crs.Geographic() {
		if p, bad := firstOutside(g, func(p orb.Point) bool {
			return p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90
		}); bad {
			return fmt.Sprintf("坐标 (%s, %s) 不是经纬度：.prj 声明为 %s，但坐标像是投影坐标（米）", num(p[0]), num(p[1]), crs)
		}
		f.Geometry = g
		return ""
	}
	out, zone, area, warnings, err := crs.ToLonLat(g)
	if err != nil {
		return err.Error()
	}
	f.Geometry, f.Zone, f.PlanarAreaM2 = out, zone, area
	f.Warnings = append(f.Warnings, warnings...)
	return ""
}

// firstOutside returns the first vertex of g for which ok is false.
func firstOutside(g orb.Geometry, ok func(orb.Point) bool) (orb.Point, bool) {
	polys, _ := geo.Polygons(g)
	for _, p := range polys {
		for _, r := range p {
			for _, q := range r {
				if !ok(q) {
					return q, true
				}
			}
		}
	}
	return orb.Point{}, false
}

func num(v float64) string {
	if math.Abs(v) >= 1000 {
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// detectEncoding chooses the encoding of the DBF's text and, when it had to
// guess, a warning in Chinese.
func detectEncoding(hasCPG bool, cpg string, t *dbfTable) (enc, warning string) {
	if hasCPG {
		if enc, ok := encodingFromCPG(cpg); ok {
			return enc, ""
		}
	}
	if enc, ok := encodingFromLDID(t.ldid); ok {
		return enc, ""
	}
	enc = encGBK
	if t.textIsUTF8() {
		enc = encUTF8
	}
	if hasCPG {
		return enc, fmt.Sprintf("无法识别 .cpg 声明的编码 %q，按内容判断属性表为 %s 编码", strings.TrimSpace(cpg), enc)
	}
	return enc, ""
}

// decodePRJ returns the .prj text; a .prj is ASCII, but a hand-edited one may
// hold a Chinese name in GBK.
func decodePRJ(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	s, err := simplifiedchinese.GBK.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(s)
}

// entryData is a decompressed zip entry or why it could not be.
type entryData struct {
	data []byte
	err  error
}

// zipParts are the entries of one shapefile in a zip.
type zipParts struct {
	shp, shx, dbf, prj, cpg *zip.File
}

// findParts finds the one .shp of the zip and its companions.
func findParts(zr *zip.Reader) (zipParts, error) {
	entries := geo.ZipEntries(zr)
	shps := entries[".shp"]
	switch len(shps) {
	case 0:
		if len(entries) == 0 {
			return zipParts{}, fileErr("", "压缩包是空的")
		}
		return zipParts{}, fileErr("", "压缩包中没有 .shp 文件：请把 .shp、.shx、.dbf、.prj 一起压缩后上传")
	case 1:
	default:
		names := make([]string, len(shps))
		for i, f := range shps {
			names[i] = f.Name
		}
		return zipParts{}, fileErr("", fmt.Sprintf("压缩包中有 %d 个 .shp 文件（%s）：一次只能导入一个图层，请分别压缩上传", len(shps), strings.Join(names, "、")))
	}
	p := zipParts{shp: shps[0]}
	base := strings.TrimSuffix(shps[0].Name, path.Ext(shps[0].Name))
	companion := func(ext string) *zip.File {
		for _, f := range entries[ext] {
			if strings.EqualFold(strings.TrimSuffix(f.Name, path.Ext(f.Name)), base) {
				return f
			}
		}
		if len(entries[ext]) == 1 { // one layer, renamed parts
			return entries[ext][0]
		}
		return nil
	}
	p.shx, p.dbf, p.prj, p.cpg = companion(".shx"), companion(".dbf"), companion(".prj"), companion(".cpg")
	var missing []string
	if p.shx == nil {
		missing = append(missing, ".shx（索引文件）")
	}
	if p.dbf == nil {
		missing = append(missing, ".dbf（属性表）")
	}
	if len(missing) > 0 {
		return zipParts{}, fileErr("", fmt.Sprintf("缺少 %s：Shapefile 须包含同名的 .shp、.shx、.dbf、.prj 文件", strings.Join(missing, "和")))
	}
	if p.prj == nil {
		return zipParts{}, fileErr("", "缺少 .prj 文件：无法确定坐标系。请把同名的 .prj 一起压缩上传（坐标系须为 CGCS2000 经纬度或 3° 分带高斯-克吕格投影）")
	}
	return p, nil
}

func fileErr(where, reason string) *geo.FileError {
	return &geo.FileError{Format: formatName, Where: where, Reason: reason}
}
