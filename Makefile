# smsgw — see README.md. `make run` starts the demo, `make test` runs the tests.
GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo none)
DATE      ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS   := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)
BIN       := bin/smsgw
PREFIX    ?= /usr/local
FUZZTIME  ?= 10s
BENCHTIME ?= 1s

# Every fuzz target, as package:Target.
FUZZ_TARGETS := \
	./pdu:FuzzDecode \
	./pdu:FuzzDecodeTPDU \
	./pdu:FuzzEncodeDecode \
	./pdu:FuzzReassemble \
	./spool:FuzzProviderKeys \
	./spool:FuzzDecodeRecord \
	./modem:FuzzParseLines \
	./smpp:FuzzServerSession \
	./smpp/smscsim:FuzzSession \
	./configs:FuzzParse

.PHONY: all build run test crash bench fuzz lint install cross clean

all: lint test build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/smsgw

# The embedded demo. Until the gateway lands (issue 6) it shows the codec.
# The embedded demo: a simulated carrier and modem, 127.0.0.1 only; its
# spool and credentials are kept in DEMO_DATA between runs. Ctrl-C stops it.
DEMO_DATA ?= /tmp/smsgw-demo
run: build
	./$(BIN) serve --demo --data $(DEMO_DATA)

test:
	$(GO) test -race -count=1 ./...

# The long crash test: 100 SIGKILLs of a spool writer (make test runs 5).
crash:
	SPOOL_CRASH_ROUNDS=100 $(GO) test -count=1 -run '^TestCrashLosesNothingAcknowledged$$' -v ./spool/

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./pdu/

# Each fuzz target for FUZZTIME (go test runs one target at a time).
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$pkg $$name ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s $$pkg; \
	done

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l . ); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

install: build
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/smsgw

# Release builds for the appliance targets.
cross:
	CGO_ENABLED=0 GOOS=linux GOARCH=amd64 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/smsgw-linux-amd64 ./cmd/smsgw
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/smsgw-linux-arm64 ./cmd/smsgw
	CGO_ENABLED=0 GOOS=linux GOARCH=arm GOARM=7 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/smsgw-linux-armv7 ./cmd/smsgw

clean:
	rm -rf bin
