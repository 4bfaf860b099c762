package shp

import (
	"fmt"
	"strings"
	"testing"

	"panhuo/geo"
)

func TestParsePRJFiles(t *testing.T) {
	// .prj texts written by gdalsrsinfo (testdata/gen.sh), ESRI and OGC WKT1.
	for _, code := range []int{4490, 4326, 4526, 4547, 4513, 4554} {
		want, _ := geo.CRSFromEPSG(code)
		for _, dialect := range []string{"esri", "wkt1"} {
			name := fmt.Sprintf("%s_%d.prj", dialect, code)
			c, err := ParsePRJ(string(readFile(t, "testdata/prj/"+name)))
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if c.EPSG != want.EPSG || c.Zone != want.Zone || c.Prefixed != want.Prefixed || c.Name == "" {
				t.Errorf("%s: %+v, want %+v", name, c, want)
			}
		}
	}
	for _, tc := range []struct {
		code int
		want string
	}{
		{2383, "西安 1980"}, {2435, "北京 1954"}, {4507, "CGCS2000"}, {32649, "UTM"}, {3857, "Web 墨卡托"},
	} {
		for _, dialect := range []string{"esri", "wkt1"} {
			name := fmt.Sprintf("%s_%d.prj", dialect, tc.code)
			_, err := ParsePRJ(string(readFile(t, "testdata/prj/"+name)))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "转换为 CGCS2000") {
				t.Errorf("%s: error %v, want one naming %q and asking for a conversion", name, err, tc.want)
			}
		}
	}
}

