package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"panhuo/geo"
	"panhuo/internal/land"
	"panhuo/internal/ledger"
	"panhuo/internal/transfer"
	"panhuo/internal/web"
)

// parseInterspersed parses flags that may come before, between or after the
// positional arguments ("panhuo import a.zip -park ZZGX b.txt").
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// importCmd imports files into the database: panhuo import FILE… [-park]
// [-class] [-dry-run] [-all-or-nothing] [-mapping FILE.json] [-json].
func (e env) importCmd(args []string) error {
	fs := e.flags("import")
	dbPath := dbFlag(fs)
	park := fs.String("park", "", "park code every parcel must lie in (园区代码)")
	class := fs.String("class", "", "class of parcels whose file gives none: unsupplied (批而未供), idle (闲置), inefficient (低效)")
	dryRun := fs.Bool("dry-run", false, "check everything and report, write nothing (试导入)")
	allOrNothing := fs.Bool("all-or-nothing", false, "write nothing when any parcel is rejected")
	mappingPath := fs.String("mapping", "", "JSON file mapping the files' own column names to fields, e.g. {\"地块号\": \"code\"}")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: panhuo import [flags] FILE…  (.txt 报部坐标, .zip Shapefile, .kml/.kmz, .geojson, .xlsx 台账)")
		fs.PrintDefaults()
	}
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usageError{"no file to import"}
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		// Without it the collector lets the heap of a 100 000-parcel import
		// grow to twice its live size (0.8 GB); near this soft limit it
		// collects more often instead, at about the same speed.
		debug.SetMemoryLimit(importMemoryLimit)
	}
	opt := transfer.Options{Class: land.Class(*class), Limits: geo.DefaultLimits()}
	if opt.Class != "" && !opt.Class.Valid() {
		return usageError{fmt.Sprintf("-class %q: must be unsupplied, idle or inefficient", *class)}
	}
	if *mappingPath != "" {
		b, err := os.ReadFile(*mappingPath)
		if err != nil {
			return fmt.Errorf("read -mapping: %w", err)
		}
		if err := json.Unmarshal(b, &opt.Mapping); err != nil {
			return fmt.Errorf("-mapping %s: not a JSON object of column → field: %w", *mappingPath, err)
		}
		for col, f := range opt.Mapping {
			if !ledger.KnownField(f) {
				return fmt.Errorf("-mapping: column %q maps to unknown field %q", col, f)
			}
		}
	}
	uploads := make([]transfer.Upload, len(files))
	for i, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("read %s: %w", f, err)
		}
		uploads[i] = transfer.Upload{Name: filepath.Base(f), Data: b}
	}
	prep, err := transfer.Read(uploads, opt)
	if err != nil {
		return err
	}
	ctx := context.Background()
	return withStore(ctx, *dbPath, func(st dataStore) error {
		bar := newProgressBar(e.stderr)
		res, err := land.NewService(st).ImportParcels(ctx, operator(), prep.Items, land.ImportOptions{
			DryRun: *dryRun, ParkCode: *park, AllOrNothing: *allOrNothing, Progress: bar.update})
		bar.finish()
		if err != nil {
			return err
		}
		parks, err := st.ListParkFigures(ctx)
		if err != nil {
			return fmt.Errorf("list parks for the report: %w", err)
		}
		rep := transfer.NewReport(prep, res, parks)
		// A line per feature: one write for them all.
		out := bufio.NewWriter(e.stdout)
		if *asJSON {
			enc := json.NewEncoder(out)
			enc.SetIndent("", "  ")
			if err := enc.Encode(rep); err != nil {
				return fmt.Errorf("print report: %w", err)
			}
		} else {
			printImportReport(out, rep)
		}
		if err := out.Flush(); err != nil {
			return fmt.Errorf("print report: %w", err)
		}
		if !rep.DryRun && !rep.Committed && rep.Summary.Rejected > 0 {
			return fmt.Errorf("导入未写入任何数据：%d 个地块被拒绝", rep.Summary.Rejected)
		}
		return nil
	})
}

