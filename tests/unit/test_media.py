"""Review finding 7: evidence whose bytes do not decode as the type they start as is refused.
A photo is decoded whole by Pillow and its container must end where the file ends; a
video's boxes (or a WebM's elements) tile the file. Each refusal failed before its fix: the
type was a prefix check (`FF D8 FF` alone was a JPEG, a GIF followed by a script a GIF)."""
import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from api.media import Refused, check, media_type

MEDIA = Path(__file__).parents[1] / "fixtures" / "media"  # made by ffmpeg (README there)


def image(fmt: str, size=(320, 240), **options) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, fmt, **options)
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (10, 10)).save(out, "GIF")
    return out.getvalue()


def animation(fmt: str, frames=4, size=(40, 30)) -> bytes:
    pictures = [Image.new("RGB", size, (60 * i, 0, 0)) for i in range(frames)]
    out = io.BytesIO()
    pictures[0].save(out, fmt, save_all=True, append_images=pictures[1:])
    return out.getvalue()


def box(kind: bytes, body: bytes = b"") -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header declares a size, with almost no data: what a bomb looks like."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


def samsung_trailer(entries: list[tuple[bytes, bytes]]) -> bytes:
    """Samsung's JPEG trailer: data blocks, their directory (SEFH), its length, SEFT."""
    blocks, directory, offsets = b"", b"", []
    for name, value in entries:
        offsets.append(len(blocks))
        blocks += b"\0\0\x01\x0a" + struct.pack("<I", len(name)) + name + value
    sizes = [b - a for a, b in zip(offsets, [*offsets[1:], len(blocks)])]
    for offset, size in zip(offsets, sizes):
        directory += struct.pack("<HHII", 0, 0x0a01, len(blocks) - offset, size)
    directory = b"SEFH" + struct.pack("<II", 101, len(entries)) + directory
    return blocks + directory + struct.pack("<I", len(directory)) + b"SEFT"


def refusal(data: bytes, tmp_path) -> Refused:
    path = tmp_path / "upload"
    path.write_bytes(data)
    with pytest.raises(Refused) as refused:
        check(path, media_type(data[:16]))
    return refused.value


def accepted(data: bytes, tmp_path) -> str:
    path = tmp_path / "upload"
    path.write_bytes(data)
    kind = media_type(data[:16])
    check(path, kind)
    return kind


MP4 = (MEDIA / "phone.mp4").read_bytes()
WEBM = (MEDIA / "recorder.webm").read_bytes()


