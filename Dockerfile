# Build stage: the full Swift toolchain; only the binary leaves it.
FROM swift:6.3-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libssl-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
# Resolve dependencies in their own layer so code changes do not fetch them again.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product mailer \
    && cp "$(swift build -c release --show-bin-path)/mailer" /build/mailer \
    && strip /build/mailer

# Runtime stage: Debian slim with CA certificates (to verify SMTP servers) and nothing else.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 mailer \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /app --shell /usr/sbin/nologin mailer
WORKDIR /app
COPY --from=build /build/mailer /usr/local/bin/mailer
COPY templates ./templates
# The outbox (SQLite): owned by the mailer's user, so a named volume mounted here inherits it.
RUN mkdir -p /app/data && chown 10001:10001 /app/data
# Numeric, so that orchestrators can check it is not root (Kubernetes runAsNonRoot).
USER 10001:10001
ENV MAILER_PORT=8080 \
    MAILER_TEMPLATES_DIR=/app/templates \
    MAILER_DATA_DIR=/app/data
VOLUME /app/data
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/mailer"]
CMD ["serve"]
