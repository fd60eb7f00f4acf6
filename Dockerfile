# Build stage: compiles Lisa with the committed offline query data (no database needed).
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
ENV SQLX_OFFLINE=true
RUN cargo build --release --bin lisa

# Runtime stage: the binary only (templates and static files are compiled in).
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --no-create-home lisa
COPY --from=build /src/target/release/lisa /usr/local/bin/lisa
USER lisa
ENV LISA_ADDR=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK CMD ["/bin/sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3"]
CMD ["lisa", "serve"]
