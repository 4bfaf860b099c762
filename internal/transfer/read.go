// Package transfer turns the files land officers have into parcels to
// import, and parcels into the files leaders and GIS colleagues want: it
// detects each upload's format (报部 TXT, zipped Shapefile, KML/KMZ,
// GeoJSON, Excel ledger), reads it with the readers of geo and ledger, maps
// attributes to ledger fields, joins a ledger to the geometries uploaded with
// it, and reports per feature what an import would do or did.
package transfer

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"path"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/paulmach/orb"

	"panhuo/geo"
	"panhuo/geo/kml"
	"panhuo/geo/shp"
	"panhuo/internal/land"
	"panhuo/internal/ledger"
)

// Upload is one uploaded file.
type Upload struct {
	Name string // the file name as uploaded; its extension chooses the reader
	Data []byte
}

// Options say how uploads become parcel inputs.
type Options struct {
	// Class applies to features whose file gives none (类别).
	Class land.Class
	// Mapping maps a file's own column or attribute names to ledger fields,
	// over the built-in table of common names.
	Mapping ledger.Mapping
	Limits  geo.Limits
}

// FileReport describes one uploaded file as read.
type FileReport struct {
	Name     string   `json:"name"`
	Format   string   `json:"format"` // txt, shapefile, kml, kmz, geojson, xlsx
	CRS      string   `json:"crs,omitempty"`
	Encoding string   `json:"encoding,omitempty"`
	Features int      `json:"features"`
	Warnings []string `json:"warnings,omitempty"`
}

// Source is where an import item came from.
type Source struct {
	File           string
	Label          string
	DeclaredAreaMu *float64
	// Park is the 园区 the file gives, as written (a name or a code): the
	// report warns when the parcel lies in another one.
	Park     string
	Warnings []string
}

// Prepared is what the uploads of one import became: one item per feature
// (or per ledger row that joined no feature), in upload order.
type Prepared struct {
	Files   []FileReport
	Items   []land.ImportItem
	Sources []Source // parallel to Items
}

// Error is a whole upload that cannot be read: the import stops, nothing
// is written. Field is "file" and Reason names the file.
type Error struct {
	File   string
	Reason string
}

func (e *Error) Error() string { return e.File + "：" + e.Reason }

// Format names the reader an upload goes to, from its extension and its
// first bytes; "" with a reason when none fits.
func Format(u Upload) (format, reason string) {
	ext := strings.ToLower(path.Ext(u.Name))
	zipMagic := bytes.HasPrefix(u.Data, []byte("PK\x03\x04")) || bytes.HasPrefix(u.Data, []byte("PK\x05\x06"))
	oleMagic := bytes.HasPrefix(u.Data, []byte{0xD0, 0xCF, 0x11, 0xE0})
	switch ext {
	case ".txt":
		return "txt", ""
	case ".zip":
		return "shapefile", ""
	case ".kml":
		return "kml", ""
	case ".kmz":
		return "kmz", ""
	case ".geojson", ".json":
		return "geojson", ""
	case ".xlsx":
		if oleMagic {
			return "", "文件是旧版 Excel（.xls）格式或已加密：请在 Excel 中另存为 .xlsx 后上传"
		}
		return "xlsx", ""
	case ".xls":
		return "", "不支持旧版 Excel（.xls）：请在 Excel 中另存为 .xlsx 后上传"
	case ".shp", ".shx", ".dbf", ".prj", ".cpg":
		return "", "Shapefile 须将 .shp、.shx、.dbf、.prj（及 .cpg）一起打包为 .zip 上传"
	case ".csv":
		return "", "不支持 CSV：请上传 Excel 台账（.xlsx）"
	case "":
		return "", "文件没有扩展名：支持 .txt（报部坐标）、.zip（Shapefile）、.kml/.kmz、.geojson、.xlsx（台账）"
	}
	if zipMagic {
		return "", fmt.Sprintf("不支持的文件类型 %s：如为 Shapefile 压缩包，请使用 .zip 扩展名", ext)
	}
	return "", fmt.Sprintf("不支持的文件类型 %s：支持 .txt（报部坐标）、.zip（Shapefile）、.kml/.kmz、.geojson、.xlsx（台账）", ext)
}

