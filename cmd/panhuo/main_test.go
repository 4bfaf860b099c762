package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"panhuo/internal/land"
	"panhuo/internal/store/sqlite"
)

// TestBinary builds the real binary once and drives it as a user would.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool in PATH")
	}
	bin := filepath.Join(t.TempDir(), "panhuo")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	t.Run("serve -demo", func(t *testing.T) { testServeDemo(t, bin) })
	t.Run("demo twice", func(t *testing.T) { testDemoTwice(t, bin) })
	t.Run("backup", func(t *testing.T) { testBackup(t, bin) })
	t.Run("real database refused", func(t *testing.T) { testRealRefused(t, bin) })
	t.Run("postgres not yet", func(t *testing.T) { testPostgres(t, bin) })
	t.Run("migrate", func(t *testing.T) { testMigrate(t, bin) })
	t.Run("synth", func(t *testing.T) { testSynth(t, bin) })
	t.Run("help", func(t *testing.T) {
		out, _, code := runBin(t, bin, "help")
		if code != 0 || !strings.Contains(out, "panhuo backup") {
			t.Errorf("help: exit %d\n%s", code, out)
		}
		if _, _, code := runBin(t, bin, "nonsense"); code != 2 {
			t.Errorf("unknown command: exit %d, want 2", code)
		}
	})
}

// runBin runs the binary to completion and returns stdout, stderr and the
// exit code.
func runBin(t *testing.T, bin string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return stdout.String(), stderr.String(), 0
	case errors.As(err, &ee):
		return stdout.String(), stderr.String(), ee.ExitCode()
	}
	t.Fatalf("run %v: %v", args, err)
	return "", "", -1
}

type ratesResponse struct {
	Rows []struct {
		ParkCode        string   `json:"park_code"`
		ParkName        string   `json:"park_name"`
		IdentifiedMu    float64  `json:"identified_mu"`
		IdentifiedCount int      `json:"identified_count"`
		DisposedMu      float64  `json:"disposed_mu"`
		DisposedCount   int      `json:"disposed_count"`
		Rate            *float64 `json:"rate"`
		BuiltupShare    *float64 `json:"builtup_share"`
	} `json:"rows"`
}

func testServeDemo(t *testing.T, bin string) {
	db := filepath.Join(t.TempDir(), "serve.db")
	cmd := exec.Command(bin, "serve", "-demo", "-addr", "127.0.0.1:0", "-db", db)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "panhuo listening on "); ok {
				urls <- strings.Fields(rest)[0]
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	var base string
	select {
	case base = <-urls:
	case err := <-exited:
		t.Fatalf("serve exited before listening: %v\n%s", err, stderr.String())
	case <-time.After(90 * time.Second):
		t.Fatalf("no \"listening on\" line within 90 s\n%s", stderr.String())
	}

	client := &http.Client{Timeout: 30 * time.Second}
	res, err := client.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz: %s", res.Status)
	}

	res, err = client.Get(base + "/api/rates")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/rates: %s\n%s", res.Status, body)
	}
	var rates ratesResponse
	if err := json.Unmarshal(body, &rates); err != nil {
		t.Fatalf("decode /api/rates: %v\n%s", err, body)
	}
	if len(rates.Rows) != 9 {
		t.Fatalf("%d rows, want 8 parks and the total", len(rates.Rows))
	}
	total := rates.Rows[len(rates.Rows)-1]
	if total.ParkCode != "total" {
		t.Errorf("last row %q, want total", total.ParkCode)
	}
	if math.Abs(total.IdentifiedMu-19600) > 0.5 {
		t.Errorf("identified %.4f 亩, want 19600", total.IdentifiedMu)
	}
	if total.DisposedCount != 62 {
		t.Errorf("disposed_count %d, want 62", total.DisposedCount)
	}
	if math.Abs(total.DisposedMu-2497) > 0.5 {
		t.Errorf("disposed %.4f 亩, want 2497", total.DisposedMu)
	}
	if total.BuiltupShare == nil || math.Abs(*total.BuiltupShare-0.188) > 0.0005 {
		t.Errorf("builtup_share %v, want 0.188", total.BuiltupShare)
	}
	first := rates.Rows[0]
	if first.ParkName != "醴陵经开区" || first.Rate == nil || math.Abs(*first.Rate-0.723) > 0.0005 {
		t.Errorf("first row %s at %v, want 醴陵经开区 at 0.723", first.ParkName, first.Rate)
	}

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("after SIGINT: %v, want exit 0\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("still running 30 s after SIGINT\n%s", stderr.String())
	}
}

