# One target per check. CI runs .ci/run, which runs the same scripts.
#   make build     the binary, stamped with VERSION and git's revision and branch
#   make test      scripts/test (every package; PostgreSQL with DEVZONE_TEST_DATABASE_URL)
#   make lint      gofmt, go vet and golangci-lint (pinned in scripts/lint)
#   make generate  the Grafana dashboards and the alert rule file, from their Go sources
#   make bench     bench/run: the national-scale benchmark table (needs PostgreSQL)

GO         ?= go
BIN        ?= devzone_exporter
VERSION    := $(shell cat VERSION)
REVISION   := $(shell git rev-parse HEAD 2>/dev/null)
BRANCH     := $(shell git rev-parse --abbrev-ref HEAD 2>/dev/null)
BUILD_USER := $(shell id -un)@$(shell hostname)
BUILD_DATE := $(shell date -u +%Y%m%d-%H:%M:%S)
versionpkg := github.com/prometheus/common/version
LDFLAGS    := -X $(versionpkg).Version=$(VERSION) \
              -X $(versionpkg).Revision=$(REVISION) \
              -X $(versionpkg).Branch=$(BRANCH) \
              -X $(versionpkg).BuildUser=$(BUILD_USER) \
              -X $(versionpkg).BuildDate=$(BUILD_DATE)

.PHONY: all build test lint generate bench
all: lint test build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/devzone_exporter

test:
	scripts/test

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	scripts/lint

generate:
	$(GO) generate ./grafana/...
	$(GO) test ./alerts -run TestRuleFileIsCurrent -update

bench:
	bash bench/run