// Read reads the uploads of one import. A file that cannot be read at all
// stops the import with an *Error; a feature that cannot be used becomes a
// refused item, reported with the rest.
func Read(uploads []Upload, opt Options) (Prepared, error) {
	var out Prepared
	if len(uploads) == 0 {
		return out, &Error{File: "（无）", Reason: "没有上传文件"}
	}
	limits := opt.Limits.WithDefaults()
	var sheets []sheetUpload
	for _, u := range uploads {
		if len(u.Data) == 0 {
			return out, &Error{File: u.Name, Reason: "文件为空"}
		}
		format, reason := Format(u)
		if format == "" {
			return out, &Error{File: u.Name, Reason: reason}
		}
		if format == "xlsx" {
			book, err := ledger.ReadXLSXBook(u.Data, opt.Mapping, limits)
			if err != nil {
				return out, fileError(u.Name, err)
			}
			rows := 0
			for _, sh := range book {
				rows += len(sh.Rows)
			}
			if rows == 0 {
				return out, &Error{File: u.Name, Reason: "台账没有数据行"}
			}
			rep := FileReport{Name: u.Name, Format: "xlsx", Features: rows}
			for _, sh := range book {
				rep.Warnings = append(rep.Warnings, sh.Warnings...)
				if unknown := ledger.UnknownHeaders(sh.Headers, opt.Mapping); len(unknown) > 0 {
					rep.Warnings = append(rep.Warnings, "工作表「"+sh.Name+"」中未识别的列（已忽略）："+strings.Join(unknown, "、"))
				}
				sheets = append(sheets, sheetUpload{name: u.Name, sheet: sh})
			}
			out.Files = append(out.Files, rep)
			continue
		}
		layer, err := readLayer(format, u.Data, limits)
		if err != nil {
			return out, fileError(u.Name, err)
		}
		if len(layer.Features) == 0 {
			return out, &Error{File: u.Name, Reason: "文件中没有地块"}
		}
		if len(out.Items)+len(layer.Features) > limits.MaxFeatures {
			return out, &Error{File: u.Name, Reason: fmt.Sprintf("一次导入的地块超过 %d 个上限：请分批导入", limits.MaxFeatures)}
		}
		rep := FileReport{Name: u.Name, Format: layer.Format, Encoding: layer.Encoding, Features: len(layer.Features), Warnings: layer.Warnings}
		if rep.Format == "" {
			rep.Format = format
		}
		if layer.CRS != (geo.CRS{}) {
			rep.CRS = layer.CRS.String()
		}
		if names := unknownProperties(layer.Features, opt.Mapping); len(names) > 0 {
			rep.Warnings = append(rep.Warnings, "未识别的属性（已忽略）："+strings.Join(names, "、"))
		}
		out.Files = append(out.Files, rep)
		items, sources := featureItems(layer.Features, opt)
		for i := range sources {
			sources[i].File = u.Name
		}
		if out.Items == nil { // the first file: no need to copy
			out.Items, out.Sources = items, sources
		} else {
			out.Items = append(out.Items, items...)
			out.Sources = append(out.Sources, sources...)
		}
	}
	if err := joinSheets(&out, sheets, opt); err != nil {
		return out, err
	}
	return out, nil
}

// readLayer reads a geometry file.
func readLayer(format string, data []byte, l geo.Limits) (geo.Layer, error) {
	switch format {
	case "txt":
		return readTXT(data, l)
	case "shapefile":
		return shp.Read(data, l)
	case "kml":
		return kml.Read(data, l)
	case "kmz":
		return kml.ReadKMZ(data, l)
	case "geojson":
		return geo.ReadGeoJSON(data, l)
	}
	return geo.Layer{}, fmt.Errorf("no reader for format %q", format)
}

// fileError turns a reader's error into an *Error naming the file.
func fileError(name string, err error) error {
	var fe *geo.FileError
	var te *geo.TXTError
	var tes geo.TXTErrors
	switch {
	case errors.As(err, &tes):
		return &Error{File: name, Reason: tes.Error()}
	case errors.As(err, &te):
		return &Error{File: name, Reason: te.Error()}
	case errors.As(err, &fe):
		return &Error{File: name, Reason: fe.Error()}
	}
	return fmt.Errorf("read %s: %w", name, err)
}

