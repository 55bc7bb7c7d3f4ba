# mlguard container image: `docker build -t mlguard .` from the repository root.
#
# Two stages: the official Rust image compiles the release binary (AWS SDK included); the
# runtime is Google's distroless `cc` image (glibc, libgcc, CA certificates, a `nonroot`
# user, and no shell or package manager), so the image holds mlguard and nothing to run
# beside it. `mlguard` is the entrypoint: `docker run IMAGE scan ...`, `IMAGE org scan ...`.
#
# Both base images are pinned by their multi-architecture index digest, so a rebuild uses the
# same bytes until someone moves the pin on purpose. Where the digests come from, and how to
# refresh them (docs/deploy.md#the-container-image says the same):
# - rust:1.95-slim-bookworm  the digest Docker Hub served for that tag, as pinned in several
#   public Dockerfiles in Nov 2026;
# - gcr.io/distroless/cc-debian12:nonroot  the digest of that tag, as pinned in many public
#   Dockerfiles in Nov 2026.
# Refresh: `docker buildx imagetools inspect rust:1.95-slim-bookworm` (and the distroless
# tag) prints the current index digest; paste it below, rebuild, and run
# scripts/validate-deploy.sh. Keep the builder on Debian 12 (bookworm) while the runtime is
# distroless debian12, so the binary links against the glibc it runs with.
ARG RUST_IMAGE=rust:1.95-slim-bookworm@sha256:d7482085ff5b415f84dba5647ae71606650bdef00db7aeb69f4b3d170c3e4082
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot@sha256:bd2899c12b335c827750ccf2359879eab09c09b206023dcebea408947d54127c

FROM ${RUST_IMAGE} AS build
WORKDIR /src
# .dockerignore keeps target/, .git and local tool directories out of the context.
COPY . .
# --locked: exactly the committed Cargo.lock. The release profile is the one users get from
# `cargo install` (thin LTO, no debuginfo).
RUN cargo build --locked --release --bin mlguard \
    && cp target/release/mlguard /usr/local/bin/mlguard \
    && mkdir -p /out/share/mlguard \
    && cp fixtures/lab-insecure.json fixtures/lab-hardened.json /out/share/mlguard/

FROM ${RUNTIME_IMAGE} AS runtime
LABEL org.opencontainers.image.title="mlguard" \
      org.opencontainers.image.description="Audit and harden the AWS infrastructure machine-learning workloads run on" \
      org.opencontainers.image.source="https://github.com/mlguard/mlguard" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build /usr/local/bin/mlguard /usr/local/bin/mlguard
# The bundled lab snapshots, for a first run without AWS:
#   docker run --rm mlguard audit /usr/share/mlguard/lab-insecure.json
COPY --from=build /out/share/mlguard/ /usr/share/mlguard/
# Reports are written relative to the working directory: mount a host directory here.
WORKDIR /work
# distroless' nonroot user (65532); never root.
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/mlguard"]
CMD ["--help"]
