# wabasim in a container: `docker build -t wabasim .` then
# `docker run --rm -p 8787:8787 wabasim` (docs/ci.md: as a CI service container).
#
# Stage 1 compiles the release binary; stage 2 is Debian slim with that binary alone, run as a
# user that is not root. The health check is the binary's own `wabasim health` (the slim
# image has no curl).
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin wabasim

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin wabasim
COPY --from=build /src/target/release/wabasim /usr/local/bin/wabasim
USER 10001
# Beyond the container's loopback, or the published port reaches nothing. Set
# WABASIM_ADMIN_TOKEN when the port is reachable by others (docs/control-api.md), and
# WABASIM_WEBHOOK_ALLOW to the receiver's host name for webhooks.
ENV WABASIM_LISTEN=0.0.0.0:8787
EXPOSE 8787
HEALTHCHECK --interval=5s --timeout=3s --start-period=2s --retries=3 CMD ["wabasim", "health"]
ENTRYPOINT ["wabasim"]
CMD ["serve"]
