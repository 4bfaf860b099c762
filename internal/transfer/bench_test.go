package transfer_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"panhuo/geo"
	"panhuo/internal/land"
	"panhuo/internal/transfer"
)

// benchParcels are n synthetic parcels shaped like an exported ledger: the
// geometry of geo.SyntheticParcels (8–30 vertices) and Chinese attributes of
// the three classes, the empty fields of each class left empty.
func benchParcels(n int) ([]land.Parcel, []land.Park) {
	const seed = 7
	boundaries := geo.SyntheticParks(seed, max(1, n/70))
	polys := geo.SyntheticParcels(seed, boundaries, n)
	parks := make([]land.Park, len(boundaries))
	for i := range parks {
		parks[i] = land.Park{Code: fmt.Sprintf("S%05d", i+1), Name: fmt.Sprintf("合成园区%05d", i+1)}
	}
	r := rand.New(rand.NewPCG(seed, 1))
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	date := func(y0, y1 int) land.Date {
		return land.NewDate(y0+r.IntN(y1-y0+1), time.Month(1+r.IntN(12)), 1+r.IntN(28))
	}
	ptr := func(v float64) *float64 { return &v }
	firms := []string{"晨光电子信息", "金源新材料", "瑞达新能源", "华强机械制造", "天元生物医药", "恒通物流"}
	ps := make([]land.Parcel, len(polys))
	for i, poly := range polys {
		g := geo.Normalize(poly, land.CoordinateDecimals)
		z := geo.CentroidZone(g)
		area := geo.MuFromM2(geo.AreaM2(g, z))
		park := &parks[i%len(parks)]
		firm := pick(firms...)
		p := land.Parcel{ID: int64(i + 1), ParkCode: park.Code, Geometry: g, GKZone: z, AreaMu: area, Status: land.Pending}
		p.ParcelFields = land.ParcelFields{
			Code:           fmt.Sprintf("900000-%d-%03d", 2016+r.IntN(9), i%1000),
			SupervisionNo:  fmt.Sprintf("9000002%03d%08d", r.IntN(20), i),
			ProjectName:    firm + pick("技改扩能项目", "标准厂房项目", "产业园项目"),
			Location:       park.Name + pick("经开路以西", "高新路以东", "环园路以东", "创业大道以北"),
			LandUse:        pick("工业用地", "工业用地", "仓储用地"),
			DeclaredAreaMu: ptr(float64(int(area*100)) / 100),
			IdentifiedOn:   date(2020, 2024),
		}
		switch i % 3 {
		case 0:
			p.Class = land.Unsupplied
			p.ApprovedOn = date(2015, 2020)
			p.BatchName = fmt.Sprintf("合成市%d年度第%d批次城镇建设用地", p.ApprovedOn.Year(), 1+r.IntN(18))
			p.ApprovalNo = fmt.Sprintf("湘政地〔%d〕%d号", p.ApprovedOn.Year(), 20+r.IntN(600))
			p.Note = "拟供地对象：中部" + firm + "实业有限公司"
		case 1:
			p.Class = land.Idle
			p.LandUser = "合成" + firm + "股份有限公司"
			p.ContractNo = fmt.Sprintf("株国土资出让合字〔%d〕第%03d号", 2016+r.IntN(4), r.IntN(300))
			p.AgreedStartOn = date(2016, 2018)
			p.AgreedCompletionOn = date(2019, 2021)
			p.IdleCause = pick(land.IdleCauseGovernment, land.IdleCauseEnterprise)
			p.Note = pick("周边配套道路未建成", "企业资金链紧张，未按期动工")
		default:
			p.Class = land.Inefficient
			p.Status = land.InProgress
			p.LandUser = "中部" + firm + "有限公司"
			p.IdentifiedReason = "容积率低于 0.6，土地利用粗放"
			p.PlotRatio = ptr(float64(25+r.IntN(50)) / 100)
			p.TaxPerMu = ptr(float64(30+r.IntN(500)) / 100)
			p.Disposed = float64(int(area*30)) / 100
		}
		ps[i] = p
	}
	return ps, parks
}

// BenchmarkReadShapefile20k reads a zipped 20 000-parcel Shapefile in
// EPSG:4490 with GBK attributes, as exported by panhuo, into import items.
func BenchmarkReadShapefile20k(b *testing.B) {
	parcels, parks := benchParcels(20000)
	var buf bytes.Buffer
	if err := transfer.WriteShapefile(&buf, parcels, parks, transfer.ShapefileOptions{Name: "地块", Encoding: "GBK"}); err != nil {
		b.Fatal(err)
	}
	ups := []transfer.Upload{{Name: "地块.zip", Data: buf.Bytes()}}
	opt := transfer.Options{Limits: geo.DefaultLimits()}
	prep, err := transfer.Read(ups, opt)
	if err != nil {
		b.Fatal(err)
	}
	if len(prep.Items) != len(parcels) {
		b.Fatalf("%d items, want %d", len(prep.Items), len(parcels))
	}
	for i, it := range prep.Items {
		if it.Refused != nil {
			b.Fatalf("item %d (%s) refused: %v", i+1, it.Label, it.Refused)
		}
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := transfer.Read(ups, opt); err != nil {
			b.Fatal(err)
		}
	}
}
