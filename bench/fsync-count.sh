#!/bin/sh
# Counts the fsync/fdatasync calls of a `btd download` of SIZE_MIB (default 1024) from a `btd seed`
# on 127.0.0.1, with strace -c -f. Usage: sh bench/fsync-count.sh [size-mib] [piece-length]
# Run under `flock /tmp/btd-bench.lock`. See bench/resume-fsync.md.
set -eu
SIZE_MIB=${1:-1024}
PIECE=${2:-}
REPO=$(cd "$(dirname "$0")/.." && pwd)
BTD="node $REPO/bin/btd.js"
DIR=$(mktemp -d /tmp/btd-fsync-XXXXXX)
trap 'kill $SEED 2>/dev/null && wait $SEED 2>/dev/null; rm -rf "$DIR"' EXIT
mkdir -p "$DIR/seed" "$DIR/dl"
head -c "$((SIZE_MIB * 1048576))" /dev/urandom > "$DIR/seed/data.bin"
$BTD create "$DIR/seed/data.bin" -o "$DIR/t.torrent" -q ${PIECE:+--piece-length "$PIECE"}
PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
$BTD seed "$DIR/t.torrent" -f "$DIR/seed/data.bin" --port "$PORT" --bind 127.0.0.1 --no-dht > "$DIR/seed.log" 2>&1 &
SEED=$!
i=0
until grep -qi seeding "$DIR/seed.log"; do i=$((i + 1)); [ $i -lt 600 ] || { echo "seed did not start: $(cat "$DIR/seed.log")"; exit 1; }; sleep 0.1; done
echo "loadavg $(cat /proc/loadavg)"
$BTD info "$DIR/t.torrent" | grep -i piece || true
START=$(date +%s.%N)
strace -c -f -e trace=fsync,fdatasync -o "$DIR/strace.txt" $BTD download "$DIR/t.torrent" -o "$DIR/dl" --peer "127.0.0.1:$PORT" --port 0 --bind 127.0.0.1 --no-dht --status-interval 60 > "$DIR/dl.log" 2>&1
END=$(date +%s.%N)
echo "download of $SIZE_MIB MiB took $(echo "$END - $START" | bc) s (under strace)"
cat "$DIR/strace.txt"
