#!/usr/bin/env bash
# vorbis_compare.sh — Ogg Vorbis encode time, mixc against ffmpeg with the
# same encoder (libvorbis; mixc's carries the aoTuV tuning, Debian's is
# Xiph's) and setting: quality 6, 48 kHz stereo, from a 3-minute 24-bit WAV
# of pink noise. mixc's figure is a whole render (decode, mix of one track,
# encode, then decoding the file again to measure what a listener gets);
# each is the median of RUNS runs.
#
#   RUNS=5 MIXC=target/release/mixc bash benches/vorbis_compare.sh
#
# Needs ffmpeg built with libvorbis (Debian's is) and a release build.
set -euo pipefail
RUNS=${RUNS:-5}
MIXC=${MIXC:-$(cd "$(dirname "$0")/.." && pwd)/target/release/mixc}
DIR=${DIR:-/tmp/mixc-vorbis}
mkdir -p "$DIR" && cd "$DIR"
[ -s src.wav ] || ffmpeg -v error -y -f lavfi -i "anoisesrc=color=pink:sample_rate=48000:amplitude=0.3:duration=180" \
    -ac 2 -c:a pcm_s24le src.wav
printf 'rate = 48kHz\ntrack a { source = "src.wav" }\nexport "mixc.ogg" { quality = 6 }\n' > song.mix
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
m=(); f=()
for _ in $(seq "$RUNS"); do
    t=$(now); "$MIXC" render song.mix --quiet; m+=("$(echo "$(now) - $t" | bc)")
    t=$(now); ffmpeg -v error -y -i src.wav -c:a libvorbis -q:a 6 ffmpeg.ogg; f+=("$(echo "$(now) - $t" | bc)")
done
mm=$(printf '%s\n' "${m[@]}" | median); fm=$(printf '%s\n' "${f[@]}" | median)
echo "mixc   render+encode+decode: $mm s (median of $RUNS)"
echo "ffmpeg encode:               $fm s (median of $RUNS)"
echo "mixc / ffmpeg time:          $(echo "scale=2; $mm / $fm" | bc)"
echo "sizes (bytes): mixc $(stat -c %s mixc.ogg), ffmpeg $(stat -c %s ffmpeg.ogg)"
