package geo

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func FuzzReadBaobuTXT(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "txt", "*.txt"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(txtHeader38 + "4,1,A,,面,,,,@\nJ1,1,3076500,38512300\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := ReadBaobuTXT(bytes.NewReader(data))
		if err != nil {
			if len(file.Parcels) != 0 {
				t.Fatalf("parcels returned with error %v", err)
			}
			return
		}
		if len(file.Parcels) == 0 {
			t.Fatal("accepted a file without parcels")
		}
		for _, p := range file.Parcels {
			if !(p.AreaM2 > 0) || math.IsInf(p.AreaM2, 0) {
				t.Fatalf("parcel %d: area %v", p.Index, p.AreaM2)
			}
			if p.Planar == nil || p.Geometry == nil || !p.Zone.Valid() {
				t.Fatalf("parcel %d: %+v", p.Index, p)
			}
		}
	})
}