// importMemoryLimit is the soft memory limit of `panhuo import` unless
// GOMEMLIMIT sets another.
const importMemoryLimit = 400 << 20

// printImportReport prints a report for a person at a terminal.
func printImportReport(w io.Writer, rep transfer.Report) {
	for _, f := range rep.Files {
		fmt.Fprintf(w, "%s：%s，%d 个地块", f.Name, f.Format, f.Features)
		if f.CRS != "" {
			fmt.Fprintf(w, "，%s", f.CRS)
		}
		if f.Encoding != "" {
			fmt.Fprintf(w, "，%s 编码", f.Encoding)
		}
		fmt.Fprintln(w)
		for _, wn := range f.Warnings {
			fmt.Fprintf(w, "  注意：%s\n", wn)
		}
	}
	actions := map[land.ImportAction]string{land.ImportCreate: "新增", land.ImportUpdate: "更新",
		land.ImportUnchanged: "无变化", land.ImportReject: "拒绝"}
	for _, f := range rep.Features {
		fmt.Fprintf(w, "%4d  %-4s  %s", f.Index, actions[f.Action], f.Label)
		if f.Status == "accepted" {
			fmt.Fprintf(w, "  %s  %.2f 亩", f.ParkCode, f.AreaMu)
			if f.ParcelID != 0 {
				fmt.Fprintf(w, "  #%d", f.ParcelID)
			}
		} else {
			fmt.Fprintf(w, "  %s", f.Title)
		}
		fmt.Fprintln(w)
		for _, e := range f.Errors {
			fmt.Fprintf(w, "        ✗ %s：%s\n", e.Field, e.Reason)
		}
		for _, wn := range f.Warnings {
			fmt.Fprintf(w, "        ! %s\n", wn)
		}
	}
	s := rep.Summary
	verb := "已写入"
	switch {
	case rep.DryRun:
		verb = "试导入（未写入）"
	case !rep.Committed:
		verb = "未写入"
	}
	fmt.Fprintf(w, "%s：共 %d 个，新增 %d，更新 %d，无变化 %d，拒绝 %d；新增与更新面积 %.2f 亩\n",
		verb, s.Total, s.Created, s.Updated, s.Unchanged, s.Rejected, s.AreaMu)
}

// progressBar draws an import's progress on a terminal line, at most a few
// times a second.
type progressBar struct {
	w     io.Writer
	mu    sync.Mutex
	last  time.Time
	shown bool
}

func newProgressBar(w io.Writer) *progressBar { return &progressBar{w: w} }

func (p *progressBar) update(phase string, done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if total == 0 || (time.Since(p.last) < 200*time.Millisecond && done != total) {
		return
	}
	p.last = time.Now()
	names := map[string]string{"prepare": "检查", "overlap": "重叠", "write": "写入"}
	const width = 30
	n := done * width / total
	fmt.Fprintf(p.w, "\r%s [%s%s] %3d%% %d/%d", names[phase], strings.Repeat("#", n), strings.Repeat("-", width-n), done*100/total, done, total)
	p.shown = true
}

func (p *progressBar) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprintln(p.w)
	}
}

