# Build stage: the full Swift toolchain; only the binary, the C libraries it links and the CA
# certificates leave it.
FROM swift:6.3-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
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

# The runtime's whole file system, assembled here because the runtime image has no shell: the
# binary, exactly the shared libraries `ldd` says it loads (glibc, libstdc++; the Swift runtime
# and Foundation are linked in), the CA bundle NIOSSL verifies SMTP servers with, and a passwd
# entry so the numeric user has a name in `ps` and logs.
RUN set -eu; \
    root=/rootfs; \
    mkdir -p $root/usr/local/bin $root/etc/ssl/certs $root/app/data $root/tmp; \
    cp /build/mailer $root/usr/local/bin/mailer; \
    for lib in $(ldd /build/mailer | grep -o '/[^ ]*'); do cp --parents -L "$lib" $root/; done; \
    cp /etc/ssl/certs/ca-certificates.crt $root/etc/ssl/certs/; \
    echo 'mailer:x:10001:10001:mailer:/app:/nonexistent' > $root/etc/passwd; \
    echo 'mailer:x:10001:' > $root/etc/group; \
    # Without it glibc asks DNS before /etc/hosts, and names only there (extra_hosts,
    # host.docker.internal, Kubernetes hostAliases) would not resolve.
    echo 'hosts: files dns' > $root/etc/nsswitch.conf; \
    chmod 1777 $root/tmp; \
    chown 10001:10001 $root/app/data; \
    chroot $root /usr/local/bin/mailer --help > /dev/null

# Runtime: nothing but the above (no shell, no package manager), about the size of the binary.
# The root file system can be mounted read-only: the service writes only to MAILER_DATA_DIR.
FROM scratch
COPY --from=build /rootfs/ /
COPY --from=build --chown=10001:10001 /rootfs/app/data /app/data
COPY templates /app/templates
# Numeric, so that orchestrators can check it is not root (Kubernetes runAsNonRoot).
USER 10001:10001
WORKDIR /app
ENV MAILER_PORT=8080 \
    MAILER_TEMPLATES_DIR=/app/templates \
    MAILER_DATA_DIR=/app/data
VOLUME /app/data
EXPOSE 8080
STOPSIGNAL SIGTERM
# The binary probes itself (GET /healthz on MAILER_PORT): no shell or curl needed in the image.
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 CMD ["/usr/local/bin/mailer", "healthcheck"]
ARG VERSION=dev
LABEL org.opencontainers.image.title="mailer" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.description="Transactional-mail microservice: verification, password-reset and invitation emails over HTTP, delivered through any SMTP server with a durable outbox" \
      org.opencontainers.image.base.name="scratch"
ENTRYPOINT ["/usr/local/bin/mailer"]
CMD ["serve"]
