# Fickan: the two commands of the quick start (see README.md).
#   make up     set up everything, start the whole platform, print where to open it
#   make test   set up everything and run the whole test suite (lint included)
#   make down   stop exactly what `make up` started
#   make images build every component's image with the one Dockerfile (needs a running Docker engine)

PY := .venv/bin/python

.PHONY: up down test setup status contracts bench images

setup:
	bash scripts/setup.sh

contracts:
	$(PY) scripts/gen_contracts.py

up: setup
	$(PY) scripts/fickanctl.py up

down:
	@if [ -x $(PY) ]; then $(PY) scripts/fickanctl.py down; else echo "nothing to stop"; fi

status:
	$(PY) scripts/fickanctl.py status

test: setup
	bash scripts/ensure_test_services.sh
	bash scripts/run_tests.sh

bench: setup
	$(PY) bench/slice_load.py --database sqlite postgresql --concurrency 16 64

# One image per component, fickan/<component>:$(TAG), from the one Dockerfile.
TAG ?= dev
images:
	@docker info >/dev/null 2>&1 || { echo "make images: no Docker engine answers here (docker info failed); tests/images checks every image's file list offline instead." >&2; exit 1; }
	@for c in $$(python3 scripts/components.py names); do \
	  echo "== fickan/$$c:$(TAG)"; \
	  docker build --build-arg COMPONENT=$$c -t fickan/$$c:$(TAG) . || exit 1; \
	done
