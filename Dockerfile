# pactum: a build stage and a slim runtime stage, Debian 12 (bookworm), non-root.
#
#   docker build -t pactum .
#   docker run --rm -p 127.0.0.1:8080:8080 -v pactum-data:/var/lib/pactum pactum
#
# Reachable from an untrusted network, run it behind the reverse proxy of
# deploy/ (deploy/compose.yaml, deploy/README.md): pactum alone cannot bound
# slow clients or the total size of request headers.
#
# Both stages start from the same dated Debian 12 image, so a rebuild starts
# from the system that was tested. To update: take the newest
# bookworm-YYYYMMDD tag (and its -slim twin, published the same day) from
# https://hub.docker.com/_/debian/tags?name=bookworm-20 , set DEBIAN_DATE,
# build, and run the tests against the image. (For bit-for-bit pinning, add
# each tag's @sha256 digest.) apt-get still installs the current bookworm
# packages, security updates included.
ARG DEBIAN_DATE=20260824

FROM debian:bookworm-${DEBIAN_DATE} AS build
# The subset of scripts/packages.txt needed to build pactum with tests and
# benchmarks off: compiler, CMake, pkg-config and the -dev packages of the
# libraries it links. Not the test and benchmark tools of that list
# (GoogleTest, the PostgreSQL server, poppler-utils, qpdf, Tesseract's
# language data, NSS and PoDoFo tools, wrk, hyperfine, bc, git, curl, python3,
# node, nginx). A check below fails the build if one of these is no longer
# in scripts/packages.txt.
ARG BUILD_PACKAGES="build-essential cmake pkg-config \
    libpoppler-cpp-dev libqpdf-dev libtesseract-dev libleptonica-dev \
    libcpp-httplib-dev zlib1g-dev libpng-dev libssl-dev nlohmann-json3-dev libcli11-dev libspdlog-dev prometheus-cpp-dev \
    libsqlite3-dev libpq-dev libutf8proc-dev libpcre2-dev libdlib-dev"
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${BUILD_PACKAGES} \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN for p in ${BUILD_PACKAGES}; do \
      grep -qx "$p" scripts/packages.txt || { echo "Dockerfile: $p is not in scripts/packages.txt" >&2; exit 1; }; \
    done \
 && cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DPACTUM_BUILD_TESTS=OFF -DPACTUM_BUILD_BENCH=OFF \
 && cmake --build /build -j"$(nproc)"

FROM debian:bookworm-${DEBIAN_DATE}-slim
# Runtime only: the shared libraries that pactum and its OCR module link
# (objdump -p build/pactum build/libpactum_ocr.so | grep NEEDED, each mapped
# to its package with dpkg -S), Tesseract's language data (deu, eng and osd,
# read from /usr/share/tesseract-ocr/5/tessdata), the sRGB ICC profile of the
# searchable PDF/A output (icc-profiles-free) and CA certificates (for a
# --tsa-url over https).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpoppler-cpp0v5 libqpdf29 libtesseract5 liblept5 libpng16-16 tesseract-ocr-deu tesseract-ocr-eng tesseract-ocr-osd \
      libcpp-httplib0.11 libssl3 libspdlog1.10 libfmt9 libprometheus-cpp-core1.0 \
      libsqlite3-0 libpq5 libutf8proc2 libpcre2-8-0 icc-profiles-free ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --user-group --create-home --home-dir /var/lib/pactum --shell /usr/sbin/nologin pactum
COPY --from=build /build/pactum /usr/local/bin/pactum
# The modules the binary loads (found at <bin>/../lib/pactum/): the document
# commands and workers, the HTTP service, and OCR (on first OCR).
COPY --from=build /build/libpactum_documents.so /build/libpactum_serve.so /build/libpactum_ocr.so /usr/local/lib/pactum/
USER pactum
WORKDIR /var/lib/pactum
# The archive's SQLite file lives in the volume (or set PACTUM_STORE=postgresql://...).
VOLUME /var/lib/pactum
# One Tesseract thread per engine: pactum runs one engine per worker itself.
ENV PACTUM_HOST=0.0.0.0 PACTUM_PORT=8080 PACTUM_STORE=sqlite:/var/lib/pactum/pactum.db OMP_THREAD_LIMIT=1
EXPOSE 8080
# `pactum health --url`: exit 0 when the URL answers 200 within 2 s, else 1.
# Liveness (/healthz), not readiness: /readyz is 503 while every worker is
# busy and the queue is full, which is load, not a fault to restart for.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD /usr/local/bin/pactum health --url "http://127.0.0.1:${PACTUM_PORT}/healthz"
ENTRYPOINT ["/usr/local/bin/pactum"]
CMD ["serve"]
