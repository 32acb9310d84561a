# pactum: build stage and a slim runtime stage, Debian 12, non-root.
FROM debian:12 AS build
COPY scripts/packages.txt /tmp/packages.txt
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(grep -v '^\s*#' /tmp/packages.txt) \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DPACTUM_BUILD_TESTS=OFF \
 && cmake --build /build -j"$(nproc)"

FROM debian:12-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpoppler-cpp0v5 libtesseract5 liblept5 tesseract-ocr-deu tesseract-ocr-eng tesseract-ocr-osd \
      libutf8proc2 libpcre2-8-0 libssl3 libsqlite3-0 libpq5 libspdlog1.10 libfmt9 libqpdf29 libcpp-httplib0.11 \
      libprometheus-cpp-core1.0 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /var/lib/pactum pactum
COPY --from=build /build/pactum /usr/local/bin/pactum
# The OCR module, loaded on first OCR (found at <bin>/../lib/pactum/).
COPY --from=build /build/libpactum_ocr.so /usr/local/lib/pactum/libpactum_ocr.so
USER pactum
WORKDIR /var/lib/pactum
# The archive's SQLite file lives in the volume (or set PACTUM_STORE=postgresql://...).
VOLUME /var/lib/pactum
ENV PACTUM_HOST=0.0.0.0 PACTUM_PORT=8080 PACTUM_STORE=sqlite:/var/lib/pactum/pactum.db OMP_THREAD_LIMIT=1
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/pactum"]
CMD ["serve"]
