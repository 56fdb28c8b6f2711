"""Ingest of the formats studios deliver, each output checked against the
house format with ffprobe and ffmpeg alone.

All sources are generated once and ingested in one `sabaq ingest
--manifest` call (one catalog); each test then checks one asset.
"""
import array
import os
import shutil
import subprocess
import tempfile

from sabaq_test import (AAC_FRAME_S, SABAQ, SabaqTestCase, comb_energy, copy_catalog, ebur128,
                        ffmpeg_generate, ffprobe, main, seeded_catalog, sha256,
                        source_video_duration, video_frames)

# The lavfi sine source is 1/8 full scale: a mono 440 Hz tone measures
# -21.7 LUFS, the same tone on both channels of a stereo pair -18.7 LUFS.
MONO_SINE_LUFS = -21.7
STEREO_SINE_LUFS = -18.7


def stereo_tones(seconds, gain_db, rate=48000):
    """Two tones, one per channel (a stereo pair that is not dual mono)."""
    return (f"sine=f=440:sample_rate={rate}:d={seconds}[l];"
            f"sine=f=440:sample_rate={rate}:d={seconds}:beep_factor=3[r];"
            f"[l][r]amerge=inputs=2,volume={gain_db:.2f}dB")


def speech_with_spikes(seconds):
    """A voice-like tone (150 Hz harmonics in 4 Hz syllables) at about
    -33 LUFS, with a two-sample spike to -1 dBFS every 2.5 s from t=0:
    the gain to -23 LUFS would push the spikes far over the ceiling, so
    the limiter must act; the spikes also mark where audio time is."""
    voice = ("0.03*(sin(2*PI*150*t)+0.5*sin(2*PI*300*t)+0.33*sin(2*PI*450*t)"
             "+0.25*sin(2*PI*600*t)+0.2*sin(2*PI*750*t)+0.3*sin(2*PI*2400*t))"
             "*pow(sin(PI*4*t),2)")
    return (f"aevalsrc='{voice}+0.7*lt(mod(n,120000),2)':s=48000:d={seconds},"
            "pan=stereo|c0=c0|c1=c0")


# name -> (video lavfi, audio lavfi, ffmpeg output options, intended source
# loudness or None, pillarboxed?)
SOURCES = {
    # Interlaced PAL SD 4:3 (SAR 16:15), top field first, mono 44.1 kHz, loud.
    "pal-sd-interlaced.mp4": (
        "testsrc2=s=720x576:r=50,tinterlace=mode=interleave_top,setsar=16/15,format=yuv420p",
        f"sine=f=440:sample_rate=44100,volume={-14 - MONO_SINE_LUFS:.2f}dB",
        ["-t", "12", "-c:v", "libx264", "-preset", "veryfast", "-flags", "+ilme+ildct",
         "-field_order", "tt", "-c:a", "aac", "-ac", "1", "-ar", "44100"],
        -14.0, True),
    # Interlaced at the house frame size (no vertical scaling to hide
    # combing): a check that the fields really are deinterlaced.
    "interlaced-small.mp4": (
        "testsrc2=s=320x180:r=50,tinterlace=mode=interleave_top,format=yuv420p",
        stereo_tones(10.5, -23 - STEREO_SINE_LUFS),
        ["-t", "10.5", "-c:v", "libx264", "-preset", "veryfast", "-flags", "+ilme+ildct",
         "-field_order", "tt", "-c:a", "aac"],
        -23.0, False),
    # 29.97 fps 16:9 stereo, quiet.
    "ntsc-29.97-16x9.mp4": (
        "testsrc2=s=320x180:r=30000/1001",
        stereo_tones(12, -30 - STEREO_SINE_LUFS),
        ["-t", "12", "-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac"],
        -30.0, False),
    # HEVC in Matroska, 4:3 square pixels, Opus, very loud.
    "hevc.mkv": (
        "testsrc2=s=320x240:r=25",
        stereo_tones(11, -10 - STEREO_SINE_LUFS),
        ["-t", "11", "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=none",
         "-c:a", "libopus", "-b:a", "96k"],
        -10.0, True),
    # ProRes 422 in QuickTime with 24-bit PCM, very quiet.
    "prores.mov": (
        "testsrc2=s=320x180:r=25",
        stereo_tones(10.5, -35 - STEREO_SINE_LUFS),
        ["-t", "10.5", "-c:v", "prores_ks", "-profile:v", "2", "-c:a", "pcm_s24le"],
        -35.0, False),
    # MPEG-2 video and MPEG-1 Layer II audio in a transport stream.
    "mpeg2.ts": (
        "testsrc2=s=320x180:r=25",
        stereo_tones(11, -20 - STEREO_SINE_LUFS),
        ["-t", "11", "-c:v", "mpeg2video", "-q:v", "4", "-c:a", "mp2", "-b:a", "192k"],
        -20.0, False),
    # DV (PAL, 4:3) with PCM in AVI: the container says nothing of fields,
    # each decoded frame is flagged interlaced, bottom field first.
    "dv.avi": (
        "testsrc2=s=720x576:r=25,format=yuv420p",
        stereo_tones(10.5, -26 - STEREO_SINE_LUFS),
        ["-t", "10.5", "-c:v", "dvvideo", "-aspect", "4:3", "-c:a", "pcm_s16le"],
        -26.0, True),
    # MPEG-2 interlaced SD 4:3 with PCM in MXF, as broadcast archives deliver.
    "mpeg2-sd.mxf": (
        "testsrc2=s=720x576:r=25,setsar=16/15,format=yuv420p",
        stereo_tones(10.5, -18 - STEREO_SINE_LUFS),
        ["-t", "10.5", "-c:v", "mpeg2video", "-b:v", "8M", "-flags", "+ilme+ildct", "-top", "1",
         "-c:a", "pcm_s16le", "-f", "mxf"],
        -18.0, True),
    # Film rate 23.976 fps, 44.1 kHz stereo AAC already at -23 LUFS.
    "film-23.976.mov": (
        "testsrc2=s=320x180:r=24000/1001",
        stereo_tones(12, -23 - STEREO_SINE_LUFS, rate=44100),
        ["-t", "12", "-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac"],
        -23.0, False),
    # Quiet speech with spikes: gain plus limiter.
    "spikes.mov": (
        "testsrc2=s=320x180:r=25",
        speech_with_spikes(12),
        ["-t", "12", "-c:v", "libx264", "-preset", "veryfast", "-c:a", "pcm_s16le"],
        None, False),
}