func TestParsePRJ(t *testing.T) {
	const (
		gcs = `GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`
		tm  = `PROJCS["%s",` + gcs + `,PROJECTION["%s"],PARAMETER["False_Easting",%s],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",%s],PARAMETER["Scale_Factor",%s],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]`
	)
	ok := []struct {
		name, wkt string
		epsg      int
		zone      geo.Zone
		prefixed  bool
	}{
		{"ESRI geographic", gcs, 4490, 0, false},
		{"GDAL geographic name", `GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]`, 4490, 0, false},
		{"CGCS2000 short", `GEOGCS["CGCS2000",DATUM["CGCS2000",SPHEROID["CGCS2000",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]`, 4490, 0, false},
		{"WGS 84", `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]`, 4326, 0, false},
		{"custom TM, prefix", fmt.Sprintf(tm, "株洲 2000", "Transverse_Mercator", "38500000.0", "114.0", "1.0"), 4526, 38, true},
		{"custom TM, no prefix", fmt.Sprintf(tm, "My GK", "Transverse_Mercator", "500000", "111", "1"), 4546, 37, false},
		{"Gauss_Kruger zone 39", fmt.Sprintf(tm, "CGCS2000_3_Degree_GK_Zone_39", "Gauss_Kruger", "39500000.0", "117.0", "1.0"), 4527, 39, true},
		{"name only, ESRI CM", `PROJCS["CGCS2000_3_Degree_GK_CM_114E",` + gcs + `]`, 4547, 38, false},
		{"name only, GDAL zone", `PROJCS["CGCS2000 / 3-degree Gauss-Kruger zone 38",` + gcs + `]`, 4526, 38, true},
		{"name only, GDAL CM", `PROJCS["CGCS2000 / 3-degree Gauss-Kruger CM 114E",` + gcs + `]`, 4547, 38, false},
		{"authority wins", strings.Replace(fmt.Sprintf(tm, "CGCS2000_3_Degree_GK_CM_114E", "Gauss_Kruger", "500000.0", "114.0", "1.0"), `UNIT["Meter",1.0]]`, `UNIT["Meter",1.0],AUTHORITY["EPSG","4526"]]`, 1), 4526, 38, true},
		{"WKT2", `PROJCRS["CGCS2000 / 3-degree Gauss-Kruger CM 114E",BASEGEOGCRS["China Geodetic Coordinate System 2000",DATUM["China 2000",ELLIPSOID["CGCS2000",6378137,298.257222101,LENGTHUNIT["metre",1]]]],CONVERSION["Gauss-Kruger CM 114E",METHOD["Transverse Mercator",ID["EPSG",9807]],PARAMETER["Latitude of natural origin",0],PARAMETER["Longitude of natural origin",114],PARAMETER["Scale factor at natural origin",1],PARAMETER["False easting",500000],PARAMETER["False northing",0]],CS[Cartesian,2],AXIS["northing (X)",north],AXIS["easting (Y)",east],LENGTHUNIT["metre",1]]`, 4547, 38, false},
		{"BOM and spaces", "\ufeff  " + gcs + "\r\n", 4490, 0, false},
	}
	for _, tc := range ok {
		c, err := ParsePRJ(tc.wkt)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if c.EPSG != tc.epsg || c.Zone != tc.zone || c.Prefixed != tc.prefixed {
			t.Errorf("%s: %+v, want EPSG:%d zone %d prefixed %v", tc.name, c, tc.epsg, tc.zone, tc.prefixed)
		}
	}

	bad := []struct {
		name, wkt, want string
	}{
		{"empty", "", "为空"},
		{"garbage", "not a wkt", "无法解析"},
		{"unbalanced", gcs[:len(gcs)-3], "无法解析"},
		{"6° ESRI", fmt.Sprintf(tm, "CGCS2000_GK_CM_111E", "Gauss_Kruger", "500000.0", "111.0", "1.0"), "6° 分带"},
		{"6° GDAL", fmt.Sprintf(tm, "CGCS2000 / Gauss-Kruger zone 19", "Transverse_Mercator", "19500000", "111", "1"), "6° 分带"},
		{"scale 0.9996", fmt.Sprintf(tm, "custom", "Transverse_Mercator", "500000", "114", "0.9996"), "不是 3° 分带"},
		{"prefix of another zone", fmt.Sprintf(tm, "custom", "Transverse_Mercator", "37500000", "114", "1"), "不是 3° 分带"},
		{"CM not a multiple of 3", fmt.Sprintf(tm, "custom", "Transverse_Mercator", "500000", "113.5", "1"), "不是 3° 分带"},
		{"Lambert", fmt.Sprintf(tm, "custom", "Lambert_Conformal_Conic", "500000", "114", "1"), "不是 3° 分带"},
		{"unknown EPSG", `GEOGCS["x",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137,298.257222101]],AUTHORITY["EPSG","4610"]]`, "EPSG:4610"},
		{"Xian name only", `PROJCS["Xian_1980_3_Degree_GK_Zone_38",GEOGCS["GCS_Xian_1980",DATUM["D_Xian_1980",SPHEROID["Xian_1980",6378140.0,298.257]]]]`, "西安 1980"},
		{"not a CRS", `VERT_CS["x",VERT_DATUM["y",2005]]`, "不是坐标系定义"},
		{"deep", strings.Repeat("A[", 100) + strings.Repeat("]", 100), "无法解析"},
	}
	for _, tc := range bad {
		_, err := ParsePRJ(tc.wkt)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestPRJ(t *testing.T) {
	// Exactly what GDAL writes (testdata/prj, from gdalsrsinfo -o wkt_esri).
	for _, code := range []int{4490, 4326, 4526, 4547, 4513, 4554} {
		c, _ := geo.CRSFromEPSG(code)
		if got, want := PRJ(c), string(readFile(t, fmt.Sprintf("testdata/prj/esri_%d.prj", code))); got != want {
			t.Errorf("PRJ(EPSG:%d) =\n%s\nwant\n%s", code, got, want)
		}
	}
	if PRJ(geo.CRS{}) != string(readFile(t, "testdata/prj/esri_4490.prj")) {
		t.Errorf("PRJ of the zero CRS is not EPSG:4490")
	}
	// Every zone reads back as itself.
	for code := 4513; code <= 4554; code++ {
		c, _ := geo.CRSFromEPSG(code)
		back, err := ParsePRJ(PRJ(c))
		if err != nil || back.EPSG != code || back.Zone != c.Zone || back.Prefixed != c.Prefixed {
			t.Errorf("ParsePRJ(PRJ(EPSG:%d)) = %+v, %v", code, back, err)
		}
	}
}
