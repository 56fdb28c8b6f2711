"""Writes the demo station (scripts/demo.sh) to stdout: two channels whose
lesson slots start at the next quarter hour in Almaty, one every five
minutes for an hour, every day of the week, with evening repeats."""
import datetime

tz = datetime.timezone(datetime.timedelta(hours=5))  # Asia/Almaty since March 2024
now = datetime.datetime.now(tz)
first = (now + datetime.timedelta(minutes=15 - now.minute % 15)).replace(second=0, microsecond=0)
start_min = first.hour * 60 + first.minute
# Keep the hour of slots inside the day.
start_min = min(start_min, 22 * 60)
year = now.year if now.month >= 8 else now.year - 1

CHANNELS = {
    "balapan": ("kk", 101, "Балапан", ["math 5", "kazakh-lang 1", "science 9"]),
    "el-arna": ("ru", 102, "Ел Арна", ["math 5", "russian-lang 1", "science 9"]),
}

out = ['<?xml version="1.0" encoding="UTF-8"?>',
       '<!-- Written by scripts/demo_station.py for the demo: lessons start at the next',
       '     quarter hour after the demo was first run, one every five minutes. -->',
       '<station xmlns="urn:sabaq:station:1" timezone="Asia/Almaty">',
       '  <subject id="math"><name lang="kk">Математика</name><name lang="ru">Математика</name></subject>',
       '  <subject id="kazakh-lang"><name lang="kk">Қазақ тілі</name><name lang="ru">Казахский язык</name></subject>',
       '  <subject id="russian-lang"><name lang="kk">Орыс тілі</name><name lang="ru">Русский язык</name></subject>',
       '  <subject id="science"><name lang="kk">Жаратылыстану</name><name lang="ru">Естествознание</name></subject>']
for cid, (lang, sid, name, _) in CHANNELS.items():
    out += [f'  <channel id="{cid}" language="{lang}" service-id="{sid}">',
            f'    <name lang="kk">{name}</name><name lang="ru">{name}</name>',
            f'    <output type="hls" path="hls/{cid}"/>',
            f'    <filler pool="ident-{cid} promo"/>',
            '    <rules holiday="repeats" missing="repeat-previous"/>',
            '  </channel>']
out += ['  <calendar>', f'    <term from="{year}-09-01" to="{year + 1}-08-31"/>', '  </calendar>']
for cid, (_, _, _, series) in CHANNELS.items():
    out.append(f'  <grid channel="{cid}" days="mon tue wed thu fri sat sun">')
    for i in range(12):
        m = start_min + i * 5
        grade_subject = series[i // 4]
        subject, grade = grade_subject.split()
        out.append(f'    <slot start="{m // 60:02d}:{m % 60:02d}" length="1:00" grade="{grade}" '
                   f'subject="{subject}"/>')
    if start_min + 60 <= 20 * 60:
        for i in range(3):
            m, of = 20 * 60 + i * 5, start_min + i * 5
            out.append(f'    <slot start="{m // 60:02d}:{m % 60:02d}" length="1:00" '
                       f'repeat="{of // 60:02d}:{of % 60:02d}"/>')
    out.append('  </grid>')
out.append('</station>')
print("\n".join(out))
