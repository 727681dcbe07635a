#!/usr/bin/env python3
"""gen.py: a deterministic mixed dataset for bench/backup (same seed, same bytes).

usage: gen.py DIR [SIZE_MIB]      create the dataset (default 1100 MiB)
       gen.py --change DIR        change about 1 % of it (deterministically)

Mix by bytes: ~40 % incompressible (media, archives), ~35 % compressible text (documents, CSV,
logs), ~10 % many small files, ~10 % duplicates of other files, ~5 % a disk image with zero
runs. Names include Vietnamese in NFC.
"""
import os
import random
import sys

WORDS = ("công văn báo cáo an toàn thông tin sao lưu phục hồi hệ thống mạng máy chủ quyết định "
         "sở ban ngành tỉnh Thái Nguyên 2026 incident backup restore audit log user login").split()


def text_block(rng, n):
    out = []
    size = 0
    while size < n:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14)))
        line += f" {rng.randint(0, 10**9)};{rng.random():.6f}\n"
        out.append(line)
        size += len(line.encode())
    return "".join(out).encode()[:n]


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def create(root, total_mib):
    rng = random.Random(20261124)
    total = total_mib << 20
    made = []
    used = 0
    # incompressible media
    i = 0
    while used < total * 0.40:
        n = rng.randint(1 << 20, 48 << 20)
        p = f"{root}/media/video-{i:03d}.bin"
        write(p, rng.randbytes(n))
        made.append(p)
        used += n
        i += 1
    # compressible documents and logs
    i = 0
    while used < total * 0.75:
        n = rng.randint(64 << 10, 16 << 20)
        p = f"{root}/tài liệu/năm-{2020 + i % 7}/báo-cáo-{i:04d}.csv"
        write(p, text_block(rng, n))
        made.append(p)
        used += n
        i += 1
    # many small files
    i = 0
    while used < total * 0.85:
        n = rng.randint(0, 64 << 10)
        p = f"{root}/small/d{i % 50:02d}/f{i:05d}.{'txt' if i % 2 else 'bin'}"
        write(p, text_block(rng, n) if i % 2 else rng.randbytes(n))
        used += n
        i += 1
    # duplicates
    i = 0
    while used < total * 0.95:
        src = made[rng.randrange(len(made))]
        with open(src, "rb") as f:
            data = f.read()
        write(f"{root}/copies/copy-{i:03d}-{os.path.basename(src)}", data)
        used += len(data)
        i += 1
    # disk image: data islands in zero runs
    n = max(total - used, 1 << 20)
    img = bytearray(n)
    for _ in range(32):
        off = rng.randrange(n)
        ln = min(rng.randint(4096, 1 << 20), n - off)
        img[off:off + ln] = rng.randbytes(ln)
    write(f"{root}/vm/disk.img", bytes(img))


def change(root):
    """Rewrite ~1 % of the bytes: a few files replaced, a log appended, a document edited."""
    rng = random.Random(7)
    files = []
    for d, _, names in os.walk(root):
        for name in names:
            p = os.path.join(d, name)
            files.append((p, os.path.getsize(p)))
    files.sort()
    total = sum(s for _, s in files)
    budget = total // 100
    while budget > 0:
        p, s = files[rng.randrange(len(files))]
        if s == 0 or s > budget * 2:
            continue
        with open(p, "r+b") as f:
            off = rng.randrange(max(1, s - 4096))
            n = min(s - off, max(4096, budget // 4))
            f.seek(off)
            f.write(rng.randbytes(n))
        budget -= n


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--change":
        change(sys.argv[2])
    elif len(sys.argv) >= 2:
        create(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1100)
    else:
        sys.exit(__doc__)
