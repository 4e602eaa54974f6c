#!/usr/bin/env bash
# loudnorm_compare.sh — mixc's loudness normalisation against ffmpeg's two-pass loudnorm.
#
# For each mix (the demo song, examples/demo/demo.mix, and a loud, dense master
# of it, benches/loudnorm/loud.mix) and each target (I LUFS, TP -1 dBTP):
#   input   mixc renders the song with no target, 48 kHz/24-bit ("plain.wav"),
#           timed.
#   ffmpeg  two-pass loudnorm on plain.wav, the commands of
#           ../shared/bench/ffmpeg_L.sh with the target I as a parameter
#           (pass 1 measures, print_format=json; pass 2 applies with the measured
#           values, linear=true, -ar 48000, pcm_s24le). Both passes timed together;
#           the normalization_type pass 2 prints (linear or dynamic) is recorded.
#   mixc    the same song with `loudness = I LUFS` and `true_peak = -1dBTP` on its
#           master, rendered by the release binary to 48 kHz/24-bit; the whole
#           render (decode, mix, normalise, encode) timed. Each round renders the
#           song without a target first, then with it, and the median of the
#           per-round differences is the normalisation's own cost.
#   check   for ffmpeg outputs in dynamic mode, pass 2 is also written at the
#           192 kHz loudnorm works at (no -ar), and its peaks are compared with
#           the 48 kHz file's (details section; needs sox).
# Every output is measured by ffmpeg's ebur128 filter (peak=true; the Summary's
# I and Peak, plus its 3-decimal frame metadata, which is what the table shows)
# and by `mixc meter --json`; when sox is installed, the true peak is also read
# 32x oversampled (sox `rate -v` to 1536 kHz, 6 dB of headroom, `stats`), a
# finer reference than either meter's 4x. Each timing is the median of RUNS
# runs. The script prints a markdown table, then the details behind it.
#
# Requirements: bash, awk, sed, sort, GNU date (%N), ffmpeg (with the ebur128
# and loudnorm filters), optionally sox, and a release build of mixc:
#   apt-get update && apt-get install -y ffmpeg sox
#   cargo build --release
# Usage (from anywhere):
#   benches/loudnorm_compare.sh
# Environment:
#   MIXC      the binary (default: $CARGO_TARGET_DIR/release/mixc, else target/release/mixc)
#   RUNS      timed runs per measurement, median reported (default 3)
#   TARGETS   integrated targets in LUFS (default "-14 -23 -9")
#   TP        true-peak ceiling in dBTP (default -1)
#   MIXES     which mixes (default "demo loud")
#   WORK      scratch directory, wiped and refilled (default /tmp/mixc-loudnorm)
# Nothing in the repository is written. Time on an otherwise idle machine: on a
# shared one, hold whatever lock keeps builds away (e.g. `flock LOCK bash THIS`).
#
# The variants are generated from the committed .mix files: `source = "..."`
# paths are made absolute, `export` lines are replaced by one 48 kHz/24-bit
# export, and for the normalised variant two lines are added after `master {`.
# That is enough for these two songs (single-line exports, a `master {` line,
# no relative imports or impulse responses).
set -eu -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
if [ -n "${CARGO_TARGET_DIR:-}" ]; then default_mixc=$CARGO_TARGET_DIR/release/mixc; else default_mixc=$root/target/release/mixc; fi
MIXC=${MIXC:-$default_mixc}
RUNS=${RUNS:-3}
TARGETS=${TARGETS:--14 -23 -9}
TP=${TP:--1}
LRA=11
MIXES=${MIXES:-demo loud}
WORK=${WORK:-/tmp/mixc-loudnorm}

command -v ffmpeg >/dev/null || { echo "ffmpeg not found (apt-get install -y ffmpeg)" >&2; exit 2; }
[ -x "$MIXC" ] || { echo "no mixc binary at $MIXC (cargo build --release, or set MIXC)" >&2; exit 2; }

