# panhuo — the commands a newcomer needs. See README.md.

GO        ?= go
BIN       ?= bin/panhuo
# make bench BENCHTIME=2s for steadier numbers; 1x runs each benchmark once.
BENCHTIME ?= 1x
# staticcheck, pinned; `go run` fetches it through the module proxy on first use.
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.6.1
NPM       ?= npm

# The browser libraries the binary embeds, copied from node_modules (see
# static/vendor/README.txt): OpenLayers for the map, ECharts for the dashboard.
VENDOR    := static/vendor/ol.js static/vendor/ol.css static/vendor/echarts.min.js

.PHONY: run test build bench fmt vet lint clean vendor fuzz

# fuzz: each file reader's fuzz target, briefly (make test runs it; make fuzz
# FUZZTIME=10m for a long run outside CI).
FUZZTIME  ?= 10s

## run: serve the app with the 株洲 demo data on http://127.0.0.1:8080 (database panhuo.db)
run: vendor
	$(GO) run ./cmd/panhuo serve -demo

## test: everything CI checks: gofmt, go vet, staticcheck, then every test, on
## SQLite and on a throwaway PostgreSQL + PostGIS cluster (.ci/postgres.sh
## installs and starts one, or uses PANHUO_TEST_PG when it is set)
test: vendor vet lint
	. .ci/postgres.sh && trap panhuo_pg_stop EXIT && \
	$(GO) test ./... && PANHUO_TEST_ENGINE=postgres $(GO) test ./internal/web/
	$(MAKE) fuzz

## fuzz: the fuzz targets of the 报部 TXT, KML, Shapefile and GeoJSON readers, FUZZTIME each
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzReadBaobuTXT$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 100x ./geo
	$(GO) test -run '^$$' -fuzz '^FuzzReadGeoJSON$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 100x ./geo
	$(GO) test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 100x ./geo/kml
	$(GO) test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 100x ./geo/shp

vet:
	@unformatted=$$(gofmt -l $$(find . -name '*.go' -not -path './node_modules/*' -not -path './.git/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

lint:
	$(STATICCHECK) ./...

## build: the one binary, to bin/panhuo
build: vendor
	$(GO) build -o $(BIN) ./cmd/panhuo

## bench: every benchmark once, single CPU (targets and results: bench/README.md)
bench: vendor
	. .ci/postgres.sh && trap panhuo_pg_stop EXIT && \
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) -benchmem -cpu 1 ./...

## fmt: gofmt every Go file
fmt:
	$(GO) fmt ./...

## vendor: install the pinned front-end libraries (npm ci) and copy their bundles to static/vendor
vendor: $(VENDOR)

# npm ci runs when node_modules is missing or older than the lock file.
node_modules/.panhuo-installed: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $@

static/vendor/ol.js: node_modules/.panhuo-installed
	cp node_modules/ol/dist/ol.js $@
static/vendor/ol.css: node_modules/.panhuo-installed
	cp node_modules/ol/ol.css $@
static/vendor/echarts.min.js: node_modules/.panhuo-installed
	cp node_modules/echarts/dist/echarts.min.js $@

clean:
	rm -rf bin
