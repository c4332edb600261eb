# syntax=docker/dockerfile:1
# The image of every Fickan component, from this one file. The build context is the repository root:
#
#   docker build --build-arg COMPONENT=contact -t fickan/contact:dev .
#   make images                                   # every component, tagged fickan/<component>:dev
#
# COMPONENT is one of scripts/components.py's names: identity, applications, notifications, contact,
# insights (one image, three processes: api, worker, migrate), bff-web, bff-mobile, bff-watch.
#
# Two stages. `build` generates the contracts from proto/ and installs the component's projects (its
# own folder, libs/common, libs/contracts, and libs/bff for a BFF) as ordinary, non-editable packages
# into /opt/venv. The final stage takes only /opt/venv and /app (nameko's config.yaml for a service,
# and the default command): no other component's code, no sources, no tests, no build tools.
# tests/images/test_image_contents.py checks that file list offline from these lines and .dockerignore.
#
# No secret is baked in: databases, the broker and keys come from the environment at run time.

# An exact release of the base image (pin a digest too once your registry mirrors it:
# python:3.11.11-slim-bookworm@sha256:<digest>).
ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ARG COMPONENT
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
RUN test -n "$COMPONENT" || { echo "give --build-arg COMPONENT=<name> (python scripts/components.py names)" >&2; exit 1; }
RUN python -m venv /opt/tools && /opt/tools/bin/pip install "grpcio-tools>=1.60"
COPY proto/ proto/
COPY scripts/gen_contracts.py scripts/components.py scripts/
COPY libs/ libs/
RUN /opt/tools/bin/python scripts/gen_contracts.py
COPY services/ services/
COPY bff/ bff/
RUN python scripts/components.py projects "$COMPONENT" >/tmp/projects \
    && python -m venv /opt/venv \
    && /opt/venv/bin/pip install $(sed -E 's#(^| )#\1./#g' /tmp/projects) \
    && /opt/venv/bin/pip uninstall -y -q pip \
    && mkdir -p /app \
    && config=$(python scripts/components.py config "$COMPONENT") \
    && if [ -n "$config" ]; then cp "$config" /app/; fi \
    && python scripts/components.py start "$COMPONENT" >/app/start \
    && chmod 0755 /app/start

FROM ${PYTHON_IMAGE}
ARG COMPONENT
LABEL org.opencontainers.image.title="fickan/${COMPONENT}"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    FICKAN_COMPONENT=${COMPONENT}
# A fixed numeric uid/gid, so Kubernetes can check runAsNonRoot without a name lookup.
RUN groupadd --system --gid 10001 fickan \
    && useradd --system --uid 10001 --gid 10001 --home-dir /tmp --no-create-home --shell /usr/sbin/nologin fickan
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
USER 10001:10001
CMD ["/app/start"]