src_of() {
    case $1 in
        demo) echo "$root/examples/demo/demo.mix" ;;
        loud) echo "$here/loudnorm/loud.mix" ;;
        *) echo "unknown mix $1" >&2; exit 2 ;;
    esac
}

# variant SRC OUT.mix WAV [LUFS]: a copy of SRC rendering only WAV (48 kHz, 24-bit),
# with a loudness target and the TP ceiling on the master when LUFS is given.
variant() {
    local src=$1 out=$2 wav=$3 lufs=${4:-} dir
    dir=$(cd "$(dirname "$src")" && pwd)
    sed -e "s#\(source[[:space:]]*=[[:space:]]*\"\)\([^/\"][^\"]*\"\)#\1$dir/\2#" \
        -e '/^[[:space:]]*export[[:space:]]/d' "$src" |
        awk -v lufs="$lufs" -v tp="$TP" '
            { print }
            /^master[[:space:]]*\{/ && lufs != "" {
                print "    loudness  = " lufs "LUFS"
                print "    true_peak = " tp "dBTP"
                found = 1
            }
            END { if (lufs != "" && !found) { print "no master { line" > "/dev/stderr"; exit 1 } }' >"$out"
    printf 'export "%s" { rate = 48kHz, bits = 24 }\n' "$wav" >>"$out"
    "$MIXC" check "$out" >/dev/null 2>&1 || "$MIXC" check "$out"
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# timed LOG CMD...: runs CMD (output to LOG) RUNS times; prints the median wall time.
timed() {
    local log=$1 i t0 t1
    shift
    for i in $(seq "$RUNS"); do
        t0=$(now)
        "$@" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
        t1=$(now)
        elapsed "$t0" "$t1"
        echo
    done | median
}

# mixc_pair PLAIN.mix TARGET.mix: RUNS rounds of (render PLAIN, render TARGET), so
# that a machine that drifts affects both alike; prints the median time of the
# TARGET render and the median of the per-round differences TARGET - PLAIN.
mixc_pair() {
    local i t0 t1 t2 pairs=$2.times
    : >"$pairs"
    for i in $(seq "$RUNS"); do
        t0=$(now)
        "$MIXC" render "$1" >"$1.pair.log" 2>&1 || { cat "$1.pair.log" >&2; exit 1; }
        t1=$(now)
        "$MIXC" render "$2" >"${2%.mix}.render.log" 2>&1 || { cat "${2%.mix}.render.log" >&2; exit 1; }
        t2=$(now)
        echo "$(elapsed "$t0" "$t1") $(elapsed "$t1" "$t2")" >>"$pairs"
    done
    echo "$(awk '{ print $2 }' "$pairs" | median) $(awk '{ printf "%.3f\n", $2 - $1 }' "$pairs" | median)"
}

# ffmpeg_two_pass IN OUT I: the two passes of ffmpeg_L.sh, target I as a parameter.
# Pass 1's JSON goes to OUT.pass1.log, pass 2's stderr to OUT.pass2.log.
ffmpeg_two_pass() {
    local in=$1 out=$2 T="I=$3:TP=$TP:LRA=$LRA" m
    m=$(ffmpeg -hide_banner -nostdin -nostats -i "$in" -af "loudnorm=$T:print_format=json" -f null - 2>&1)
    printf '%s\n' "$m" >"$out.pass1.log"
    get() { printf '%s\n' "$m" | sed -n "s/.*\"$1\" : \"\([^\"]*\)\".*/\1/p"; }
    ffmpeg -hide_banner -nostdin -nostats -y -i "$in" \
        -af "loudnorm=$T:measured_I=$(get input_i):measured_TP=$(get input_tp):measured_LRA=$(get input_lra):measured_thresh=$(get input_thresh):offset=$(get target_offset):linear=true:print_format=json" \
        -ar 48000 -c:a pcm_s24le "$out" 2>"$out.pass2.log"
}

# ffmpeg_192k IN OUT I: pass 2 again, but written as loudnorm leaves it (192 kHz,
# 32-bit float, no -ar 48000), to see where a peak over the ceiling comes from.
ffmpeg_192k() {
    local in=$1 out=$2 T="I=$3:TP=$TP:LRA=$LRA" m
    m=$(cat "$4")
    get() { printf '%s\n' "$m" | sed -n "s/.*\"$1\" : \"\([^\"]*\)\".*/\1/p"; }
    ffmpeg -hide_banner -nostdin -nostats -y -i "$in" \
        -af "loudnorm=$T:measured_I=$(get input_i):measured_TP=$(get input_tp):measured_LRA=$(get input_lra):measured_thresh=$(get input_thresh):offset=$(get target_offset):linear=true" \
        -c:a pcm_f32le "$out" 2>/dev/null
}

# peaks_sox WAV: "sample peak / 1536 kHz peak" in dB, by sox stats.
peaks_sox() {
    local sp tp
    sp=$(sox -D "$1" -n stats 2>&1 | awk '/^Max level/ { hi = $3 } /^Min level/ { lo = -$3 }
        END { p = hi > lo ? hi : lo; printf "%.3f", 20 * log(p) / log(10) }')
    tp=$(sox -D "$1" -n gain -6 rate -v 1536000 stats 2>&1 | awk '/^Max level/ { hi = $3 } /^Min level/ { lo = -$3 }
        END { p = hi > lo ? hi : lo; printf "%.3f", 20 * log(p) / log(10) + 6 }')
    echo "sample peak $sp dBFS, 1536 kHz peak $tp dB"
}

json_field() { sed -n "s/.*\"$2\" : \"\([^\"]*\)\".*/\1/p" "$1" | tail -n 1; }

# measure WAV: sets EB_I EB_TP (ebur128 metadata, 3 decimals), EB_SUM_I EB_SUM_TP
# (ebur128 Summary, 1 decimal), MX_I MX_TP MX_SP MX_LRA MX_FRAMES (mixc meter --json),
# SX_TP (32x oversampled true peak by sox, empty without sox).
measure() {
    local wav=$1 log=$1.ebur128.log meta=$1.ebur128.meta json
    ffmpeg -hide_banner -nostdin -nostats -i "$wav" \
        -af "ebur128=peak=true:metadata=1,ametadata=mode=print:file=$meta" -f null - 2>"$log"
    EB_SUM_I=$(sed -n 's/^[[:space:]]*I:[[:space:]]*\([-+0-9.inf]*\) LUFS.*/\1/p' "$log" | tail -n 1)
    EB_SUM_TP=$(sed -n 's/^[[:space:]]*Peak:[[:space:]]*\([-+0-9.inf]*\) dBFS.*/\1/p' "$log" | tail -n 1)
    EB_I=$(sed -n 's/^lavfi\.r128\.I=//p' "$meta" | tail -n 1)
    EB_TP=$(sed -n 's/^lavfi\.r128\.true_peak=//p' "$meta" | tail -n 1 |
        awk '{ if ($1 > 0) printf "%.3f", 20 * log($1) / log(10); else print "-inf" }')
    json=$("$MIXC" meter --json "$wav")
    printf '%s\n' "$json" >"$wav.meter.json"
    jget() { printf '%s\n' "$json" | sed -n "s/.*\"$1\": *\([^,]*\),*$/\1/p" | head -n 1; }
    MX_I=$(jget integrated_lufs)
    MX_TP=$(jget true_peak_dbtp)
    MX_SP=$(jget sample_peak_dbfs)
    MX_FRAMES=$(jget frames)
    MX_LRA=$(jget loudness_range_lu)
    SX_TP=
    if command -v sox >/dev/null; then
        # -6 dB first so that peaks over full scale survive sox's integer pipeline; added back after.
        SX_TP=$(sox -D "$wav" -n gain -6 rate -v 1536000 stats 2>&1 | awk '
            /^Max level/ { hi = $3 } /^Min level/ { lo = -$3 }
            END { p = hi > lo ? hi : lo; if (p > 0) printf "%.3f", 20 * log(p) / log(10) + 6; else print "-inf" }')
    fi
    # The Summary (1 decimal) and the metadata (3 decimals) come from one meter; say so if they disagree.
    awk -v a="$EB_I" -v b="$EB_SUM_I" -v c="$EB_TP" -v d="$EB_SUM_TP" -v f="$wav" 'BEGIN {
        if ((a - b) ^ 2 > 0.06 ^ 2 || (c - d) ^ 2 > 0.06 ^ 2)
            printf "warning: %s: ebur128 Summary I %s / Peak %s vs metadata %s / %s\n", f, b, d, a, c > "/dev/stderr" }'
}

f2() { awk -v x="$1" 'BEGIN { if (x == "" || x ~ /inf|nan/) print "–"; else printf "%.2f", x }'; }
tp3() { printf '%s | %s | %s' "$(f2 "$EB_TP")" "$(f2 "$MX_TP")" "$(f2 "$SX_TP")"; }
err() { awk -v x="$1" -v t="$2" 'BEGIN { printf "%+.2f", x - t }'; }
# over EB MX SX: "no", or "**yes**" and which readings are above the ceiling.
over() {
    awk -v a="$1" -v b="$2" -v s="$3" -v c="$TP" 'BEGIN {
        n = 0; w = ""
        if (a > c) { n++; w = w ", ebur128" }
        if (b > c) { n++; w = w ", mixc meter" }
        if (s != "" && s > c) { n++; w = w ", 32x" }
        m = (s != "") ? 3 : 2
        if (n == 0) print "no"; else if (n == m) print "**yes**"; else printf "**yes** (%s)\n", substr(w, 3) }'
}

load0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
rm -rf "$WORK"
mkdir -p "$WORK"
rows=$WORK/rows.md
details=$WORK/details.md
: >"$rows"
: >"$details"

for mix in $MIXES; do
    src=$(src_of "$mix")
    d=$WORK/$mix
    mkdir -p "$d"
    echo "== $mix: un-normalised render ($RUNS runs)" >&2
    variant "$src" "$d/plain.mix" plain.wav
    t_plain=$(timed "$d/plain.render.log" "$MIXC" render "$d/plain.mix")
    measure "$d/plain.wav"
    in_frames=$MX_FRAMES
    printf '| %s | – (input) | mixc, no target | %s | %s | – | %.1f | %s | – | – | %s |\n' \
        "$mix" "$(f2 "$EB_I")" "$(f2 "$MX_I")" "$MX_LRA" "$(tp3)" "$t_plain" >>"$rows"
    {
        echo "### $mix"
        echo
        echo "Input (mixc, no target): I $(f2 "$MX_I") LUFS, true peak $(f2 "$MX_TP") dBTP (32x: ${SX_TP:-–}), sample peak $(f2 "$MX_SP") dBFS, $in_frames frames; render ${t_plain} s (median of $RUNS)."
        echo
    } >>"$details"

    for target in $TARGETS; do
        echo "== $mix @ $target LUFS / $TP dBTP: ffmpeg loudnorm, two passes ($RUNS runs)" >&2
        ff=$d/ffmpeg_${target#-}.wav
        t_ff=$(timed "$d/ffmpeg.log" ffmpeg_two_pass "$d/plain.wav" "$ff" "$target")
        mode=$(json_field "$ff.pass2.log" normalization_type)
        measure "$ff"
        printf '| %s | %s LUFS | ffmpeg loudnorm | %s | %s | %s / %s | %.1f | %s | %s | %s | %s |\n' \
            "$mix" "$target" "$(f2 "$EB_I")" "$(f2 "$MX_I")" "$(err "$EB_I" "$target")" "$(err "$MX_I" "$target")" "$MX_LRA" \
            "$(tp3)" "$(over "$EB_TP" "$MX_TP" "$SX_TP")" "$mode" "$t_ff" >>"$rows"
        {
            echo "- **ffmpeg @ $target**: pass 1 measured I $(json_field "$ff.pass1.log" input_i), TP $(json_field "$ff.pass1.log" input_tp), LRA $(json_field "$ff.pass1.log" input_lra), threshold $(json_field "$ff.pass1.log" input_thresh), offset $(json_field "$ff.pass1.log" target_offset);" \
                "pass 2 reported $mode, output_i $(json_field "$ff.pass2.log" output_i), output_tp $(json_field "$ff.pass2.log" output_tp) (its own 192 kHz sample peak, before -ar 48000)." \
                "Measured: ebur128 Summary I $EB_SUM_I / Peak $EB_SUM_TP, metadata I $EB_I / TP $EB_TP; mixc meter I $(f2 "$MX_I"), TP $(f2 "$MX_TP"), sample peak $(f2 "$MX_SP"); 32x TP ${SX_TP:-–}; $MX_FRAMES frames (input $in_frames)."
            if [ "$mode" = dynamic ] && command -v sox >/dev/null; then
                ffmpeg_192k "$d/plain.wav" "$ff.192k.wav" "$target" "$ff.pass1.log"
                echo "  Dynamic mode, pass 2 kept at 192 kHz float (no -ar): $(peaks_sox "$ff.192k.wav"); the 48 kHz file: $(peaks_sox "$ff")."
            fi
        } >>"$details"

        echo "== $mix @ $target LUFS / $TP dBTP: mixc ($RUNS runs)" >&2
        mx=mixc_${target#-}.wav
        variant "$src" "$d/mixc_${target#-}.mix" "$mx" "$target"
        pair=$(mixc_pair "$d/plain.mix" "$d/mixc_${target#-}.mix")
        t_mx=${pair% *} t_over=${pair#* }
        measure "$d/$mx"
        printf '| %s | %s LUFS | mixc | %s | %s | %s / %s | %.1f | %s | %s | – | %s (%+.2f) |\n' \
            "$mix" "$target" "$(f2 "$EB_I")" "$(f2 "$MX_I")" "$(err "$EB_I" "$target")" "$(err "$MX_I" "$target")" "$MX_LRA" \
            "$(tp3)" "$(over "$EB_TP" "$MX_TP" "$SX_TP")" "$t_mx" "$t_over" >>"$rows"
        {
            echo "- **mixc @ $target**: measured ebur128 Summary I $EB_SUM_I / Peak $EB_SUM_TP, metadata I $EB_I / TP $EB_TP; mixc meter I $(f2 "$MX_I"), TP $(f2 "$MX_TP"), sample peak $(f2 "$MX_SP"); 32x TP ${SX_TP:-–}; $MX_FRAMES frames. mixc's report:"
            echo
            echo '  ```'
            sed 's/^/  /' "$d/mixc_${target#-}.render.log"
            echo '  ```'
        } >>"$details"
    done
    echo >>"$details"
done

echo "Loudness normalisation, mixc $("$MIXC" --version | awk '{ print $2 }') vs $(ffmpeg -version | head -n 1 | awk '{ print $1, $3 }'); $(nproc) cores; median of $RUNS runs; $(date -u +%Y-%m-%d); load average before/after: $load0 / $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| mix | target (TP $TP dBTP) | tool | I ebur128 (LUFS) | I mixc meter (LUFS) | error vs target (LU) ebur128 / mixc meter | LRA mixc meter (LU) | TP ebur128 (dBTP) | TP mixc meter (dBTP) | TP 32× sox (dBTP) | over ceiling? | ffmpeg mode | time (s) |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---:|"
cat "$rows"
echo
echo "mixc times: whole render (decode, mix, normalise, encode); in parentheses, the median over rounds of (this render - the same song's render with no target, run just before it): the normalisation's own cost."
echo "ffmpeg times: pass 1 + pass 2 on the un-normalised render (the mix itself not included)."
echo
echo "## Details"
echo
cat "$details"
