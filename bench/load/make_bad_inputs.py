#!/usr/bin/env python3
"""Generate the bad-input suite for the load benchmark (bench/load/load.py).

    bench/load/make_bad_inputs.py OUT_DIR [--corpus DIR] [--quick]

Writes into OUT_DIR one file per bad input and OUT_DIR/manifest.json, which
names for every case (file + endpoint) the HTTP statuses the contract
(shared/spec/API.md) allows for it:

    {"cases": [{"name", "file", "endpoint", "accept": [status, ...],
                "prefer": status, "what": "..."}, ...], ...}

The inputs, and the answer a careful service gives (POST /v1/extract unless
the case says /v1/verify):

  zero-byte            empty body                                  400
  truncated-*          a dev sample cut in half (PDF, scan PDF, PNG) 422
                       (no xref/trailer, half the pages or image data
                       gone: a record from it would be silently partial)
  random-bytes         256 KiB of seeded random bytes              415
  wrong-type-zip       a ZIP archive holding a dev PDF             415
  wrong-type-text      plain UTF-8 text                            415
  encrypted-user-pw    qpdf --encrypt with a user password (AES-256) 422
  encrypted-owner-only owner password only, empty user password:
                       readable without a password                 200
  bomb-flate-pdf       one page whose content stream is FlateDecode
                       and inflates to 2 GiB of zeros (~2 MB file)  422
  bomb-png             PNG, IHDR 50000x50000 8-bit grey, IDAT inflating
                       to 2.5 GB of zeros (~2.4 MB file)           422
  bomb-image-xobject   one page drawing a 50000x50000 grey image
                       XObject whose Flate stream inflates to 2.5 GB 422
  pages-20000          a valid PDF with 20,000 pages (page limit)   422
  huge-dims-png/-tiff  header claims 100,000 x 100,000 pixels       422
  huge-dims-jpeg       a dev JPEG with SOF patched to 65,000 x 65,000 422
  deep-nesting         100,000 nested arrays in a page dictionary
                       entry: any contract answer, service stays up 200|422
  page-tree-loop       /Kids of an inner node points back to the root
                       Pages node                                  422
  page-tree-self-loop  the root Pages node lists itself in /Kids    422

and a few of the PDFs posted to /v1/verify as well (zero-byte 400, random
415, ZIP 415, encrypted 422; truncated, bomb, 20,000 pages, nesting and loops
200|422: verification need not decode content streams or walk the page tree).

--quick replaces the 2 GiB / 2.5 GB bombs by 256 MiB ones (faster to build;
for trying the scripts out). Only the Python standard library and, for the
encrypted cases, qpdf are used; without qpdf those cases are left out.
"""

import argparse
import hashlib
import io
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib

GIB = 1 << 30


# --- helpers -----------------------------------------------------------------

def deflate_zeros(total, chunk=16 << 20, level=9):
    """zlib stream of `total` zero bytes, compressed chunk by chunk."""
    c = zlib.compressobj(level)
    out = io.BytesIO()
    zeros = bytes(chunk)
    left = total
    while left > 0:
        n = min(chunk, left)
        out.write(c.compress(zeros if n == chunk else bytes(n)))
        left -= n
    out.write(c.flush())
    return out.getvalue()


def deflate_rows_of_zeros(rows, row_bytes, level=9):
    """zlib stream of `rows` PNG scanlines (filter byte 0 + row_bytes zeros):
    all zeros, so the same as rows * (row_bytes + 1) zero bytes."""
    return deflate_zeros(rows * (row_bytes + 1), level=level)


