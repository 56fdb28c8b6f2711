#!/usr/bin/env bash
# The demo station, the README's first command. On a fresh Debian 12
# machine it installs what is missing and builds; then it generates a demo
# library (24 short lessons in Kazakh and Russian for grades 1, 5 and 9,
# each with its title drawn on screen and its own tone, two idents and a
# promo), ingests and approves them, writes and imports a station with two
# channels (Балапан in Kazakh, Ел Арна in Russian) whose grid airs every
# lesson within the coming hour, plans and publishes a week, creates a
# planner and an operator account, and runs the web server with playout of
# both channels until Ctrl-C, printing the URLs to open.
#
# Running it again reuses what exists (sources, catalog, station, plans).
# SABAQ_DEMO_PORT (8080), SABAQ_DEMO_NO_SERVE=1 (prepare only).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh

port=${SABAQ_DEMO_PORT:-8080}
sabaq=(build/cli/sabaq --db demo/sabaq.db --library demo/library)
src=demo/sources
mkdir -p "$src"
font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf

# lesson FILE "TITLE" TONE_HZ COLOUR: 20 s, 1024x576, the title on screen.
lesson() {
  local out="$src/$1" title="$2" tone="$3" colour="$4"
  [ -f "$out" ] && return
  printf '%s' "$title" > "$out.txt"
  ffmpeg -v error -nostdin -f lavfi -i "color=c=$colour:s=1024x576:r=25:d=20" \
    -f lavfi -i "sine=f=$tone:d=20,volume=-12dB" -shortest \
    -vf "drawtext=fontfile=$font:textfile=$out.txt:fontsize=44:fontcolor=white:x=(w-tw)/2:y=(h-th)/2,drawtext=fontfile=$font:text='%{pts\\:hms}':fontsize=28:fontcolor=white:x=20:y=h-50" \
    -c:v libx264 -preset veryfast -c:a aac -y "$out"
  rm -f "$out.txt"
}
filler() {
  local out="$src/$1" video="$2" seconds="$3" tone="$4"
  [ -f "$out" ] || ffmpeg -v error -nostdin -f lavfi -i "$video" \
    -f lavfi -i "sine=f=$tone:d=$seconds,volume=-15dB" -t "$seconds" \
    -c:v libx264 -preset veryfast -c:a aac -y "$out"
}

manifest="$src/lessons.csv"
echo "file,subject,grade,number,language,title,description,tags" > "$manifest"
kk_titles=(
  "math 5 Натурал сандар" "math 5 Сандарды салыстыру" "math 5 Қосу және азайту" "math 5 Көбейту кестесі"
  "kazakh-lang 1 Әліпби: Ә әрпі" "kazakh-lang 1 Ғ және Қ дыбыстары" "kazakh-lang 1 Ң, Ө, Ұ, Ү әріптері" "kazakh-lang 1 Һ және І әріптері"
  "science 9 Жарық және дыбыс" "science 9 Электр тогы" "science 9 Магнит өрісі" "science 9 Энергияның сақталуы")
ru_titles=(
  "math 5 Натуральные числа" "math 5 Сравнение чисел" "math 5 Сложение и вычитание" "math 5 Таблица умножения"
  "russian-lang 1 Алфавит: гласные" "russian-lang 1 Согласные звуки" "russian-lang 1 Слоги и ударение" "russian-lang 1 Заглавная буква"
  "science 9 Свет и звук" "science 9 Электрический ток" "science 9 Магнитное поле" "science 9 Сохранение энергии")
i=0
for lang in kk ru; do
  if [ "$lang" = kk ]; then titles=("${kk_titles[@]}"); colour=0x0a6fb8; else titles=("${ru_titles[@]}"); colour=0x7a3fb0; fi
  for entry in "${titles[@]}"; do
    read -r subject grade title <<< "$entry"
    number=$(( i % 4 + 1 ))
    file="$subject-$grade-$number-$lang.mp4"
    lesson "$file" "$title" $(( 300 + i * 25 )) "$colour"
    echo "$file,$subject,$grade,$number,$lang,\"$title\",," >> "$manifest"
    i=$(( i + 1 ))
  done
done
filler ident-balapan.mp4 "color=c=orange:s=1024x576:r=25:d=3" 3 880
filler ident-el-arna.mp4 "color=c=purple:s=1024x576:r=25:d=3" 3 990
filler promo-lessons.mp4 "smptebars=s=1024x576:r=25:d=30" 30 1000
cat >> "$manifest" <<'CSV'
ident-balapan.mp4,,,,,Балапан,,ident-balapan
ident-el-arna.mp4,,,,,Ел Арна,,ident-el-arna
promo-lessons.mp4,,,,,Сабақтар · Уроки,,promo
CSV

# Sources already in the catalog are recognised by their content and kept.
"${sabaq[@]}" ingest --profile sd576 --manifest "$manifest" || true
ids=$("${sabaq[@]}" assets --json | python3 -c 'import json,sys; print(" ".join(str(a["id"]) for a in json.load(sys.stdin) if a["status"] == "ready"))')
[ -z "$ids" ] || "${sabaq[@]}" approve $ids

# The station: written once, so that a second run keeps its times. Every
# day, from the next quarter hour in Almaty, a lesson slot of one minute
# every five minutes for an hour on each channel, then its repeats.
station=demo/station.xml
if [ ! -f "$station" ]; then
  python3 scripts/demo_station.py > "$station.tmp" && mv "$station.tmp" "$station"
fi
"${sabaq[@]}" import "$station"
"${sabaq[@]}" plan --days 7 | tail -3
for channel in balapan el-arna; do
  "${sabaq[@]}" publish --channel "$channel" --days 7
done
printf 'demo-planner\n' | "${sabaq[@]}" user add planner --role planner > /dev/null
printf 'demo-operator\n' | "${sabaq[@]}" user add operator --role operator > /dev/null
"${sabaq[@]}" schedule --channel balapan | grep -E "lesson|repeat" | head -14

[ -n "${SABAQ_DEMO_NO_SERVE:-}" ] && exit 0
cat <<EOF2

The demo station is on air. Open:
  students   http://127.0.0.1:$port/
  planners   http://127.0.0.1:$port/plan      (planner / demo-planner)
  operators  http://127.0.0.1:$port/ops       (operator / demo-operator)
  guide      http://127.0.0.1:$port/epg.xml   and  http://127.0.0.1:$port/channels.m3u
  HLS        http://127.0.0.1:$port/hls/balapan/index.m3u8
Ctrl-C stops it (playlists are closed properly).

EOF2
exec "${sabaq[@]}" serve --playout --port "$port"
