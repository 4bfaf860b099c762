package transfer

import (
	"context"
	"fmt"
	"io"
	"slices"
	"unicode/utf8"

	"panhuo/geo"
	"panhuo/geo/shp"
	"panhuo/internal/land"
	"panhuo/internal/ledger"
)

// Filter selects the parcels of an export, as the layers do.
type Filter struct {
	ParkCode string
	Class    land.Class
	Status   land.Status
	// AsOf, when set, keeps the parcels identified on or before it and not
	// removed on or before it (removed parcels are otherwise left out).
	AsOf land.Date
	// IDs, when not empty, keeps only these parcels (removed ones too).
	IDs []int64
}

// Select lists the parcels of an export, by id.
func Select(ctx context.Context, r land.Reader, f Filter) ([]land.Parcel, error) {
	lf := land.ParcelFilter{ParkCode: f.ParkCode, Class: f.Class, Status: f.Status,
		IncludeRemoved: !f.AsOf.IsZero() || len(f.IDs) > 0}
	ps, err := r.ListParcels(ctx, lf)
	if err != nil {
		return nil, fmt.Errorf("list parcels to export: %w", err)
	}
	out := ps[:0]
	for _, p := range ps {
		if len(f.IDs) > 0 && !slices.Contains(f.IDs, p.ID) {
			continue
		}
		if !f.AsOf.IsZero() {
			if p.IdentifiedOn.After(f.AsOf) || (p.Removed() && !p.RemovedOn.After(f.AsOf)) {
				continue
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// parkNames maps park codes to names.
func parkNames(parks []land.Park) map[string]string {
	m := make(map[string]string, len(parks))
	for _, p := range parks {
		m[p.Code] = p.Name
	}
	return m
}

// shapefileFields are the DBF columns of an exported Shapefile: Chinese
// names the importer maps back to the same fields. A DBF field name has at
// most 10 bytes: 5 Chinese characters in GBK, 3 in UTF-8, where the names
// are cut as GDAL and QGIS cut them (宗地编号 → 宗地编).
func shapefileFields(encoding string) []shp.Field {
	fs := []shp.Field{
		{Name: "ID", Kind: shp.Number, Width: 10},
		{Name: "园区", Kind: shp.Text, Width: 60},
		{Name: "类别", Kind: shp.Text, Width: 10},
		{Name: "状态", Kind: shp.Text, Width: 10},
		{Name: "宗地编号", Kind: shp.Text, Width: 64},
		{Name: "电子监管号", Kind: shp.Text, Width: 19},
		{Name: "项目名称", Kind: shp.Text, Width: 200},
		{Name: "用地单位", Kind: shp.Text, Width: 200},
		{Name: "坐落", Kind: shp.Text, Width: 200},
		{Name: "用途", Kind: shp.Text, Width: 64},
		{Name: "计算面积", Kind: shp.Number, Width: 14, Decimals: 4},
		{Name: "台账面积", Kind: shp.Number, Width: 14, Decimals: 4},
		{Name: "已处置面积", Kind: shp.Number, Width: 14, Decimals: 4},
		{Name: "认定日期", Kind: shp.Date},
		{Name: "批次名称", Kind: shp.Text, Width: 200},
		{Name: "批准文号", Kind: shp.Text, Width: 100},
		{Name: "批准日期", Kind: shp.Date},
		{Name: "出让合同号", Kind: shp.Text, Width: 100},
		{Name: "约定动工", Kind: shp.Date},
		{Name: "约定竣工", Kind: shp.Date},
		{Name: "闲置原因", Kind: shp.Text, Width: 20},
		{Name: "认定原因", Kind: shp.Text, Width: 254},
		{Name: "容积率", Kind: shp.Number, Width: 12, Decimals: 4},
		{Name: "亩均税收", Kind: shp.Number, Width: 14, Decimals: 4},
		{Name: "带号", Kind: shp.Number, Width: 4},
		{Name: "备注", Kind: shp.Text, Width: 254},
	}
	// Text widths above are in characters; the DBF counts bytes (at most 254).
	perChar := 2
	if encoding == "UTF-8" {
		perChar = 3
	}
	for i := range fs {
		if fs[i].Kind == shp.Text {
			fs[i].Width = min(254, fs[i].Width*perChar)
		}
	}
	if encoding == "UTF-8" {
		for i := range fs {
			for len(fs[i].Name) > 10 {
				_, size := utf8.DecodeLastRuneInString(fs[i].Name)
				fs[i].Name = fs[i].Name[:len(fs[i].Name)-size]
			}
		}
	}
	return fs
}

func dateValue(d land.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.Time()
}

// ShapefileOptions say how parcels are written as a Shapefile.
type ShapefileOptions struct {
	Name     string  // base name of the files in the zip
	CRS      geo.CRS // CGCS2000 geographic (zero value) or a Gauss-Krüger zone
	Encoding string  // "GBK" (default) or "UTF-8"
}

// ExportError is a choice of export that cannot be made, in Chinese.
type ExportError struct{ Reason string }

func (e *ExportError) Error() string { return e.Reason }

// WriteShapefile writes parcels as a zipped Shapefile (.shp .shx .dbf .prj
// .cpg) with Chinese attribute names.
func WriteShapefile(w io.Writer, parcels []land.Parcel, parks []land.Park, opt ShapefileOptions) error {
	names := parkNames(parks)
	recs := make([]shp.Record, len(parcels))
	for i := range parcels {
		p := &parcels[i]
		recs[i] = shp.Record{Geometry: p.Geometry, Values: []any{
			float64(p.ID), names[p.ParkCode], p.Class.Name(), p.Status.Name(), p.Code, p.SupervisionNo,
			p.ProjectName, p.LandUser, p.Location, p.LandUse, p.AreaMu, p.DeclaredAreaMu, p.Disposed,
			dateValue(p.IdentifiedOn), p.BatchName, p.ApprovalNo, dateValue(p.ApprovedOn), p.ContractNo,
			dateValue(p.AgreedStartOn), dateValue(p.AgreedCompletionOn), ledger.IdleCauseName(p.IdleCause),
			p.IdentifiedReason, p.PlotRatio, p.TaxPerMu, float64(p.GKZone), p.Note,
		}}
	}
	crs := opt.CRS
	if crs == (geo.CRS{}) {
		crs, _ = geo.CRSFromEPSG(4490)
	}
	if !crs.Geographic() {
		// Gauss-Krüger coordinates far from the central meridian are
		// neither accurate nor what a surveyor would accept.
		for i := range parcels {
			if z := geo.CentroidZone(parcels[i].Geometry); z < crs.Zone-1 || z > crs.Zone+1 {
				return &ExportError{Reason: fmt.Sprintf("地块 #%d（%s）位于第 %d 带，距第 %d 带中央经线过远：请按园区分别导出，或选择经纬度（EPSG:4490）",
					parcels[i].ID, parcels[i].Code, z, crs.Zone)}
			}
		}
	}
	name := opt.Name
	if name == "" {
		name = "parcels"
	}
	if err := shp.Write(w, shapefileFields(opt.Encoding), recs, shp.WriteOptions{Name: name, CRS: crs, Encoding: opt.Encoding}); err != nil {
		return fmt.Errorf("write shapefile: %w", err)
	}
	return nil
}

// WriteTXT writes parcels as a 报部 TXT file in one Gauss-Krüger zone (0:
// the zone of the first parcel).
func WriteTXT(w io.Writer, parcels []land.Parcel, zone geo.Zone, encoding string, today land.Date) error {
	out := make([]geo.TXTOutParcel, len(parcels))
	for i := range parcels {
		p := &parcels[i]
		name := p.ProjectName
		if name == "" {
			name = p.Location
		}
		out[i] = geo.TXTOutParcel{Code: p.Code, Name: name, Use: p.LandUse, Geometry: p.Geometry}
		if zone == 0 && p.GKZone != 0 && i == 0 {
			zone = p.GKZone
		}
	}
	opt := geo.TXTWriteOptions{Zone: zone, Encoding: encoding, Date: today.Time()}
	if err := geo.WriteBaobuTXT(w, out, opt); err != nil {
		return fmt.Errorf("write 报部 TXT: %w", err)
	}
	return nil
}

// WriteLedger writes the ledger workbook: a sheet per class and the rates.
func WriteLedger(w io.Writer, title string, parcels []land.Parcel, parks []land.Park, rates land.RatesReport) error {
	demo := false
	for _, p := range parks {
		demo = demo || p.Demo
	}
	in := ledger.WriteInput{Title: title, AsOf: rates.AsOf, Parks: parks, Parcels: parcels, Rates: rates, Demo: demo}
	if err := ledger.Write(w, in); err != nil {
		return fmt.Errorf("write ledger: %w", err)
	}
	return nil
}
