# mediacdn: `make run` starts the whole system, `make test` passes the tests.
# Both install what they need on a Debian/Ubuntu machine (sudo only when not root).

SHELL       := /bin/bash
GO          ?= go
BIN         := bin/mediacdn
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
GOFILES      = $(shell find . -name '*.go' -not -path './.git/*' -not -path '*/node_modules/*')
FUZZTIME    ?= 20s
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# VERSITYGW is the S3 server the tests and mediacdn cluster start (internal/localsrv).
VERSITYGW   := github.com/versity/versitygw/cmd/versitygw
VERSITYGW_VERSION := v1.8.0

.PHONY: all run build test deps servers browser test-deps cluster node-deps testdata bench-deps bench bench-scale sdk-suite node-suite fuzz lint clean

all: build

# deps installs the system packages the build needs: a C and C++ compiler,
# libvips and libjpeg for the origin's transforms (pkg-config finds them),
# OpenCV's objdetect (headers and libraries: core, imgproc, objdetect) and
# its cascades (opencv-data) for face detection, and the fonts of text
# layers (docs/transformations.md maps Cloudinary's font names to them).
deps:
	@command -v $(GO) >/dev/null || { echo "Go 1.26 or newer is required (https://go.dev/dl/)"; exit 1; }
	@missing=""; \
	command -v gcc >/dev/null || missing="$$missing gcc libc6-dev"; \
	command -v g++ >/dev/null || missing="$$missing g++"; \
	command -v pkg-config >/dev/null || missing="$$missing pkg-config"; \
	pkg-config --exists vips 2>/dev/null || missing="$$missing libvips-dev"; \
	pkg-config --exists libjpeg 2>/dev/null || missing="$$missing libjpeg-dev"; \
	[ -f /usr/include/opencv4/opencv2/objdetect.hpp ] || missing="$$missing libopencv-objdetect-dev"; \
	[ -f /usr/share/opencv4/haarcascades/haarcascade_frontalface_alt2.xml ] || missing="$$missing opencv-data"; \
	fc-list 2>/dev/null | grep -q "Liberation Sans" || missing="$$missing fonts-liberation"; \
	fc-list 2>/dev/null | grep -q "DejaVu Sans" || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# servers installs the servers the tests and `mediacdn cluster` start
# (internal/localsrv): PostgreSQL (Debian's package: initdb and the server
# in /usr/lib/postgresql/<N>/bin), and versitygw (S3, with its POSIX
# backend) at VERSITYGW_VERSION into bin/ with go install, when
# bin/versitygw is missing or another version (about 1.5 minutes of
# compiling, once). test-deps is its name in the tests' messages.
servers: deps
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || { \
		echo "installing: postgresql"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends postgresql; }
	@$(GO) version -m bin/versitygw 2>/dev/null | grep -Eq "^\s+mod\s+github.com/versity/versitygw\s+$(VERSITYGW_VERSION)\s" || { \
		echo "installing: versitygw $(VERSITYGW_VERSION) into bin/"; \
		GOBIN=$(CURDIR)/bin $(GO) install $(VERSITYGW)@$(VERSITYGW_VERSION); }

test-deps: servers browser

# browser installs Debian's chromium, the headless browser the console's
# tests drive (app/console_test.go, with chromedp).
browser:
	@command -v chromium >/dev/null || { \
		echo "installing: chromium"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium; }

# testdata puts the GPL-2+ photos of the test corpus into testdata/corpus
# (git ignores them there) from Debian's mate-backgrounds package, then
# checks every corpus file against testdata/corpus/SHA256SUMS
# (testdata/README.md says where each file comes from).
CORPUS := testdata/corpus
PHOTOS := Aqua.jpg Garden.jpg LadyBird.jpg Storm.jpg Wood.jpg
testdata:
	@set -e; missing=""; \
	for f in $(PHOTOS); do [ -f $(CORPUS)/$$f ] || missing="$$missing $$f"; done; \
	if [ -n "$$missing" ]; then \
		command -v apt-get >/dev/null && command -v dpkg >/dev/null || { \
			echo "testdata: needs apt-get and dpkg to fetch$$missing from Debian's mate-backgrounds package"; \
			echo "          (usr/share/backgrounds/mate/nature/ in it); copy them into $(CORPUS) by hand elsewhere"; exit 1; }; \
		echo "testdata: fetching$$missing from Debian's mate-backgrounds package (GPL-2+)"; \
		tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; chmod 755 "$$tmp"; \
		(cd "$$tmp" && { apt-get download -q mate-backgrounds >/dev/null 2>&1 || \
			{ $(SUDO) apt-get update -qq && apt-get download -q mate-backgrounds; }; }); \
		dpkg -x "$$tmp"/mate-backgrounds_*.deb "$$tmp/x"; \
		for f in $$missing; do install -m 644 "$$tmp/x/usr/share/backgrounds/mate/nature/$$f" $(CORPUS)/$$f; done; \
	fi; \
	cd $(CORPUS) && sha256sum --quiet -c SHA256SUMS || { echo "testdata: $(CORPUS) does not match its SHA256SUMS"; exit 1; }

# bench-deps installs the rivals and the load generator for side-by-side runs
# (and libvips' own CLI, the animated GIF's reference),
# and the photo corpus `mediacdn bench` uploads (-corpus testdata/corpus).
bench-deps: deps testdata
	@missing=""; \
	command -v nginx >/dev/null || missing="$$missing nginx"; \
	command -v varnishd >/dev/null || missing="$$missing varnish"; \
	command -v wrk >/dev/null || missing="$$missing wrk"; \
	command -v vips >/dev/null || missing="$$missing libvips-tools"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# build stamps the binary with the git revision it is built from