def write_pdf(objects, root=1, extra_trailer=b""):
    """A classic PDF (xref table) from {num: body bytes}; bodies that are
    (dict_bytes, stream_bytes) tuples become streams."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = out.tell()
        body = objects[num]
        out.write(b"%d 0 obj\n" % num)
        if isinstance(body, tuple):
            d, data = body
            out.write(d + b"\nstream\n")
            out.write(data)
            out.write(b"\nendstream")
        else:
            out.write(body)
        out.write(b"\nendobj\n")
    size = max(objects) + 1
    xref = out.tell()
    out.write(b"xref\n0 %d\n" % size)
    out.write(b"0000000000 65535 f \n")
    for num in range(1, size):
        if num in offsets:
            out.write(b"%010d 00000 n \n" % offsets[num])
        else:
            out.write(b"0000000000 65535 f \n")
    out.write(b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (size, root, extra_trailer, xref))
    return out.getvalue()


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def text_content(line):
    return b"BT /F1 12 Tf 72 720 Td (" + line + b") Tj ET"


def stream_dict(data, extra=b""):
    return b"<< /Length %d %s>>" % (len(data), extra)


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width, height, bit_depth, color_type, idat):
    out = b"\x89PNG\r\n\x1a\n"
    out += png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0))
    for i in range(0, len(idat), 1 << 20):
        out += png_chunk(b"IDAT", idat[i:i + (1 << 20)])
    out += png_chunk(b"IEND", b"")
    return out


# --- the inputs --------------------------------------------------------------

def make_truncated(src):
    data = open(src, "rb").read()
    return data[: len(data) // 2]


def make_xref_size_bomb(src):
    """src with its trailer /Size N made 2000000N: 200 million objects and more (Poppler sizes its tables from /Size)."""
    data = open(src, "rb").read()
    at = data.rfind(b"/Size ")
    if at < 0:
        raise ValueError("no /Size in %s" % src)
    return data[:at] + b"/Size 2000000" + data[at + len(b"/Size "):]


def make_random(seed=20250802, size=256 * 1024):
    rng = random.Random(seed)
    while True:
        data = rng.randbytes(size)
        head = data[:8]
        if not (head.startswith(b"%PDF") or head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8")
                or head.startswith(b"II*\x00") or head.startswith(b"MM\x00*") or b"%PDF" in data[:1024]):
            return data


def make_zip(src):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(src, os.path.basename(src))
        z.writestr("README.txt", "An agreement, zipped. The service must not unpack archives.\n")
    return out.getvalue()


def make_text():
    return ("Zielvereinbarung 2025\n\nzwischen dem Hessischen Ministerium und dem Landkreis.\n"
            "This is plain text, not a PDF, PNG, JPEG or TIFF.\n" * 50).encode("utf-8")


def make_flate_bomb_pdf(total):
    bomb = deflate_zeros(total)
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        4: (stream_dict(bomb, b"/Filter /FlateDecode "), bomb),
        5: FONT,
    }
    return write_pdf(objects)


def make_image_xobject_bomb_pdf(side):
    idat = deflate_zeros(side * side)
    content = b"q 540 0 0 720 36 36 cm /Im1 Do Q"
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /XObject << /Im1 5 0 R >> >> >>",
        4: (stream_dict(content), content),
        5: (stream_dict(idat, b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                              b"/BitsPerComponent 8 /Filter /FlateDecode " % (side, side)), idat),
    }
    return write_pdf(objects)


def make_png_bomb(side):
    return png(side, side, 8, 0, deflate_rows_of_zeros(side, side))


def make_many_pages(n, per_node=100):
    # Catalog 1, root Pages 2, font 3, shared contents 4; then the inner
    # nodes and the pages.
    content = text_content(b"Seite / page")
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 3: FONT, 4: (stream_dict(content), content)}
    nodes = (n + per_node - 1) // per_node
    next_num = 5
    node_nums = list(range(next_num, next_num + nodes))
    next_num += nodes
    left = n
    for node in node_nums:
        k = min(per_node, left)
        left -= k
        kids = list(range(next_num, next_num + k))
        next_num += k
        for p in kids:
            objects[p] = (b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                          b"/Resources << /Font << /F1 3 0 R >> >> >>" % node)
        objects[node] = b"<< /Type /Pages /Parent 2 0 R /Kids [%s] /Count %d >>" % (
            b" ".join(b"%d 0 R" % p for p in kids), k)
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % x for x in node_nums), n)
    return write_pdf(objects)


def make_huge_png(side):
    # 1-bit grey: the header alone claims side*side pixels; the IDAT holds
    # only 64 rows, so a decoder that trusts the header fails late.
    return png(side, side, 1, 0, deflate_rows_of_zeros(64, (side + 7) // 8))


def make_huge_tiff(side):
    # Little-endian baseline TIFF, 1-bit, uncompressed, one strip that holds
    # only 8 rows of the claimed side x side pixels.
    row = (side + 7) // 8
    strip = bytes(row * 8)
    entries = [
        (256, 4, 1, side),          # ImageWidth (LONG)
        (257, 4, 1, side),          # ImageLength
        (258, 3, 1, 1),             # BitsPerSample
        (259, 3, 1, 1),             # Compression: none
        (262, 3, 1, 0),             # Photometric: WhiteIsZero
        (273, 4, 1, 0),             # StripOffsets (patched below)
        (277, 3, 1, 1),             # SamplesPerPixel
        (278, 4, 1, side),          # RowsPerStrip
        (279, 4, 1, len(strip)),    # StripByteCounts
        (282, 5, 1, 0),             # XResolution (patched: offset of a RATIONAL)
        (283, 5, 1, 0),             # YResolution
        (296, 3, 1, 2),             # ResolutionUnit: inch
    ]
    ifd_off = 8
    ifd_len = 2 + 12 * len(entries) + 4
    rational_off = ifd_off + ifd_len
    strip_off = rational_off + 8
    out = io.BytesIO()
    out.write(b"II*\x00" + struct.pack("<I", ifd_off))
    out.write(struct.pack("<H", len(entries)))
    for tag, typ, count, value in entries:
        if tag == 273:
            value = strip_off
        if tag in (282, 283):
            value = rational_off
        if typ == 3:
            out.write(struct.pack("<HHIHH", tag, typ, count, value, 0))
        else:
            out.write(struct.pack("<HHII", tag, typ, count, value))
    out.write(struct.pack("<I", 0))
    out.write(struct.pack("<II", 300, 1))
    out.write(strip)
    return out.getvalue()


def make_huge_jpeg(src, side=65000):
    """A real JPEG with the frame header's height and width patched."""
    data = bytearray(open(src, "rb").read())
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            raise ValueError("unexpected JPEG layout in %s" % src)
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            struct.pack_into(">HH", data, i + 5, side, side)
            return bytes(data)
        i += 2 + length
    raise ValueError("no SOF marker in %s" % src)