@pytest.mark.parametrize("data, message", [
    (b"\xff\xd8\xff", "not a whole JPEG: it ends before its end-of-image marker"),
    (image("JPEG")[:-2], "not a whole JPEG: it ends before its end-of-image marker"),
    (image("JPEG")[:-300], "not a whole JPEG: it ends before its end-of-image marker"),
    (image("JPEG") + b"<script>alert(1)</script>", "not a whole JPEG: 25 bytes after the image's end-of-image marker"),
    (b"\xff\xd8\xff\xe0" + image("PNG"), "not a whole JPEG: it ends before its end-of-image marker"),
    (gif() + b"*/=alert(1)//", "not a whole GIF: 13 bytes after its trailer"),
    (b"GIF89a/*\x00\x00" + b"\x00" * 3 + b"*/=alert(1)//", "not a whole GIF: an unknown block at byte 13"),
    (gif()[:-1], "not a whole GIF: it ends before its trailer"),
    (image("PNG")[:-12], "not a whole PNG: it ends before its IEND chunk"),
    (image("PNG") + b"<html>", "not a whole PNG: 6 bytes after its IEND chunk"),
    (image("PNG")[:40] + b"\xff" + image("PNG")[41:], "not a whole PNG: the checksum of the chunk at byte 33 is wrong"),
    (image("WEBP")[:-4], "not a whole WebP: its RIFF size says 224 bytes, the file has 220"),
    (MP4[:-100], "not a whole MP4: the box 'moov' at byte 3304 runs past the end of the file"),
    (MP4 + b"<script>", "not a whole MP4: the box 'ipt>' at byte 4746 runs past the end of the file"),
    (box(b"ftyp", b"isom\0\0\2\0isom") + box(b"mdat", b"\0" * 64), "not a whole MP4: it has no movie box (moov)"),
    (box(b"ftyp", b"isom\0\0\2\0isom") + box(b"moov", box(b"mvhd", b"\0" * 100)) + box(b"mdat", b"\0" * 8),
     "not a whole MP4: its movie box has no header or no track"),
    (b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom", "not a whole MP4: it has no media (mdat box)"),
    (box(b"ftyp", b"heic\0\0\0\0mif1heic") + box(b"mdat", b"\0" * 8), "not a whole HEIC: it has no meta or no mdat box"),
    (WEBM[:-50], "not a whole WebM: an element"),
    (WEBM + b"\0" * 8, "not a whole WebM: no element at byte"),
])
def test_bytes_that_only_start_as_a_photo_or_a_video_are_refused_by_name(tmp_path, data, message):
    refused = refusal(data, tmp_path)
    assert refused.reason == "decode" and str(refused).startswith(message), str(refused)


def without_segment(jpeg: bytes, marker: int) -> bytes:
    out, pos = bytearray(jpeg[:2]), 2
    while jpeg[pos + 1] != 0xDA:
        length = int.from_bytes(jpeg[pos + 2:pos + 4], "big")
        if jpeg[pos + 1] != marker:
            out += jpeg[pos:pos + 2 + length]
        pos += 2 + length
    return bytes(out + jpeg[pos:])


def test_a_jpeg_that_pillow_does_not_decode_is_refused_though_its_segments_hold(tmp_path):
    refused = refusal(without_segment(image("JPEG"), 0xDB), tmp_path)  # no quantisation tables
    assert str(refused) == "not a whole JPEG: it does not decode (OSError: broken data stream when reading image file)"


def test_a_png_that_pillow_does_not_decode_is_refused_though_its_chunks_hold(tmp_path):
    broken = image("PNG")
    start = broken.index(b"IDAT") - 4
    length = struct.unpack(">I", broken[start:start + 4])[0]
    idat = chunk(b"IDAT", b"\x78\x9c" + b"\xff" * (length - 2))
    refused = refusal(broken[:start] + idat + broken[start + 12 + length:], tmp_path)
    assert str(refused).startswith("not a whole PNG: it does not decode (")


def test_a_decompression_bomb_is_refused_as_too_large_before_it_is_decoded(tmp_path):
    ours = refusal(png_declaring(9000, 9000), tmp_path)  # past our limit for a PNG
    assert ours.reason == "pixels" and str(ours) == "too large to decode: 9000 × 9000 pixels (at most 60,000,000)"
    pillows = refusal(png_declaring(30000, 20000), tmp_path)  # past Pillow's own guard: DecompressionBombError
    assert pillows.reason == "pixels" and str(pillows).startswith("too large to decode (Pillow: Image size (600000000")
    frames = refusal(_animated_gif_declaring(6000, 6000, 8), tmp_path)  # each frame within, all of them not
    assert frames.reason == "pixels" and str(frames) == ("too large to decode: 8 frames of 6000 × 6000 pixels "
                                                         "(at most 250,000,000 in all)")


def test_a_progressive_jpeg_keeps_the_lower_limit_its_decoding_needs(tmp_path):
    """A progressive JPEG keeps every coefficient while it decodes: 60 million pixels, as a PNG."""
    small = image("JPEG", (64, 48), progressive=True)
    at = small.index(b"\xff\xc2")  # its frame header: precision, then height and width
    large = small[:at + 5] + struct.pack(">HH", 8000, 8000) + small[at + 9:]
    refused = refusal(large, tmp_path)
    assert refused.reason == "pixels" and str(refused) == "too large to decode: 8000 × 8000 pixels (at most 60,000,000)"


def _animated_gif_declaring(width: int, height: int, frames: int) -> bytes:
    """A GIF whose screen is large and whose frames are one pixel each."""
    screen = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\0\0\0\xff\xff\xff"
    frame = b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    return screen + frame * frames + b"\x3b"


@pytest.mark.parametrize("name, data, kind", [
    ("a baseline JPEG", image("JPEG"), "image/jpeg"),
    ("a progressive JPEG", image("JPEG", progressive=True), "image/jpeg"),
    ("a JPEG with its gain map after it (Ultra HDR, iPhone HDR)", image("JPEG") + image("JPEG", (80, 60)), "image/jpeg"),
    ("a motion photo: a JPEG, then its video", image("JPEG") + MP4, "image/jpeg"),
    ("a Samsung photo with its trailer", image("JPEG") + samsung_trailer([(b"Image_UTC_Data", b"1617589200000")]),
     "image/jpeg"),
    ("a Samsung motion photo", image("JPEG") + samsung_trailer([(b"MotionPhoto_Data", MP4),
                                                               (b"Image_UTC_Data", b"1617589200000")]), "image/jpeg"),
    ("a PNG", image("PNG"), "image/png"),
    ("an animated PNG", animation("PNG"), "image/png"),
    ("a WebP", image("WEBP"), "image/webp"),
    ("an animated WebP", animation("WEBP"), "image/webp"),
    ("a GIF", gif(), "image/gif"),
    ("an animated GIF", animation("GIF"), "image/gif"),
    ("a HEIC's boxes", box(b"ftyp", b"heic\0\0\0\0mif1heic") + box(b"meta", b"\0" * 20) + box(b"mdat", b"\0" * 8),
     "image/heic"),
    ("an MP4 as a phone records it", MP4, "video/mp4"),
    ("a QuickTime movie", (MEDIA / "phone.mov").read_bytes(), "video/quicktime"),
    ("a 3GP", (MEDIA / "phone.3gp").read_bytes(), "video/3gpp"),
    ("a WebM of a live recording (its Segment of unknown size)", WEBM, "video/webm"),
])
def test_what_phones_and_browsers_record_is_accepted_whole(tmp_path, name, data, kind):
    assert accepted(data, tmp_path) == kind, name


def test_a_webm_whose_clusters_have_no_size_as_a_browser_records_them_is_walked_to_its_end(tmp_path):
    """MediaRecorder writes the Segment and each Cluster with an unknown size."""
    unknown = b"\x01\xff\xff\xff\xff\xff\xff\xff"
    header = b"\x1a\x45\xdf\xa3" + bytes([0x80 | 7]) + b"\x42\x82\x84webm"
    tracks = b"\x16\x54\xae\x6b\x83" + b"\xae\x81\x00"
    cluster = b"\x1f\x43\xb6\x75" + unknown + b"\xe7\x81\x00" + b"\xa3\x84\x81\x00\x00\x80"
    webm = header + b"\x18\x53\x80\x67" + unknown + tracks + cluster + cluster
    assert accepted(webm, tmp_path) == "video/webm"
    refused = refusal(webm + b"\x00\x00", tmp_path)
    assert str(refused) == f"not a whole WebM: no element at byte {len(webm)}"
    assert str(refusal(header + b"\x18\x53\x80\x67" + unknown + tracks, tmp_path)) == (
        "not a whole WebM: it has no tracks or no cluster")
    matroska = header.replace(b"webm", b"mkvx")
    assert str(refusal(matroska + webm[len(header):], tmp_path)) == "not a whole WebM: its EBML header does not say webm"


def test_a_jpeg_trailer_that_does_not_hold_together_is_bytes_after_the_image(tmp_path):
    trailer = samsung_trailer([(b"Image_UTC_Data", b"1617589200000")])
    broken = trailer[:-12] + struct.pack("<I", 10**6) + trailer[-8:]  # a block reaching before the image
    refused = refusal(image("JPEG") + broken, tmp_path)
    assert str(refused).startswith("not a whole JPEG: ") and "bytes after the image's end-of-image marker" in str(refused)
    refused = refusal(image("JPEG") + MP4[:-10], tmp_path)  # a motion photo cut short
    assert str(refused) == ("not a whole JPEG: its motion photo's video is not a whole MP4: the box 'moov' at "
                            f"byte {len(image('JPEG')) + 3304} runs past the end of the file")
