#!/bin/sh
# test_cli.sh: the script contract of `attt backup` (docs/backup.md) through the real binary
# ($ATTT_BIN): init, save, snapshots --json, restore latest, check [--read-data]; the passphrase
# only from --passphrase-file or ATTT_BACKUP_PASSPHRASE; exit 0 only on success, 1 on failure and
# on damage (check names the damaged file), 2 on usage errors. R10.1.a. A save to a repository on
# the device it protects is warned about, naming R10.2.c (plans refuse it).
set -u
BIN=${ATTT_BIN:?ATTT_BIN must point to the attt binary}
tmp=$(mktemp -d /tmp/attt-bk-cli.XXXXXX)
shm=""
trap 'rm -rf "$tmp" ${shm:+"$shm"}' EXIT
fails=0
expect() { # expect CODE DESCRIPTION CMD...
	want=$1 what=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "FAIL: $what: exit $got, want $want" >&2
		sed 's/^/  | /' "$tmp/err" >&2
		fails=$((fails + 1))
	else
		echo "ok: $what"
	fi
}

mkdir -p "$tmp/src/thư mục/empty"
printf 'nội dung\n' >"$tmp/src/thư mục/tệp.txt"
head -c 200000 /dev/urandom >"$tmp/src/random.bin"
ln -s "thư mục/tệp.txt" "$tmp/src/link"
printf 'pass phrase\n' >"$tmp/pw"
R="$tmp/repo"
unset ATTT_BACKUP_PASSPHRASE

expect 0 "--help" "$BIN" backup --help
expect 2 "no verb" "$BIN" backup
expect 2 "a passphrase on the command line is not an option" "$BIN" backup init --repo "$R" --passphrase x
expect 1 "no passphrase at all" "$BIN" backup init --repo "$R"
expect 0 "init with --passphrase-file" "$BIN" backup init --repo "$R" --passphrase-file "$tmp/pw" --kdf min
expect 1 "init twice" "$BIN" backup init --repo "$R" --passphrase-file "$tmp/pw" --kdf min
export ATTT_BACKUP_PASSPHRASE="pass phrase"
expect 0 "save (passphrase from ATTT_BACKUP_PASSPHRASE)" "$BIN" backup save --repo "$R" --tag test "$tmp/src"
grep -q "R10.2.c: .*cùng thiết bị.*same device as source $tmp/src" "$tmp/err" ||
	{ echo "FAIL: a repository on the device it protects is not warned about (R10.2.c)" >&2; fails=$((fails + 1)); }
expect 0 "save --json" "$BIN" backup save --repo "$R" --json "$tmp/src"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["ok"] and len(d["id"])==64' "$tmp/out" ||
	{ echo "FAIL: save --json output" >&2; fails=$((fails + 1)); }
# R10.2.c: a repository on another device (/dev/shm, a tmpfs) draws no warning.
shm=$(mktemp -d /dev/shm/attt-bk-cli.XXXXXX)
expect 0 "init on another device" "$BIN" backup init --repo "$shm/repo" --kdf min
expect 0 "save to another device" "$BIN" backup save --repo "$shm/repo" "$tmp/src"
grep -q "R10.2.c" "$tmp/err" && { echo "FAIL: a repository on another device is warned about" >&2; fails=$((fails + 1)); }
rm -rf "$shm"
expect 0 "snapshots --json" "$BIN" backup snapshots --repo "$R" --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d)==2 and d[0]["tags"]==["test"] and d[0]["paths"][0].endswith("/src")' "$tmp/out" ||
	{ echo "FAIL: snapshots --json output" >&2; fails=$((fails + 1)); }
expect 0 "restore latest" "$BIN" backup restore --repo "$R" latest --target "$tmp/out-dir"
diff -r "$tmp/src" "$tmp/out-dir/src" >/dev/null || { echo "FAIL: restored tree differs" >&2; fails=$((fails + 1)); }
expect 0 "ls latest" "$BIN" backup ls --repo "$R" latest
grep -q "tệp.txt" "$tmp/out" || { echo "FAIL: ls does not list the file" >&2; fails=$((fails + 1)); }
# JSON names: a byte that is not UTF-8 is \xNN, a backslash is doubled, so the two names differ.
mkdir "$tmp/odd"
printf a >"$tmp/odd/bad\\xff"
printf b >"$tmp/odd/$(printf 'bad\377')"
printf c >"$tmp/odd/tài liệu"
expect 0 "init a second repository" "$BIN" backup init --repo "$tmp/repo2" --kdf min
expect 0 "save names that are not UTF-8" "$BIN" backup save --repo "$tmp/repo2" "$tmp/odd"
expect 0 "ls --json of such names" "$BIN" backup ls --repo "$tmp/repo2" latest --json
python3 -c '
import json, sys
names = sorted(json.loads(l)["path"] for l in open(sys.argv[1]) if l.strip())
assert names == ["odd", "odd/bad\\\\xff", "odd/bad\\xff", "odd/tài liệu"], names
' "$tmp/out" || { echo "FAIL: ls --json names are ambiguous or wrong" >&2; fails=$((fails + 1)); }
expect 0 "check" "$BIN" backup check --repo "$R"
expect 0 "check --read-data" "$BIN" backup check --repo "$R" --read-data
# On a terminal (script(1) gives one) long runs show how far they have got: save by files, check
# --read-data by packs; the line is cleared before the result. Not on a pipe, as above.
grep -q "gói/packs" "$tmp/err" && { echo "FAIL: progress line written to a pipe" >&2; fails=$((fails + 1)); }
expect 0 "save on a terminal" script -qec "'$BIN' backup save --repo '$R' '$tmp/src'" /dev/null
grep -q "tệp/files, .* MiB, mới/new" "$tmp/out" || { echo "FAIL: save shows no progress on a terminal" >&2; fails=$((fails + 1)); }
expect 0 "check --read-data on a terminal" script -qec "'$BIN' backup check --repo '$R' --read-data" /dev/null
grep -q "[0-9]/[0-9]* gói/packs, .* MiB đã đọc/read" "$tmp/out" ||
	{ echo "FAIL: check --read-data shows no progress on a terminal" >&2; fails=$((fails + 1)); }