func testDemoTwice(t *testing.T, bin string) {
	db := filepath.Join(t.TempDir(), "demo.db")
	out, errOut, code := runBin(t, bin, "demo", "-db", db)
	if code != 0 {
		t.Fatalf("first demo: exit %d\n%s", code, errOut)
	}
	if !strings.Contains(out, "62 宗") || !strings.Contains(out, "2497.00 亩") {
		t.Errorf("summary lacks the seed's figures:\n%s", out)
	}
	_, errOut, code = runBin(t, bin, "demo", "-db", db)
	if code == 0 || !strings.Contains(errOut, "已有示例数据") {
		t.Errorf("second demo: exit %d, want a refusal\n%s", code, errOut)
	}
}

func countRows(t *testing.T, path string) land.RowCounts {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n, err := st.CountRows(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func testBackup(t *testing.T, bin string) {
	dir := t.TempDir()
	db, copyPath := filepath.Join(dir, "live.db"), filepath.Join(dir, "backup.db")
	if _, errOut, code := runBin(t, bin, "demo", "-db", db); code != 0 {
		t.Fatalf("demo: exit %d\n%s", code, errOut)
	}
	if _, errOut, code := runBin(t, bin, "backup", "-db", db, "-o", copyPath); code != 0 {
		t.Fatalf("backup: exit %d\n%s", code, errOut)
	}
	want, got := countRows(t, db), countRows(t, copyPath)
	if want != got || got.Parcels != 277 {
		t.Errorf("backup holds %+v, the database %+v", got, want)
	}
	if _, errOut, code := runBin(t, bin, "backup", "-db", db, "-o", copyPath); code == 0 || !strings.Contains(errOut, "已存在") {
		t.Errorf("backup over an existing file: exit %d\n%s", code, errOut)
	}
	if _, _, code := runBin(t, bin, "backup", "-db", db); code != 2 {
		t.Errorf("backup without -o: exit %d, want 2", code)
	}
}

func testRealRefused(t *testing.T, bin string) {
	db := filepath.Join(t.TempDir(), "real.db")
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	_, err = land.NewService(st).CreatePark(ctx, land.Operator("test"), land.ParkInput{
		Code: "REAL", Name: "某正式园区", Level: land.LevelProvincial, City: "长沙市",
		Boundary: orb.MultiPolygon{{{{113, 28}, {113.01, 28}, {113.01, 28.01}, {113, 28.01}, {113, 28}}}},
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	before := countRows(t, db)
	for _, args := range [][]string{
		{"serve", "-demo", "-addr", "127.0.0.1:0", "-db", db},
		{"demo", "-db", db},
	} {
		_, errOut, code := runBin(t, bin, args...)
		if code == 0 || !strings.Contains(errOut, "正式园区") {
			t.Errorf("%v: exit %d, want a refusal\n%s", args, code, errOut)
		}
	}
	if after := countRows(t, db); after != before {
		t.Errorf("refusals changed the database: %+v → %+v", before, after)
	}
}

func testPostgres(t *testing.T, bin string) {
	_, errOut, code := runBin(t, bin, "serve", "-db", "postgres://panhuo@localhost/panhuo")
	if code != 2 || !strings.Contains(errOut, "PostgreSQL 引擎尚未提供（见 issue 6）") {
		t.Errorf("exit %d\n%s", code, errOut)
	}
}

func testMigrate(t *testing.T, bin string) {
	db := filepath.Join(t.TempDir(), "m.db")
	out, errOut, code := runBin(t, bin, "migrate", "-db", db)
	if code != 0 || !strings.Contains(out, "schema version") {
		t.Errorf("migrate: exit %d\n%s%s", code, out, errOut)
	}
}

func testSynth(t *testing.T, bin string) {
	db := filepath.Join(t.TempDir(), "s.db")
	out, errOut, code := runBin(t, bin, "synth", "-db", db, "-parks", "5", "-parcels", "300", "-seed", "3")
	if code != 0 {
		t.Fatalf("synth: exit %d\n%s", code, errOut)
	}
	if n := countRows(t, db); n.Parks != 5 || n.Parcels < 250 {
		t.Errorf("synth wrote %+v\n%s", n, out)
	}
	if _, errOut, code := runBin(t, bin, "synth", "-db", db, "-parks", "5", "-parcels", "300"); code == 0 || !strings.Contains(errOut, "不是空的") {
		t.Errorf("synth into a full database: exit %d\n%s", code, errOut)
	}
}
