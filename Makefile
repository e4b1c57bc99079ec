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
	./pdu:FuzzTextWithUDH \
	./spool:FuzzProviderKeys \
	./spool:FuzzDecodeRecord \
	./spool:FuzzRecordCodec \
	./spool:FuzzParseMessage \
	./spool:FuzzDamagedSpool \
	./spool/policy:FuzzNormaliseRecipient \
	./spool/policy:FuzzNormaliseSender \
	./spool/policy:FuzzCallbackHost \
	./modem:FuzzParseLines \
	./smpp:FuzzServerSession \
	./smpp:FuzzParseReceipt \
	./smpp:FuzzDataSM \
	./smpp:FuzzSMPPTime \
	./smpp/smscsim:FuzzSession \
	./httpapi:FuzzKannelSendsms \
	./httpapi:FuzzExpandDLRURL \
	./httpapi:FuzzSubmitJSON \
	./configs:FuzzParse \
	./configs:FuzzParseEnvFile \
	./internal/clientip:FuzzAddr

.PHONY: all build run test cross-test crash bench fuzz lint install deb bootcheck cross clean

all: lint test build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/smsgw

# The embedded demo: a simulated carrier and modem, 127.0.0.1 only; its
# spool and credentials are kept in DEMO_DATA between runs. Ctrl-C stops it.
DEMO_DATA ?= /tmp/smsgw-demo
run: build
	./$(BIN) serve --demo --data $(DEMO_DATA)

test:
	$(GO) test -race -count=1 ./...

# The tests on arm64 and ARMv7 under qemu-user (root, qemu-user-static).
cross-test:
	.ci/cross-test

# The long crash test: 100 SIGKILLs of a spool writer (make test runs 5).
crash:
	SPOOL_CRASH_ROUNDS=100 $(GO) test -count=1 -run '^TestCrashLosesNothingAcknowledged$$' -v ./spool/

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./pdu/

# Each fuzz target for FUZZTIME (go test runs one target at a time);
# .ci/fuzz tells a failing input from Go 1.26's end-of-time race.
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$pkg $$name ($(FUZZTIME))"; \
		.ci/fuzz $$pkg $$name $(FUZZTIME) $(GO); \
	done

# loggercheck (STYLE 11): slog's key-value pairs come in pairs, and keys
# are constant strings, so logs keep stable keys.
lint:
	$(GO) vet ./...
	$(GO) run github.com/timonwong/loggercheck/cmd/loggercheck@v0.10.1 -requirestringkey ./...
	@out=$$(gofmt -l . ); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# Where install puts the systemd unit, the udev rules and the sysusers.d
# entry: systemd and udev read none of them under PREFIX. The configuration
# goes to /etc/smsgw/smsgw.yaml (the unit reads it there) and the secrets'
# template to /etc/smsgw/smsgw.env, each only if absent.
# Without DESTDIR, install then runs systemd/postinstall.sh: the user smsgw,
# udev and systemd reloaded; it does not start the service.
UNITDIR      ?= /lib/systemd/system
UDEVRULESDIR ?= /lib/udev/rules.d
SYSUSERSDIR  ?= /usr/lib/sysusers.d

install: build
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/smsgw
	sed 's|^ExecStart=/usr/bin/smsgw |ExecStart=$(PREFIX)/bin/smsgw |' systemd/smsgw.service > $(BIN).service
	install -D -m 0644 $(BIN).service $(DESTDIR)$(UNITDIR)/smsgw.service
	install -D -m 0644 systemd/60-smsgw-modems.rules $(DESTDIR)$(UDEVRULESDIR)/60-smsgw-modems.rules
	install -D -m 0644 systemd/smsgw.sysusers $(DESTDIR)$(SYSUSERSDIR)/smsgw.conf
	@if [ -e $(DESTDIR)/etc/smsgw/smsgw.yaml ]; then \
		echo "kept $(DESTDIR)/etc/smsgw/smsgw.yaml"; \
	else \
		install -D -m 0640 configs/smsgw.example.yaml $(DESTDIR)/etc/smsgw/smsgw.yaml; \
	fi
	@if [ -e $(DESTDIR)/etc/smsgw/smsgw.env ]; then \
		echo "kept $(DESTDIR)/etc/smsgw/smsgw.env"; \
	else \
		install -D -m 0600 systemd/smsgw.env $(DESTDIR)/etc/smsgw/smsgw.env; \
	fi
	@if [ -z "$(DESTDIR)" ]; then sh systemd/postinstall.sh configure; fi

# The Debian package, bin/smsgw_<version>_<arch>.deb, as systemd/nfpm.yaml
# describes it. nfpm runs with go run and is not a dependency of the module.
# A version that is not a tag (v1.2.3) becomes 0.0.0+git<describe>.
DEB_ARCH    ?= $(shell $(GO) env GOARCH)
DEB_VERSION ?= $(shell echo '$(VERSION)' | sed -E -e '/^v?[0-9]+\./!s/^/0.0.0+git/' -e 's/^v//' -e 's/-/+/g')
# DEB_ARCH is amd64, arm64 or arm7 (armhf); the binary is built for it.
DEB_GOARCH   = $(if $(filter arm7,$(DEB_ARCH)),arm,$(DEB_ARCH))
deb:
	CGO_ENABLED=0 GOOS=linux GOARCH=$(DEB_GOARCH) GOARM=7 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/smsgw
	VERSION='$(DEB_VERSION)' DEB_ARCH='$(DEB_ARCH)' \
	$(GO) run github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.48.0 package --config systemd/nfpm.yaml --packager deb --target bin/

# The package installed and checked on a freshly booted Debian 12 under
# qemu (systemd/README.md): as root, with debootstrap and qemu-system-x86;
# make bootcheck DEB_ARCH=arm64 boots an arm64 VM instead (qemu-system-arm
# and qemu-user-static; arm7 boots armhf: 43 checks pass, as for arm64). The
# package is the newest bin/smsgw_*_<arch>.deb, of DEB_ARCH only.
bootcheck: deb
	ARCH='$(if $(filter arm7,$(DEB_ARCH)),armhf,$(DEB_ARCH))' \
	DEB=$$(ls -t bin/smsgw_*_$(if $(filter arm7,$(DEB_ARCH)),armhf,$(DEB_ARCH)).deb | head -1) \
	systemd/bootcheck/run.sh

# Release builds for the appliance targets.
cross:
	CGO_ENABLED=0 GOOS=linux GOARCH=amd64 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/smsgw-linux-amd64 ./cmd/smsgw
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/smsgw-linux-arm64 ./cmd/smsgw
	CGO_ENABLED=0 GOOS=linux GOARCH=arm GOARM=7 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/smsgw-linux-armv7 ./cmd/smsgw

clean:
	rm -rf bin
