# syntax=docker/dockerfile:1
# ebpack as a container image: a static musl binary on distroless/static.
#
#   docker build -t ebpack .
#   docker run --rm -u "$(id -u):$(id -g)" -v "$PWD:/work" ebpack build
#
# Stages:
#   build  compiles the static binary (Alpine's Rust targets musl; static by default)
#   bin    only the binary, for `docker build --target bin --output type=local,dest=out .`
#          (the release workflow's Linux archives come from here)
#   (last) the image: the binary, CA certificates, a non-root user
#
# Why not `FROM scratch`: the AWS SDK verifies TLS with rustls against the
# system's root certificates (rustls-native-certs); distroless/static ships
# them in /etc/ssl/certs, plus /etc/passwd with the `nonroot` user (65532).

FROM rust:1.95-alpine AS build
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin ebpack \
    && cp target/release/ebpack /usr/local/bin/ebpack

FROM scratch AS bin
COPY --from=build /usr/local/bin/ebpack /ebpack

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /usr/local/bin/ebpack /usr/local/bin/ebpack
ENV PATH=/usr/local/bin
USER 65532:65532
WORKDIR /work
ENTRYPOINT ["ebpack"]
CMD ["--help"]
