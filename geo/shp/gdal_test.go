package shp

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"panhuo/geo"
)

// TestWriteReadByGDAL writes the parcels with Write and checks what GDAL's
// ogrinfo makes of them: the CRS, the feature count, Chinese attributes
// intact, and the area of each parcel on the zone-38 plane.
func TestWriteReadByGDAL(t *testing.T) {
	ogrinfo, err := exec.LookPath("ogrinfo")
	if err != nil {
		t.Fatal("ogrinfo not found: apt-get install -y gdal-bin")
	}
	records := parcelRecords(t)
	zone38, _ := geo.CRSFromEPSG(4526)
	cm114, _ := geo.CRSFromEPSG(4547)
	for _, tc := range []struct {
		name     string
		crs      geo.CRS
		encoding string
		wantCRS  []string // in ogrinfo -so
		nameCol  string
	}{
		{"4490 GBK", geo.CRS{}, "GBK", []string{`GEOGCRS["China Geodetic Coordinate System 2000"`, `ID["EPSG",4490]`}, "项目名称"},
		{"4526 GBK", zone38, "GBK", []string{`PROJCRS["CGCS2000 / 3-degree Gauss-Kruger zone 38"`, `ID["EPSG",4526]`}, "项目名称"},
		{"4547 UTF-8", cm114, "UTF-8", []string{`PROJCRS["CGCS2000 / 3-degree Gauss-Kruger CM 114E"`, `ID["EPSG",4547]`}, "项目名"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, parcelFields(tc.encoding), records, WriteOptions{Name: "株洲地块", CRS: tc.crs, Encoding: tc.encoding}); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			for _, e := range unzip(t, buf.Bytes()) {
				if err := os.WriteFile(filepath.Join(dir, e.name), e.data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			shpPath := filepath.Join(dir, "株洲地块.shp")
			run := func(args ...string) string {
				t.Helper()
				out, err := exec.Command(ogrinfo, args...).CombinedOutput()
				if err != nil {
					t.Fatalf("ogrinfo %s: %v\n%s", strings.Join(args, " "), err, out)
				}
				return string(out)
			}
			summary := run("-ro", "-al", "-so", shpPath)
			for _, want := range append(tc.wantCRS, "Feature Count: 5", "Geometry: Polygon", tc.nameCol+": String (80.0)", "认定日", "Date") {
				if !strings.Contains(summary, want) {
					t.Errorf("ogrinfo -so lacks %q:\n%s", want, summary)
				}
			}
			all := run("-ro", "-al", shpPath)
			for _, want := range []string{
				tc.nameCol + " (String) = 株洲高新区闲置地块一",
				"(String) = 湖南某某新材料股份有限公司",
				"(String) = 批而未供",
				"(Real) = 186.81",
				"(Date) = 2023/06/15",
			} {
				if !strings.Contains(all, want) {
					t.Errorf("ogrinfo -al lacks %q", want)
				}
			}
			if strings.Contains(all, "Warning") || strings.Contains(all, "ERROR") {
				t.Errorf("ogrinfo complains:\n%s", all)
			}
			// GDAL's areas on the zone-38 plane match ours.
			areas := run("-ro", "-dialect", "sqlite", "-sql",
				`SELECT ST_Area(ST_Transform(geometry, 4547)) AS area_m2 FROM "株洲地块"`, shpPath)
			matches := regexp.MustCompile(`area_m2 \(Real\) = ([0-9.eE+-]+)`).FindAllStringSubmatch(areas, -1)
			if len(matches) != len(records) {
				t.Fatalf("%d areas from GDAL:\n%s", len(matches), areas)
			}
			for i, m := range matches {
				gdal, _ := strconv.ParseFloat(m[1], 64)
				if ours := geo.AreaM2(records[i].Geometry, 38); abs(gdal-ours)/m2PerMu > 0.0005 {
					t.Errorf("feature %d: GDAL area %.4f m², ours %.4f m²", i+1, gdal, ours)
				}
			}
		})
	}
}