# (`mediacdn version` prints it), even where GOFLAGS turns that off.
build: deps
	$(GO) build -buildvcs=auto -o $(BIN) .

# run starts `mediacdn dev` (NATS, origin and edge in one process, data in
# ./data) and prints, once its edge is ready, where everything listens, the
# dev cloud's credentials, a curl to try and the CLOUDINARY_URL for the SDKs.
# DEV_FLAGS passes flags: make run DEV_FLAGS='-edge-listen 127.0.0.1:9080'.
DEV_FLAGS ?=
run: build
	./$(BIN) dev $(DEV_FLAGS)

# cluster starts `mediacdn cluster`: a many-machine installation on this
# machine (three clustered NATS servers, PostgreSQL and versitygw on a
# temporary directory, two origins, three edges), prints every address
# and the CLOUDINARY_URL, and stops everything on Ctrl-C. CLUSTER_FLAGS
# passes flags: make cluster CLUSTER_FLAGS='-origins 3 -data /var/tmp/try'.
CLUSTER_FLAGS ?=
cluster: servers build
	./$(BIN) cluster $(CLUSTER_FLAGS)

# node-deps installs Node.js (Debian's nodejs and npm, when node is missing)
# and the Node SDK the tests drive, pinned by test/node/package-lock.json.
node-deps:
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
		echo "installing: nodejs npm"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends nodejs npm; \
	fi
	npm ci --prefix test/node --no-audit --no-fund --loglevel=error

test: test-deps node-deps testdata
	@unformatted=$$(gofmt -l $(GOFILES)); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	MEDIACDN_NODE_SDK=required MEDIACDN_BROWSER=required $(GO) test -race ./...

# bench runs every scenario of `mediacdn bench` (hit, compare, transform,
# purge, coalesce, storm, soak, chaos; about 6.5 minutes on 2 cores, bounded
# at 10; it fails when a chaos case does) and writes markdown, JSON and SVG
# charts to bench/results/. The transform count is cut from issue 4's 10,000
# to fit; BENCH_FLAGS='-transforms 10000' runs them all. Go micro-benchmarks:
# go test -run '^$$' -bench . ./...
BENCH_FLAGS ?= -transforms 3000 -rounds 5
bench: bench-deps build
	./$(BIN) bench $(BENCH_FLAGS) all

# bench-scale runs `mediacdn bench scale` (issue 17: purge propagation to 1
# to 32 edge processes, uploads and misses per second with one origin and
# two on SQLite + files and PostgreSQL + S3, an origin SIGKILLed under
# load; about 2 minutes), on PostgreSQL and versitygw it starts itself
# (servers installs them), and writes its report to bench/results/. Not
# part of bench: it needs the servers, and all's 10-minute bound leaves
# no room for it. It fails when a target is missed. SCALE_FLAGS passes
# flags: make bench-scale SCALE_FLAGS='-scale-parts throughput -scale-time 5s'.
SCALE_FLAGS ?=
bench-scale: servers build
	./$(BIN) bench $(SCALE_FLAGS) scale

# sdk-suite runs the official Go SDK's own end-to-end tests (the version in
# go.mod, copied from the module cache) against `mediacdn dev` inside a
# loopback-only network namespace (unshare; as root or with unprivileged
# user namespaces), prints per package what passes, fails and skips, each
# failing test's first error line and what changed against
# test/sdksuite/baseline.txt, and writes a report and the logs to a new
# directory under $$TMPDIR (docs/compatibility.md). Failing tests are the
# measurement: it fails only when it could not measure. Not part of `make
# test`. SDK_SUITE_FLAGS passes flags: SDK_SUITE_FLAGS='-wire -out
# bench/results' logs every request and response and keeps the report there.
SDK_SUITE_FLAGS ?=
sdk-suite: build
	$(GO) run ./test/sdksuite -go $(GO) -mediacdn $(BIN) $(SDK_SUITE_FLAGS)

# node-suite runs the Node SDK's own integration specs (mocha, no retries;
# every spec file under its test/integration) against `mediacdn dev` the
# same way, over HTTPS (a throwaway CA and certificate, origin.tls): test/
# sdksuite -sdk node clones the SDK's repository (NODE_SDK_REPO) at its tag
# 2.10.1 into a cache directory once (mediacdn/node-sdk-suite under the
# user's cache directory), installs the specs' npm dependencies there with
# npm ci (test/sdksuite/node), and compares with
# test/sdksuite/node-baseline.txt (docs/compatibility.md; about 75 s once
# cached). Needs git, Node.js and npm, and the network for the first clone
# and npm ci. Not part of `make test`. NODE_SUITE_FLAGS passes flags: -pkg
# chooses spec files, -run tests, -cache another cache directory.
NODE_SDK_REPO    ?= https://github.com/cloudinary/cloudinary_npm
NODE_SUITE_FLAGS ?=
node-suite: build
	$(GO) run ./test/sdksuite -sdk node -node-repo $(NODE_SDK_REPO) -mediacdn $(BIN) $(NODE_SUITE_FLAGS)

# fuzz runs every fuzz target for FUZZTIME each.
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "fuzz $$pkg $$target ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

lint: deps
	$(GO) run $(STATICCHECK) ./...

clean:
	rm -rf bin
