# newscorpus container image.
#
#   docker build -t newscorpus .
#   docker run --rm -p 50051:50051 newscorpus
#
# Build stage: no system protoc is needed (build.rs compiles proto/ with protox).
# Cargo's registry, git checkouts and target/ live in BuildKit cache mounts, so
# a rebuild after a source change only recompiles this crate.
FROM rust:1-bookworm AS builder
WORKDIR /build
COPY Cargo.toml Cargo.lock build.rs ./
COPY proto ./proto
# Word lists and gazetteers compiled into the binary with include_str!.
COPY data ./data
COPY migrations ./migrations
COPY src ./src
# The corpus explorer's committed bundle, compiled in with include_bytes!.
COPY ui/dist ./ui/dist
# Cargo reads every target the manifest declares, even when building one binary.
COPY benches ./benches
COPY tools ./tools
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,target=/build/target \
    cargo build --release --locked --bin newscorpus \
    && install -D -m 0755 target/release/newscorpus /out/newscorpus

# Runtime stage: the binary, the seed corpus and an unprivileged user.
FROM debian:bookworm-slim
RUN groupadd --system --gid 10001 newscorpus \
    && useradd --system --uid 10001 --gid newscorpus --home-dir /srv/newscorpus \
       --no-create-home --shell /usr/sbin/nologin newscorpus
COPY --from=builder /out/newscorpus /usr/local/bin/newscorpus
COPY --chown=root:root seeds /srv/newscorpus/seeds
# Data folder for --data-dir (NEWSCORPUS_DATA_DIR=/data); a volume mounted
# here starts out owned by the service user.
RUN install -d -o newscorpus -g newscorpus -m 0750 /data
WORKDIR /srv/newscorpus
USER newscorpus:newscorpus
# Mount another corpus folder and point NEWSCORPUS_CORPUS at it to serve your own articles.
ENV NEWSCORPUS_CORPUS=/srv/newscorpus/seeds \
    NEWSCORPUS_ADDR=0.0.0.0:50051 \
    NEWSCORPUS_LOG_FORMAT=text \
    RUST_LOG=info
EXPOSE 50051
# SIGTERM (Docker's default stop signal) drains open streams, then exits 0.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
    CMD ["newscorpus", "healthcheck", "--addr", "127.0.0.1:50051"]
ENTRYPOINT ["newscorpus"]
CMD ["serve"]