// readTXT reads a 报部 TXT file as a layer: its attributes become properties
// under the names the ledger table knows.
func readTXT(data []byte, l geo.Limits) (geo.Layer, error) {
	f, err := geo.ReadBaobuTXT(bytes.NewReader(data))
	if err != nil {
		return geo.Layer{}, err
	}
	if len(f.Parcels) > l.MaxFeatures {
		return geo.Layer{}, &geo.FileError{Format: "报部 TXT", Reason: fmt.Sprintf("地块数 %d 超过上限 %d", len(f.Parcels), l.MaxFeatures)}
	}
	crs, _ := geo.CRSFromEPSG(0)
	if code, ok := f.Zone.EPSG(true); ok {
		crs, _ = geo.CRSFromEPSG(code)
	}
	layer := geo.Layer{Format: "txt", CRS: crs, Encoding: f.Encoding}
	for _, p := range f.Parcels {
		ft := geo.Feature{Index: p.Index, Geometry: p.Geometry, Zone: p.Zone, PlanarAreaM2: p.AreaM2,
			Warnings: p.Warnings, Label: p.Code}
		if ft.Label == "" {
			ft.Label = fmt.Sprintf("第 %d 个地块", p.Index)
		}
		ft.Label += fmt.Sprintf("（第 %d 行）", p.Line)
		add := func(name, value string) {
			if value != "" {
				ft.Properties = append(ft.Properties, geo.Property{Name: name, Value: value})
			}
		}
		add("地块编号", p.Code)
		add("地块名称", p.Name)
		add("地块用途", p.Use)
		if p.DeclaredHectares != nil {
			add("地块面积(公顷)", strconv.FormatFloat(*p.DeclaredHectares, 'f', -1, 64))
		}
		if n := countVertices(p.Geometry); n > l.MaxVerticesPerFeature {
			ft.Geometry, ft.Problem = nil, fmt.Sprintf("界址点 %d 个，超过每个地块 %d 个的上限", n, l.MaxVerticesPerFeature)
		}
		layer.Features = append(layer.Features, ft)
	}
	return layer, nil
}

func countVertices(g orb.Geometry) int {
	n := 0
	ps, _ := geo.Polygons(g)
	for _, p := range ps {
		for _, r := range p {
			n += len(r)
		}
	}
	return n
}

// featureItems maps the features of a file to import items, on all cores.
func featureItems(fs []geo.Feature, opt Options) ([]land.ImportItem, []Source) {
	items, sources := make([]land.ImportItem, len(fs)), make([]Source, len(fs))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(fs)/256))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mp := ledger.NewMapper(opt.Mapping)
			for i := w; i < len(fs); i += workers {
				items[i], sources[i] = featureItem(&fs[i], opt, mp)
			}
		}()
	}
	wg.Wait()
	return items, sources
}

// featureItem maps one feature's attributes to an import item.
func featureItem(f *geo.Feature, opt Options, mp *ledger.Mapper) (land.ImportItem, Source) {
	src := Source{Label: f.Label, Warnings: append([]string(nil), f.Warnings...)}
	if src.Label == "" {
		src.Label = fmt.Sprintf("第 %d 个要素", f.Index)
	}
	m := mp.Map(f.Properties)
	src.Warnings = append(src.Warnings, m.Warnings...)
	it := land.ImportItem{Label: src.Label, Set: m.Set,
		ParcelInput: land.ParcelInput{Class: m.Class, Geometry: f.Geometry, GKZone: f.Zone, SurveyedAreaM2: f.PlanarAreaM2, ParcelFields: m.Fields}}
	src.DeclaredAreaMu, src.Park = m.Fields.DeclaredAreaMu, m.Park
	if it.Set == nil {
		it.Set = map[string]bool{}
	}
	if it.Class == "" {
		it.Class = opt.Class
		it.Set["class"] = it.Class != ""
	}
	switch {
	case f.Problem != "":
		it.Refused = land.Invalid("无法读取该地块", land.FieldError{Field: "geometry", Reason: f.Problem})
	case len(m.Errors) > 0:
		it.Refused = land.Invalid("地块属性有误", m.Errors...)
	case it.Class == "":
		it.Refused = land.Invalid("缺少类别", land.FieldError{Field: "class",
			Reason: "文件中没有「类别」（批而未供/闲置/低效），导入时也未选择类别"})
	}
	return it, src
}

// unknownProperties lists the attribute names no field takes, once each.
func unknownProperties(fs []geo.Feature, m ledger.Mapping) []string {
	seen := map[string]bool{}
	var names []string
	for i := range fs {
		if i > 0 && sameNames(fs[i].Properties, fs[i-1].Properties) {
			continue // the features of a file mostly share their names
		}
		for _, p := range fs[i].Properties {
			if !seen[p.Name] {
				seen[p.Name] = true
				names = append(names, p.Name)
			}
		}
	}
	return ledger.UnknownHeaders(names, m)
}

// sameNames reports whether a and b have the same names in the same order.
func sameNames(a, b []geo.Property) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name {
			return false
		}
	}
	return true
}

// sheetUpload is a ledger workbook of the import.
type sheetUpload struct {
	name  string
	sheet ledger.Sheet
}