def make_deep_nesting(depth):
    content = text_content(b"Deeply nested page dictionary")
    nested = b"[" * depth + b"]" * depth
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
           b"/Resources << /Font << /F1 5 0 R >> >> /PieceInfo " + nested + b" >>",
        4: (stream_dict(content), content),
        5: FONT,
    }
    return write_pdf(objects)


def make_page_tree_loop(self_loop):
    content = text_content(b"Page tree loop")
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        5: (stream_dict(content), content),
        6: FONT,
    }
    page = b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents 5 0 R /Resources << /Font << /F1 6 0 R >> >> >>"
    if self_loop:
        # The root lists itself as its own kid, before its one page.
        objects[2] = b"<< /Type /Pages /Kids [2 0 R 4 0 R] /Count 2 >>"
        objects[4] = page % 2
    else:
        # Root 2 -> inner node 3 -> [page 4, root 2]: a cycle through an ancestor.
        objects[2] = b"<< /Type /Pages /Kids [3 0 R] /Count 3 >>"
        objects[3] = b"<< /Type /Pages /Parent 2 0 R /Kids [4 0 R 2 0 R] /Count 3 >>"
        objects[4] = page % 3
    return write_pdf(objects)


def qpdf_encrypt(src, dst, user, owner):
    subprocess.run(["qpdf", "--encrypt", user, owner, "256", "--", src, dst], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


# --- main --------------------------------------------------------------------

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_corpus = os.path.normpath(os.path.join(here, "..", "..", "..", "shared", "corpus", "dev"))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--corpus", default=os.environ.get("PACTUM_DEV_CORPUS", default_corpus),
                    help="dev corpus folder (default: %(default)s)")
    ap.add_argument("--quick", action="store_true", help="256 MiB bombs instead of 2 GiB / 2.5 GB")
    args = ap.parse_args()

    corpus = args.corpus
    born = os.path.join(corpus, "seed-born-digital.pdf")
    scan = os.path.join(corpus, "a02-scan-200-bw.pdf")
    png_sample = os.path.join(corpus, "a04-png.png")
    jpeg_sample = os.path.join(corpus, "b03-jpeg.jpg")
    for f in (born, scan, png_sample, jpeg_sample):
        if not os.path.isfile(f):
            sys.exit("cannot read %s (set --corpus)" % f)
    os.makedirs(args.out_dir, exist_ok=True)

    pdf_bomb_bytes = (256 << 20) if args.quick else 2 * GIB
    png_bomb_side = 16384 if args.quick else 50000

    cases = []
    files = {}

    def add(name, filename, data, accept, what, endpoint="/v1/extract", verify_accept=None):
        path = os.path.join(args.out_dir, filename)
        if data is not None:
            with open(path, "wb") as fh:
                fh.write(data)
        files[filename] = path
        cases.append({"name": name, "file": filename, "endpoint": endpoint, "accept": accept,
                      "prefer": accept[0], "what": what})
        if verify_accept:
            cases.append({"name": name + "@verify", "file": filename, "endpoint": "/v1/verify",
                          "accept": verify_accept, "prefer": verify_accept[0], "what": what})
        print("  %-28s %9d bytes  %s" % (filename, os.path.getsize(path), what), file=sys.stderr)

    print("bad inputs into %s:" % args.out_dir, file=sys.stderr)
    add("zero-byte", "zero-byte.pdf", b"", [400], "empty body", verify_accept=[400])
    add("truncated-pdf", "truncated-born-digital.pdf", make_truncated(born), [422],
        "seed-born-digital.pdf cut in half (no xref, trailer or later pages)", verify_accept=[422, 200])
    add("truncated-scan", "truncated-scan.pdf", make_truncated(scan), [422],
        "a02-scan-200-bw.pdf cut in half")
    add("truncated-png", "truncated.png", make_truncated(png_sample), [422], "a04-png.png cut in half")
    add("random-bytes", "random.bin", make_random(), [415], "256 KiB of random bytes", verify_accept=[415])
    add("wrong-type-zip", "agreement.zip", make_zip(born), [415], "ZIP archive holding a PDF", verify_accept=[415])
    add("wrong-type-text", "agreement.txt", make_text(), [415], "plain text")
    if shutil.which("qpdf"):
        p = os.path.join(args.out_dir, "encrypted-user-password.pdf")
        qpdf_encrypt(born, p, "geheim", "owner-geheim")
        add("encrypted-user-pw", "encrypted-user-password.pdf", None, [422],
            "AES-256, user password 'geheim'", verify_accept=[422])
        p = os.path.join(args.out_dir, "encrypted-owner-only.pdf")
        qpdf_encrypt(born, p, "", "owner-geheim")
        add("encrypted-owner-only", "encrypted-owner-only.pdf", None, [200],
            "AES-256, owner password only (opens without a password)")
    else:
        print("  qpdf not found: encrypted cases left out", file=sys.stderr)
    add("bomb-flate-pdf", "bomb-flate.pdf", make_flate_bomb_pdf(pdf_bomb_bytes), [422],
        "content stream inflates to %d MiB of zeros" % (pdf_bomb_bytes >> 20), verify_accept=[200, 422])
    add("bomb-png", "bomb.png", make_png_bomb(png_bomb_side), [422],
        "PNG %dx%d, IDAT inflates to %d MiB of zeros" % (png_bomb_side, png_bomb_side,
                                                        (png_bomb_side * (png_bomb_side + 1)) >> 20))
    add("bomb-image-xobject", "bomb-image-xobject.pdf", make_image_xobject_bomb_pdf(png_bomb_side), [422],
        "page draws a %dx%d grey image whose stream inflates to %d MiB" % (png_bomb_side, png_bomb_side,
                                                                         (png_bomb_side * png_bomb_side) >> 20))
    add("pages-20000", "pages-20000.pdf", make_many_pages(20000), [422],
        "20,000 pages (over the page limit)", verify_accept=[200, 422])
    add("xref-size-bomb", "xref-size-bomb.pdf", make_xref_size_bomb(born), [422],
        "seed-born-digital.pdf whose trailer declares 200 million objects", verify_accept=[422])
    add("huge-dims-png", "huge-dims.png", make_huge_png(100000), [422], "PNG header claims 100000x100000")
    add("huge-dims-tiff", "huge-dims.tif", make_huge_tiff(100000), [422], "TIFF header claims 100000x100000")
    add("huge-dims-jpeg", "huge-dims.jpg", make_huge_jpeg(jpeg_sample), [422],
        "b03-jpeg.jpg with SOF patched to 65000x65000")
    add("deep-nesting", "deep-nesting.pdf", make_deep_nesting(100000), [422, 200],
        "100,000 nested arrays in a page dictionary entry", verify_accept=[200, 422])
    add("page-tree-loop", "page-tree-loop.pdf", make_page_tree_loop(False), [422],
        "inner Pages node lists the root Pages node in /Kids", verify_accept=[200, 422])
    add("page-tree-self-loop", "page-tree-self-loop.pdf", make_page_tree_loop(True), [422],
        "root Pages node lists itself in /Kids", verify_accept=[200, 422])

    for c in cases:
        data = open(files[c["file"]], "rb").read()
        c["bytes"] = len(data)
        c["sha256"] = hashlib.sha256(data).hexdigest()
    manifest = {
        "what": "pactum bad-input suite: POST each file to its endpoint; the status must be one of accept",
        "generator": "bench/load/make_bad_inputs.py",
        "contract": "shared/spec/API.md",
        "quick": args.quick,
        "error_codes": {"400": "bad_request", "401": "unauthorized", "404": "not_found",
                        "413": "too_large", "415": "unsupported_media_type", "422": "unprocessable",
                        "429": "overloaded", "503": "overloaded", "504": "timeout", "500": "internal"},
        "cases": cases,
    }
    with open(os.path.join(args.out_dir, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=2)
        fh.write("\n")
    print("%d cases in %s" % (len(cases), os.path.join(args.out_dir, "manifest.json")), file=sys.stderr)


if __name__ == "__main__":
    main()
