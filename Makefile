# cardbot — the two commands a new owner needs are `make run` and `make test`.
GO      ?= go
CONFIG  ?= config.yaml

.PHONY: run test build check-config apikey bench fuzz vet

run: ## serve on the embedded default: ./data/cardbot.db, http://127.0.0.1:8080
	$(GO) run ./cmd/cardbot serve -config $(CONFIG)

test: ## every test, with the race detector
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 15m ./...

build:
	$(GO) build -o bin/cardbot ./cmd/cardbot

check-config:
	$(GO) run ./cmd/cardbot check-config -config $(CONFIG)

apikey: ## make apikey NAME=till-1
	$(GO) run ./cmd/cardbot apikey create $(NAME) -config $(CONFIG)

bench: ## the figures in BENCHMARKS.md
	$(GO) test -run '^$$' -bench . -benchtime 2s ./...

fuzz: ## a short run of every fuzz target
	$(GO) test -run '^$$' -fuzz FuzzParse$$ -fuzztime 30s ./cmd/cardbot/configfile
	$(GO) test -run '^$$' -fuzz FuzzNormalizePhone -fuzztime 30s ./wallet
	$(GO) test -run '^$$' -fuzz FuzzParseBirthday -fuzztime 30s ./flows
	$(GO) test -run '^$$' -fuzz FuzzParseStaffCommand -fuzztime 30s ./flows
	$(GO) test -run '^$$' -fuzz FuzzWebhookBody -fuzztime 30s ./bot/telegram
	$(GO) test -run '^$$' -fuzz FuzzCheckTemplates -fuzztime 30s ./bot/sms
	$(GO) test -run '^$$' -fuzz FuzzLookup -fuzztime 30s ./bot/sms
	$(GO) test -run '^$$' -fuzz FuzzUnsubscribeToken -fuzztime 30s .
	$(GO) test -run '^$$' -fuzz FuzzSearchText -fuzztime 30s ./store
	$(GO) test -run '^$$' -fuzz FuzzDeflateRows -fuzztime 30s ./wallet/cardimage