// joinSheets adds the rows of ledger workbooks: a row whose 电子监管号 or
// 宗地编号 is that of an uploaded feature gives that feature its attributes
// (the ledger wins over the geometry file's own); other rows become items of
// their own, with the row's WKT geometry if any, or to update the stored
// parcel with that key.
func joinSheets(out *Prepared, sheets []sheetUpload, opt Options) error {
	if len(sheets) == 0 {
		return nil
	}
	bySup, byCode := map[string]int{}, map[string]int{}
	for i, it := range out.Items {
		if it.SupervisionNo != "" {
			bySup[it.SupervisionNo] = i
		}
		if it.Code != "" {
			byCode[it.Code] = i
		}
	}
	joined := map[int]string{}
	limits := opt.Limits.WithDefaults()
	mapper := ledger.NewMapper(opt.Mapping)
	for _, s := range sheets {
		sheetOpt := opt
		if s.sheet.Class != "" {
			sheetOpt.Class = s.sheet.Class // an exported ledger: a sheet per class
		}
		for _, row := range s.sheet.Rows {
			label := fmt.Sprintf("工作表「%s」第 %d 行", s.sheet.Name, row.Row)
			m := mapper.Map(row.Properties)
			target := -1
			if i, ok := bySup[m.Fields.SupervisionNo]; ok && m.Fields.SupervisionNo != "" {
				target = i
			} else if i, ok := byCode[m.Fields.Code]; ok && m.Fields.Code != "" {
				target = i
			}
			if target >= 0 && row.Geometry == nil {
				if prev, dup := joined[target]; dup {
					return &Error{File: s.name, Reason: fmt.Sprintf("%s 与 %s 对应同一个地块图形 %s", label, prev, out.Sources[target].Label)}
				}
				joined[target] = s.name + " " + label
				if m.Class == "" && s.sheet.Class != "" {
					m.Class = s.sheet.Class
				}
				joinRow(&out.Items[target], &out.Sources[target], m, s.name+" "+label)
				continue
			}
			if len(out.Items) >= limits.MaxFeatures {
				return &Error{File: s.name, Reason: fmt.Sprintf("一次导入的地块超过 %d 个上限：请分批导入", limits.MaxFeatures)}
			}
			f := geo.Feature{Index: row.Row, Label: label, Geometry: row.Geometry, Zone: row.Zone,
				PlanarAreaM2: row.PlanarAreaM2, Properties: row.Properties, Problem: row.Problem}
			f.Warnings = row.Warnings
			it, src := featureItem(&f, sheetOpt, mapper)
			src.File = s.name
			if row.Geometry == nil && row.Problem == "" && it.Refused != nil && it.Refused.Fields[0].Field == "class" {
				// A row that updates a stored parcel keeps its class.
				it.Refused = nil
			}
			out.Items = append(out.Items, it)
			out.Sources = append(out.Sources, src)
		}
	}
	return nil
}

// joinRow gives a geometry's item the attributes of its ledger row.
func joinRow(it *land.ImportItem, src *Source, m ledger.Mapped, where string) {
	src.Label += "；台账 " + where
	src.Warnings = append(src.Warnings, m.Warnings...)
	if m.Park != "" {
		src.Park = m.Park
	}
	if len(m.Errors) > 0 {
		it.Refused = land.Invalid("台账属性有误", m.Errors...)
		return
	}
	if it.Set == nil {
		it.Set = map[string]bool{}
	}
	it.ParcelFields = it.ParcelFields.With(m.Fields, m.Set)
	for k, v := range m.Set {
		if v {
			it.Set[k] = true
		}
	}
	if m.Class != "" {
		it.Class = m.Class
		it.Set["class"] = true
		if it.Refused != nil && it.Refused.Fields[0].Field == "class" {
			it.Refused = nil
		}
	}
	if m.Fields.DeclaredAreaMu != nil {
		src.DeclaredAreaMu = m.Fields.DeclaredAreaMu
	}
}

// AreaMismatchTolerance is the relative difference between a declared area
// and the computed one above which a feature gets a warning.
const AreaMismatchTolerance = 0.005

// areaWarning compares a declared area with the computed one.
func areaWarning(declared *float64, computed float64) string {
	if declared == nil || *declared <= 0 || computed <= 0 {
		return ""
	}
	d := math.Abs(computed-*declared) / *declared
	if d <= AreaMismatchTolerance {
		return ""
	}
	return fmt.Sprintf("台账面积 %.2f 亩与计算面积 %.2f 亩相差 %.2f%%（> %.1f%%）", *declared, computed, d*100, AreaMismatchTolerance*100)
}
