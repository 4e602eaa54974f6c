#!/usr/bin/env bash
# long_programme.sh — a 10-hour programme mastered to -14 LUFS / -1 dBTP in
# bounded memory (issue 14): peak RSS and wall time of `mixc render`.
#
# The source is pink noise with a slow level swell (so loudness has something
# to integrate and the limiter something to do), made by ffmpeg's anoisesrc
# as a mono 16-bit FLAC (about 2.5 GB for 10 hours). The song pans it to
# stereo, sets `loudness = -14LUFS` and `true_peak = -1dBTP` on the master and
# delivers a 44.1 kHz/16-bit FLAC; the master output (13.8 GB of f32 for 10
# hours) is held on disk beside the export while it is mastered.
#
#   HOURS=10 DIR=/tmp/long MIXC=target/release/mixc bash benches/long_programme.sh
#
# Needs ffmpeg (apt-get install -y ffmpeg), GNU time (/usr/bin/time, Debian's
# `time`), a release build, and about 20 GB free in DIR for 10 hours.
set -euo pipefail
HOURS=${HOURS:-10}
DIR=${DIR:-/tmp/mixc-long}
MIXC=${MIXC:-$(cd "$(dirname "$0")/.." && pwd)/target/release/mixc}
mkdir -p "$DIR"
cd "$DIR"
seconds=$((HOURS * 3600))
source="noise-${HOURS}h.flac"
if [ ! -s "$source" ]; then
    echo "generating $source ($HOURS h of pink noise)..." >&2
    ffmpeg -hide_banner -loglevel error -y -f lavfi \
        -i "anoisesrc=color=pink:sample_rate=48000:amplitude=0.25:duration=${seconds}:seed=1" \
        -af "volume='0.5+0.4*sin(2*PI*t/600)':eval=frame" -ac 1 -c:a flac -sample_fmt s16 "$source"
fi
cat > long.mix <<MIX
rate = 48kHz
track noise { source = "$source" }
master {
    loudness = -14LUFS
    true_peak = -1dBTP
}
export "long.flac" { rate = 44.1kHz, bits = 16 }
MIX
echo "rendering $HOURS h with $MIXC..." >&2
/usr/bin/time -f "peak RSS %M KiB, wall %e s, user %U s, sys %S s" "$MIXC" render long.mix 2>&1 | tail -n 4
"$MIXC" meter long.flac