// exportCmd writes parcels to a file: panhuo export -o FILE [-park] [-class]
// [-status] [-asof] [-ids] [-crs] [-encoding] [-zone]; the format follows
// the extension: .xlsx (台账), .geojson, .zip (Shapefile), .txt (报部).
func (e env) exportCmd(args []string) error {
	fs := e.flags("export")
	dbPath := dbFlag(fs)
	out := fs.String("o", "", "output file: .xlsx (ledger), .geojson, .zip (Shapefile) or .txt (报部坐标)")
	park := fs.String("park", "", "park code")
	class := fs.String("class", "", "class: unsupplied, idle, inefficient")
	status := fs.String("status", "", "status: pending, in_progress, disposed")
	asof := fs.String("asof", "", "as of date YYYY-MM-DD (default today)")
	ids := fs.String("ids", "", "comma-separated parcel ids")
	crsCode := fs.Int("crs", 4490, "Shapefile CRS: 4490 (CGCS2000 lon/lat) or a CGCS2000 3° Gauss-Krüger EPSG code 4513–4554")
	encoding := fs.String("encoding", "GBK", "Shapefile and TXT text encoding: GBK or UTF-8")
	zone := fs.Int("zone", 0, "TXT Gauss-Krüger zone (default: the first parcel's)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageError{"-o FILE is required"}
	}
	f := transfer.Filter{ParkCode: *park, Class: land.Class(*class), Status: land.Status(*status)}
	if f.Class != "" && !f.Class.Valid() {
		return usageError{fmt.Sprintf("-class %q: must be unsupplied, idle or inefficient", *class)}
	}
	if f.Status != "" && !f.Status.Valid() {
		return usageError{fmt.Sprintf("-status %q: must be pending, in_progress or disposed", *status)}
	}
	var err error
	if f.AsOf, err = land.ParseDate(*asof); err != nil {
		return usageError{"-asof: " + err.Error()}
	}
	if *ids != "" {
		for _, s := range strings.Split(*ids, ",") {
			id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil || id <= 0 {
				return usageError{fmt.Sprintf("-ids: %q is not a parcel id", s)}
			}
			f.IDs = append(f.IDs, id)
		}
	}
	enc := strings.ToUpper(*encoding)
	if enc == "UTF8" {
		enc = "UTF-8"
	}
	if enc != "GBK" && enc != "UTF-8" {
		return usageError{"-encoding must be GBK or UTF-8"}
	}
	ext := strings.ToLower(filepath.Ext(*out))
	crs, ok := geo.CRSFromEPSG(*crsCode)
	if ext == ".zip" && (!ok || *crsCode == 4326) {
		return usageError{fmt.Sprintf("-crs %d: must be 4490 or 4513–4554", *crsCode)}
	}
	ctx := context.Background()
	return withStore(ctx, *dbPath, func(st dataStore) error {
		svc := land.NewService(st)
		ps, err := transfer.Select(ctx, st, f)
		if err != nil {
			return err
		}
		parks, err := st.ListParkFigures(ctx)
		if err != nil {
			return fmt.Errorf("list parks: %w", err)
		}
		var buf bytes.Buffer
		switch ext {
		case ".xlsx":
			rep, err := svc.Rates(ctx, land.RatesQuery{AsOf: f.AsOf, Class: f.Class})
			if err != nil {
				return err
			}
			err = transfer.WriteLedger(&buf, "园区三类用地台账", ps, parks, rep)
			if err != nil {
				return err
			}
		case ".geojson", ".json":
			if err := web.WriteParcelsGeoJSON(&buf, ps); err != nil {
				return err
			}
		case ".zip":
			name := strings.TrimSuffix(filepath.Base(*out), filepath.Ext(*out))
			if err := transfer.WriteShapefile(&buf, ps, parks, transfer.ShapefileOptions{Name: name, CRS: crs, Encoding: enc}); err != nil {
				return err
			}
		case ".txt":
			if len(ps) == 0 {
				return errors.New("没有可导出的地块")
			}
			if err := transfer.WriteTXT(&buf, ps, geo.Zone(*zone), enc, svc.Today()); err != nil {
				return err
			}
		default:
			return usageError{fmt.Sprintf("-o %s: the extension must be .xlsx, .geojson, .zip or .txt", *out)}
		}
		if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", *out, err)
		}
		fmt.Fprintf(e.stdout, "已导出 %d 个地块 → %s（%d 字节）\n", len(ps), *out, buf.Len())
		return nil
	})
}
