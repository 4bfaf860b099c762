# panhuo — the commands a newcomer needs. See README.md.

GO        ?= go
BIN       ?= bin/panhuo
# make bench BENCHTIME=2s for steadier numbers; 1x runs each benchmark once.
BENCHTIME ?= 1x
# staticcheck, pinned; `go run` fetches it through the module proxy on first use.
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.6.1

.PHONY: run test build bench fmt vet lint clean

## run: serve the app with the 株洲 demo data on http://127.0.0.1:8080 (database panhuo.db)
run:
	$(GO) run ./cmd/panhuo serve -demo

## test: everything CI checks: gofmt, go vet, staticcheck, then every test
test: vet lint
	$(GO) test ./...

vet:
	@unformatted=$$(gofmt -l $$(find . -name '*.go' -not -path './node_modules/*' -not -path './.git/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

lint:
	$(STATICCHECK) ./...

## build: the one binary, to bin/panhuo
build:
	$(GO) build -o $(BIN) ./cmd/panhuo

## bench: every benchmark once, single CPU (targets and results: bench/README.md)
bench:
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) -benchmem -cpu 1 ./...

## fmt: gofmt every Go file
fmt:
	$(GO) fmt ./...

clean:
	rm -rf bin
