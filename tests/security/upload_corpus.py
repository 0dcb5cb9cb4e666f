"""A corpus of malformed uploads, generated (issue 15): wrong types behind the
right extension, polyglots, SVG with script, pixel and zip bombs, truncated
files, huge CSVs, CP932/UTF-8 mix-ups, UTF-16, NUL bytes. Deterministic (a
seeded generator), no valid row anywhere."""

from __future__ import annotations

import gzip
import io
import random
import struct
import zipfile
import zlib

HEADER = "ユーザID,姓,名,姓カナ,名カナ,所属,権限,サービス利用電話番号,通知先メールアドレス,代表組織"


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("users.csv", b"0" * 5_000_000)
    return out.getvalue()


def _bases(rng: random.Random) -> list[tuple[str, bytes]]:
    noise = bytes(rng.randrange(256) for _ in range(rng.randrange(16, 400)))
    row_bad = (
        f"user{rng.randrange(10**6)}@x,{'山' * rng.randrange(11, 40)},太郎,ヤマダ,タロウ,,神,,,"
    )
    return [
        ("png", _png(rng.randrange(1, 50), rng.randrange(1, 50)) + noise),
        ("pixel-bomb", _png(100_000, 100_000)),
        ("jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + noise),
        ("gif", b"GIF89a" + noise),
        ("pdf", b"%PDF-1.7\n" + noise + b"\n%%EOF"),
        ("zip", b"PK\x03\x04" + noise),
        ("zip-bomb", _zip_bomb()),
        ("gzip", gzip.compress(HEADER.encode() + b"\n" + noise)),
        ("exe", b"MZ\x90\x00" + noise),
        ("elf", b"\x7fELF\x02\x01\x01" + noise),
        ("html", b"<html><script>alert(1)</script></html>" + noise),
        (
            "svg-script",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>',
        ),
        ("gifar", b"GIF89a" + noise + b"PK\x03\x04" + noise),
        ("pdf-csv-polyglot", b"%PDF-1.4\n" + HEADER.encode() + b"\n" + noise),
        ("csv-html-polyglot", (HEADER + "\n<script>alert(1)</script>,,,,,,,,,\n").encode()),
        ("truncated-header", HEADER.encode()[: rng.randrange(1, len(HEADER.encode()) - 1)]),
        ("truncated-multibyte", (HEADER + "\n" + row_bad).encode()[:-1] + "山".encode()[:2]),
        ("utf16-le", ("\ufeff" + HEADER + "\n" + row_bad).encode("utf-16-le")),
        ("utf16-be", ("\ufeff" + HEADER + "\n" + row_bad).encode("utf-16-be")),
        ("utf32", (HEADER + "\n").encode("utf-32")),
        ("cp932-utf8-mix", HEADER.encode("utf-8") + b"\n" + row_bad.encode("cp932", "replace")),
        (
            "utf8-cp932-mix",
            HEADER.encode("cp932") + b"\n" + "山田,太郎".encode() + b"\xff\xfe",
        ),
        ("nul-in-header", HEADER.encode().replace(b",", b"\0,", 1) + b"\n" + row_bad.encode()),
        ("nul-in-row", (HEADER + "\n").encode() + row_bad.encode().replace(b"@", b"\0@")),
        ("nul-only", b"\0" * rng.randrange(1, 5000)),
        ("bad-row", (HEADER + "\n" + row_bad + "\n").encode()),
        ("wrong-header", ("a,b,c\n" + row_bad).encode()),
        ("extra-columns", (HEADER + ",余分\n" + row_bad + ",x\n").encode()),
        (
            "huge-field",
            (HEADER + "\n" + "x" * rng.randrange(100_000, 600_000) + "@x,,,,,,,,,\n").encode(),
        ),
        ("unbalanced-quote", (HEADER + '\n"' + row_bad + "\n").encode()),
        ("random-bytes", noise),
    ]


def corpus(size: int = 310, seed: int = 15) -> list[tuple[str, str, bytes]]:
    """(kind, filename, content) — at least ``size`` files, all named .csv."""
    rng = random.Random(seed)
    out: list[tuple[str, str, bytes]] = []
    zip_bomb = None
    while len(out) < size:
        for kind, content in _bases(rng):
            if kind == "zip-bomb":  # one is enough to build, reuse it
                zip_bomb = zip_bomb or content
                content = zip_bomb
            out.append((kind, f"{kind}-{len(out)}.csv", content))
    # Huge: many rows, all invalid (over the synchronous limit: a task).
    many = HEADER + "\n" + "".join(f"bad{i},,,,,,,,,\n" for i in range(30_000))
    out.append(("huge-csv", "huge.csv", many.encode()))
    out.append(("too-big", "too-big.csv", b"x" * (20 * 1024 * 1024 + 1)))
    out.append(("wrong-extension", "users.csv.exe", (HEADER + "\n").encode()))
    return out
