#!/usr/bin/env bash
# The demo station, as far as it goes today: generates a few sample lessons
# (in the formats studios deliver), ingests them into demo/ with a manifest,
# imports the demo station file (two channels, their grids and calendar),
# approves the lessons, lists the catalog, and plans and publishes a week. Running it again reuses what
# exists.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh

sabaq=(build/cli/sabaq --db demo/sabaq.db --library demo/library)
src=demo/sources
mkdir -p "$src"

# name | video | audio | container options: each a different studio habit
make() {
  local out="$src/$1" video="$2" audio="$3"; shift 3
  [ -f "$out" ] || ffmpeg -v error -f lavfi -i "$video" -f lavfi -i "$audio" -shortest "$@" -y "$out"
}
make math-5-01-kk.mp4 "testsrc2=s=1280x720:r=25:d=14" "sine=f=440:d=14,volume=-6dB" \
  -c:v libx264 -c:a aac
make math-5-02-kk.mov "smptehdbars=s=1920x1080:r=30000/1001:d=12" "sine=f=550:d=12,volume=-20dB" \
  -c:v prores_ks -c:a pcm_s16le
make kazakh-lang-1-01-kk.mkv "testsrc=s=720x576:r=25:d=13,setsar=16/15,format=yuv420p" \
  "sine=f=660:d=13:sample_rate=44100,volume=-3dB" -c:v libx265 -x265-params log-level=none -c:a aac -ac 1
make math-5-01-ru.ts "mandelbrot=s=1280x720:r=25,trim=duration=12" "sine=f=330:d=12,volume=-12dB" \
  -c:v mpeg2video -q:v 3 -c:a mp2
make ident-balapan.mp4 "color=c=orange:s=1280x720:r=25:d=3" "sine=f=880:d=3" -c:v libx264 -c:a aac
make promo-lessons.mp4 "smptebars=s=1280x720:r=25:d=30" "sine=f=1000:d=30,volume=-15dB" \
  -c:v libx264 -c:a aac

cat > "$src/lessons.csv" <<'CSV'
file,subject,grade,number,language,title,description,tags
math-5-01-kk.mp4,math,5,1,kk,Натурал сандар,Натурал сандарды оқу және жазу,
math-5-02-kk.mov,math,5,2,kk,Сандарды салыстыру,,
kazakh-lang-1-01-kk.mkv,kazakh-lang,1,1,kk,Әліпби: Ә әрпі,"Дыбыстар мен әріптер, «Ә»",
math-5-01-ru.ts,math,5,1,ru,Натуральные числа,Чтение и запись натуральных чисел,
ident-balapan.mp4,,,,,Балапан,,ident
promo-lessons.mp4,,,,,Сабақтар · Уроки,,promo
CSV

"${sabaq[@]}" ingest --profile hd720 --manifest "$src/lessons.csv" || true
"${sabaq[@]}" import data/demo-station.xml
ids=$("${sabaq[@]}" assets --json | python3 -c 'import json,sys; print(" ".join(str(a["id"]) for a in json.load(sys.stdin) if a["status"] == "ready"))')
[ -z "$ids" ] || "${sabaq[@]}" approve $ids
"${sabaq[@]}" assets
# A week of plans from today for both channels, published.
"${sabaq[@]}" plan --days 7
for channel in balapan el-arna; do
  "${sabaq[@]}" publish --channel "$channel" --days 7
done
"${sabaq[@]}" schedule --channel balapan | grep -v "  filler " | head -20
