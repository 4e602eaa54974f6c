#!/usr/bin/env bash
# mp3_compare.sh — MP3 encode time, mixc against ffmpeg with the same encoder
# (LAME) and settings: 320 kbit/s CBR, LAME quality 2, 44.1 kHz stereo, from a
# 3-minute 24-bit WAV of pink noise. mixc's figure is a whole render (decode,
# mix of one track, encode); each is the median of RUNS runs.
#
#   RUNS=5 MIXC=target/release/mixc bash benches/mp3_compare.sh
#
# Needs ffmpeg built with libmp3lame (Debian's is) and a release build.
set -euo pipefail
RUNS=${RUNS:-5}
MIXC=${MIXC:-$(cd "$(dirname "$0")/.." && pwd)/target/release/mixc}
DIR=${DIR:-/tmp/mixc-mp3}
mkdir -p "$DIR" && cd "$DIR"
[ -s src.wav ] || ffmpeg -v error -y -f lavfi -i "anoisesrc=color=pink:sample_rate=44100:amplitude=0.3:duration=180" \
    -ac 2 -c:a pcm_s24le src.wav
printf 'rate = 44.1kHz\ntrack a { source = "src.wav" }\nexport "mixc.mp3" { bitrate = 320kbps }\n' > song.mix
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
m=(); f=()
for _ in $(seq "$RUNS"); do
    t=$(now); "$MIXC" render song.mix --quiet; m+=("$(echo "$(now) - $t" | bc)")
    t=$(now); ffmpeg -v error -y -i src.wav -c:a libmp3lame -b:a 320k -compression_level 2 ffmpeg.mp3; f+=("$(echo "$(now) - $t" | bc)")
done
mm=$(printf '%s\n' "${m[@]}" | median); fm=$(printf '%s\n' "${f[@]}" | median)
echo "mixc   render+encode: $mm s (median of $RUNS)"
echo "ffmpeg encode:        $fm s (median of $RUNS)"
echo "mixc / ffmpeg time:   $(echo "scale=2; $mm / $fm" | bc)"