grep -q "$(printf '\r\033\\[K')Kho toàn vẹn" "$tmp/out" ||
	{ echo "FAIL: the progress line is not cleared before the result" >&2; fails=$((fails + 1)); }
expect 1 "wrong passphrase" env ATTT_BACKUP_PASSPHRASE=wrong "$BIN" backup snapshots --repo "$R"
expect 1 "unknown snapshot" "$BIN" backup restore --repo "$R" abcdef12 --target "$tmp/x"
expect 2 "restore without --target" "$BIN" backup restore --repo "$R" latest
expect 2 "restore with an empty --target" "$BIN" backup restore --repo "$R" latest --target ""
expect 2 "an unknown verb is a usage error, before any passphrase" env -u ATTT_BACKUP_PASSPHRASE "$BIN" backup frob --repo "$R"
grep -q "frob" "$tmp/err" || { echo "FAIL: the unknown verb is not named" >&2; fails=$((fails + 1)); }
expect 2 "extra arguments are refused, not ignored" "$BIN" backup snapshots --repo "$R" extra
expect 2 "diff needs two snapshots" "$BIN" backup diff --repo "$R" latest
mkdir "$tmp/pwdir"
expect 1 "a passphrase file that is a directory" env -u ATTT_BACKUP_PASSPHRASE "$BIN" backup snapshots --repo "$R" --passphrase-file "$tmp/pwdir"
grep -q "pwdir: .*regular file" "$tmp/err" || { echo "FAIL: the odd passphrase file is not named with the reason" >&2; fails=$((fails + 1)); }
expect 1 "a passphrase file that is missing" env -u ATTT_BACKUP_PASSPHRASE "$BIN" backup snapshots --repo "$R" --passphrase-file "$tmp/nope"
grep -q "nope: No such file" "$tmp/err" || { echo "FAIL: the missing passphrase file is not named" >&2; fails=$((fails + 1)); }
# A directory where the snapshot has a file: refused, naming the path.
mkdir -p "$tmp/busy/src/random.bin"
expect 1 "restore over a directory where a file goes" "$BIN" backup restore --repo "$R" latest --target "$tmp/busy"
grep -q "busy/src/random.bin" "$tmp/err" || { echo "FAIL: the conflicting path is not named" >&2; fails=$((fails + 1)); }
# A replaced config and a damaged index are each named.
cp -a "$R" "$tmp/rc"
sed -i 's/^cipher .*/cipher none/' "$tmp/rc/config"
expect 1 "check of a repository whose config was changed" "$BIN" backup check --repo "$tmp/rc"
grep -q "rc/config" "$tmp/err" || { echo "FAIL: the changed config is not named" >&2; fails=$((fails + 1)); }
cp -a "$R" "$tmp/ri"
idx=$(find "$tmp/ri/index" -type f ! -name '.*' | head -1)
python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(20); b = f.read(1)[0]; f.seek(20); f.write(bytes([b ^ 0x01]))' "$idx"
expect 1 "save with a damaged index" "$BIN" backup save --repo "$tmp/ri" "$tmp/src"
grep -q "index/$(basename "$idx")" "$tmp/err" || { echo "FAIL: the damaged index is not named" >&2; fails=$((fails + 1)); }
# Damage one byte of a pack: the structural check may pass, check --read-data must fail and name it.
# Flip the bits of the byte, so that it always changes (writing 0xff left a byte that was 0xff
# already as it was, once in 256 runs, and the test then failed for nothing).
# The largest pack holds random.bin, which the latest snapshot needs (the first pack found could be
# one of trees only the older snapshots need, and restore latest would then rightly succeed).
pack=$(find "$R/data" -type f ! -name '.*' -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2-)
# Its middle byte is random.bin's (blobs land in a pack in the order the workers finish them, so
# the first bytes may belong to a small tree that only an older snapshot needs).
python3 -c 'import os, sys; f = open(sys.argv[1], "r+b"); o = os.path.getsize(sys.argv[1]) // 2; f.seek(o); b = f.read(1)[0]; f.seek(o); f.write(bytes([b ^ 0xff]))' "$pack"
expect 1 "check --read-data on a damaged pack" "$BIN" backup check --repo "$R" --read-data
grep -q "data/" "$tmp/err" || { echo "FAIL: check did not name the damaged pack" >&2; fails=$((fails + 1)); }
expect 1 "restore of damaged data" "$BIN" backup restore --repo "$R" latest --target "$tmp/out-bad"
# The damaged file is named with its pack; the others are restored.
grep -q "is damaged" "$tmp/err" && grep -q "data/" "$tmp/err" ||
	{ echo "FAIL: restore did not name the damaged file and pack" >&2; fails=$((fails + 1)); }
[ -f "$tmp/out-bad/src/thư mục/tệp.txt" ] || [ ! -f "$tmp/out-bad/src/random.bin" ] ||
	{ echo "FAIL: restore of damaged data left both files or none" >&2; fails=$((fails + 1)); }
[ "$fails" -eq 0 ] || { echo "$fails failures" >&2; exit 1; }
echo "all ok"
