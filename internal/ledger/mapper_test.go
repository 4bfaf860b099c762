package ledger

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/width"

	"panhuo/geo"
)

// TestMapperReuse checks that a Mapper, which remembers what it made of the
// previous list of names, maps as a fresh one does when the names change
// from one call to the next (a GeoJSON file, ledger sheets) or stay.
func TestMapperReuse(t *testing.T) {
	headers := []string{"宗地编号", "地块编号", "ZDBH", "面积", "台账面积", "面积(公顷)", "类别", "认定日期", "约定动工",
		"容积率", "亩均税收", "亩均税收(元)", "电子监管号", "未知", "序号", " 宗地编号 ", "wkt", "带号", "闲置原因", "备注"}
	values := []string{"", " ", "\u3000", "ZZ-1", "ZZ-2", "12.5", "12.5亩", "3公顷", "批而未供", "闲置", "低效", "土地",
		"2021-03-05", "2021年3月5日", "2021-02-30", "企业原因", "政府", "abc", "1.5E+3", "\ufeff闲置\u200b"}
	rng := rand.New(rand.NewPCG(3, 3))
	for _, m := range []Mapping{nil, {"未知": "note", "面积": "plot_ratio"}} {
		mp := NewMapper(m)
		var names []string
		for i := range 5000 {
			if i%7 == 0 || rng.IntN(3) == 0 {
				names = nil
				for k := rng.IntN(10); k > 0; k-- {
					names = append(names, headers[rng.IntN(len(headers))])
				}
			}
			props := make([]geo.Property, len(names))
			for k, n := range names {
				props[k] = geo.Property{Name: n, Value: values[rng.IntN(len(values))]}
			}
			if got, want := mp.Map(props), MapProperties(props, m); !reflect.DeepEqual(got, want) {
				t.Fatalf("%v:\n got %+v\nwant %+v", props, got, want)
			}
		}
	}
}

// TestNarrow checks narrow, which skips the transformer, against
// width.Narrow on every rune and on invalid UTF-8.
func TestNarrow(t *testing.T) {
	var b strings.Builder
	for r := rune(0); r <= 0x10FFFF; r++ {
		b.Reset()
		b.WriteString("a")
		b.WriteRune(r)
		s := b.String()
		if got, want := narrow(s), width.Narrow.String(s); got != want {
			t.Fatalf("%U: %q, want %q", r, got, want)
		}
	}
	for _, s := range []string{"", "\xff", "a\xe4\xb8", "\xe4\xb8a", "１２\xc2", "闲置\x80"} {
		if got, want := narrow(s), width.Narrow.String(s); got != want {
			t.Errorf("%q: %q, want %q", s, got, want)
		}
	}
}