class IngestFormats(SabaqTestCase):
    seeded = False  # the class shares one catalog, set up below

    @classmethod
    def setUpClass(cls):
        cls.shared = tempfile.mkdtemp(prefix="sabaq-it-formats-")
        cls.addClassCleanup(shutil.rmtree, cls.shared, True)
        copy_catalog(seeded_catalog(), cls.shared)
        src = os.path.join(cls.shared, "sources")
        os.makedirs(src)
        rows = ["file,subject,grade,number,language,title"]
        for i, (name, (video, audio, args, _, _)) in enumerate(SOURCES.items(), 1):
            ffmpeg_generate(os.path.join(src, name), video=video, audio=audio, args=args)
            rows.append(f"{name},math,5,{i},ru,{name}")
        with open(os.path.join(src, "lessons.csv"), "w", encoding="utf-8") as f:
            f.write("\n".join(rows) + "\n")
        cls.digests = {name: sha256(os.path.join(src, name)) for name in SOURCES}
        cls.ingest_run = subprocess.run(
            [SABAQ, "--db", os.path.join(cls.shared, "sabaq.db"),
             "--library", os.path.join(cls.shared, "library"), "ingest", "--profile", "test",
             "--manifest", os.path.join(src, "lessons.csv")],
            capture_output=True, text=True, timeout=600)

    def setUp(self):
        super().setUp()
        self.db = os.path.join(self.shared, "sabaq.db")
        self.library = os.path.join(self.shared, "library")
        self.sources = os.path.join(self.shared, "sources")

    def check_source(self, name):
        """Ingests fine, leaves the source alone, and the output is the
        house format with the source's duration; returns (asset, facts)."""
        self.assertEqual(self.ingest_run.returncode, 0, self.ingest_run.stderr)
        self.assertRegex(self.ingest_run.stdout, rf"(?m)^{name}: ingested as asset \d+")
        src = os.path.join(self.sources, name)
        self.assertEqual(sha256(src), self.digests[name], "the source is untouched")
        _, _, _, intended_lufs, pillarbox = SOURCES[name]
        source_lufs, _ = ebur128(src)
        if intended_lufs is not None:
            # The fixture really is as loud as it claims.
            self.assertAlmostEqual(source_lufs, intended_lufs, delta=1.0)
        asset = self.asset_for(name)
        out = self.asset_file(asset)
        self.assertTrue(os.path.isfile(out), out)
        facts = self.assertHouseFormat(out, source_video_duration(src), pillarbox=pillarbox)
        # What sabaq recorded agrees with the independent meters.
        self.assertEqual(asset["duration_frames"], facts["frames"])
        self.assertEqual((asset["width"], asset["height"]), (320, 180))
        self.assertAlmostEqual(asset["video_peak_kbps"], facts["peak_kbps"], delta=2)
        self.assertAlmostEqual(asset["loudness_in"], source_lufs, delta=0.5)
        self.assertAlmostEqual(asset["loudness_out"], facts["loudness"], delta=0.5)
        self.assertLessEqual(asset["true_peak"], -1.0)
        self.assertEqual(asset["status"], "ready")
        self.assertEqual([f["code"] for f in asset["findings"]], [])
        return asset, facts

    def test_pal_sd_interlaced_4x3_mono(self):
        src = os.path.join(self.sources, "pal-sd-interlaced.mp4")
        v = [s for s in ffprobe(src)["streams"] if s["codec_type"] == "video"][0]
        a = [s for s in ffprobe(src)["streams"] if s["codec_type"] == "audio"][0]
        self.assertEqual((v["width"], v["height"], v["sample_aspect_ratio"], v["field_order"]),
                         (720, 576, "16:15", "tt"))
        self.assertEqual((a["channels"], a["sample_rate"]), (1, "44100"))
        self.check_source("pal-sd-interlaced.mp4")

    def test_interlaced_fields_are_deinterlaced(self):
        src = os.path.join(self.sources, "interlaced-small.mp4")
        asset, _ = self.check_source("interlaced-small.mp4")
        woven = comb_energy(src, 320, 180)
        out = comb_energy(self.asset_file(asset), 320, 180)
        # Moving pictures woven from two fields comb; bwdif removes it
        # (measured here: 57 in the source, 8 in the output).
        self.assertGreater(woven, 30)
        self.assertLess(out, woven / 3)

    def test_ntsc_29_97_16x9_stereo_quiet(self):
        self.check_source("ntsc-29.97-16x9.mp4")

    def test_hevc_in_matroska(self):
        src = os.path.join(self.sources, "hevc.mkv")
        self.assertEqual([s["codec_name"] for s in ffprobe(src)["streams"]], ["hevc", "opus"])
        self.check_source("hevc.mkv")

    def test_prores_in_quicktime_with_pcm(self):
        src = os.path.join(self.sources, "prores.mov")
        self.assertEqual([s["codec_name"] for s in ffprobe(src)["streams"]],
                         ["prores", "pcm_s24le"])
        self.check_source("prores.mov")

    def test_mpeg2_in_transport_stream(self):
        src = os.path.join(self.sources, "mpeg2.ts")
        self.assertEqual(sorted(s["codec_name"] for s in ffprobe(src)["streams"]),
                         ["mp2", "mpeg2video"])
        self.check_source("mpeg2.ts")

    def test_dv_in_avi(self):
        src = os.path.join(self.sources, "dv.avi")
        v = [s for s in ffprobe(src)["streams"] if s["codec_type"] == "video"][0]
        self.assertEqual((v["codec_name"], v["width"], v["height"], v["sample_aspect_ratio"]),
                         ("dvvideo", 720, 576, "16:15"))
        first = video_frames(src)[0]
        self.assertEqual((first["interlaced_frame"], first.get("top_field_first")), (1, 0))
        self.check_source("dv.avi")

    def test_mpeg2_in_mxf(self):
        src = os.path.join(self.sources, "mpeg2-sd.mxf")
        v = [s for s in ffprobe(src)["streams"] if s["codec_type"] == "video"][0]
        self.assertEqual((v["codec_name"], v["field_order"]), ("mpeg2video", "tt"))
        self.check_source("mpeg2-sd.mxf")

    def test_film_rate_23_976(self):
        src = os.path.join(self.sources, "film-23.976.mov")
        v = [s for s in ffprobe(src)["streams"] if s["codec_type"] == "video"][0]
        self.assertEqual(v["r_frame_rate"], "24000/1001")
        _, facts = self.check_source("film-23.976.mov")
        self.assertEqual(facts["frames"], 300)

    def test_limiter_keeps_true_peak_and_timing(self):
        src = os.path.join(self.sources, "spikes.mov")
        source_lufs, source_peak = ebur128(src)
        # Without a limiter the gain would put the spikes above 0 dBTP.
        self.assertGreater(source_peak + (-23 - source_lufs), 3.0)
        asset, _ = self.check_source("spikes.mov")
        # The spikes are where they were: audio time zero is video time
        # zero, and the limiter and resampling add no delay.
        pcm = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", self.asset_file(asset),
                              "-map", "0:a", "-af", "pan=mono|c0=c0", "-f", "f32le", "-"],
                             capture_output=True, check=True).stdout
        samples = array.array("f")
        samples.frombytes(pcm)
        for k in range(5):
            at = k * 120000
            lo = max(0, at - 2400)
            window = samples[lo:at + 2400]
            peak = max(range(len(window)), key=lambda i: abs(window[i]))
            self.assertLessEqual(abs(lo + peak - at), 2, f"spike {k} at sample {lo + peak}")
        self.assertLessEqual(abs(len(samples) / 48000 - asset["duration_frames"] / 25),
                             AAC_FRAME_S)


if __name__ == "__main__":
    main()
