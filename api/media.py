"""What a file's bytes are: a photo or a video of a kind the evidence store keeps, whole.

`media_type` names the kind from the first bytes; `check` then reads the whole file as that
kind and refuses it (`Refused`) unless it is one (docs/RULES.md, "Evidence that decodes"):

- an image (JPEG, PNG, WebP, GIF) is decoded by Pillow as that format and no other, every
  frame, within a pixel budget (a decompression bomb is refused, never decoded), and its
  container must end where the file ends: a JPEG at its end-of-image marker (after it only
  what phones write there: the further images of a multi-picture file, a motion photo's
  video, Samsung's trailer), a PNG at its IEND chunk (every chunk's checksum right), a GIF
  at its trailer, a WebP at its RIFF size. So a GIF header followed by a script is refused;
- a video (MP4, QuickTime, 3GP) and a HEIC photo are ISO-BMFF: their boxes tile the file
  from the first byte to the last, the first is `ftyp`, a video has its movie (`moov`, with
  a track) and its media (`mdat`), a HEIC its `meta` and `mdat` (Pillow cannot decode HEIC:
  the boxes are all that is checked);
- a WebM video is EBML: its header says `webm`, one Segment runs to the end of the file,
  its elements tile it, with its tracks and at least one cluster.

Only the boxes' and elements' headers are read (a small walker of our own: the libraries
that parse MP4 read every box's content, `mdat` included). A file is mapped, not read.

Longer than 300 lines because each container's walk is kept beside the others, one rule
per format, and they share the refusal and the pixel budget.
"""
from __future__ import annotations

import io
import mmap
import zlib
from pathlib import Path

from PIL import Image

MAX_PIXELS = 60_000_000  # a PNG, WebP or GIF frame, a progressive JPEG; larger is refused, never decoded
MAX_TOTAL_PIXELS = 250_000_000  # a JPEG (decoded at an eighth of its size); all of an animation's frames
# Pillow's own guard (DecompressionBombError past twice this) stands behind ours, not before
# it: our limits are checked right after a file is opened, before anything is decoded.
Image.MAX_IMAGE_PIXELS = MAX_TOTAL_PIXELS

NAMES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP", "image/gif": "GIF",
         "image/heic": "HEIC", "video/mp4": "MP4", "video/quicktime": "QuickTime", "video/3gpp": "3GP",
         "video/webm": "WebM"}
_PILLOW = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF"}


class Refused(ValueError):
    """Not whole as its type: `reason` is 'decode' (the bytes are not that kind of file
    from the first to the last) or 'pixels' (an image too large to decode)."""

    def __init__(self, message: str, reason: str, kind: str):
        super().__init__(message)
        self.reason = reason
        self.kind = kind  # the media type it was read as


def media_type(head: bytes) -> str | None:
    """The type of a file from its first bytes; None: not a photo or video we keep."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"heis", b"hevc"):
            return "image/heic"
        if brand == b"qt  ":
            return "video/quicktime"
        if brand.startswith(b"3g"):
            return "video/3gpp"
        return "video/mp4"
    return None


def check(path: Path, kind: str) -> None:
    """Refused unless the file at `path` is whole as `kind` (its media_type)."""
    with open(path, "rb") as f:
        if f.seek(0, 2) == 0:
            raise _fail(kind, "it is empty")
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            if kind == "image/jpeg":
                _jpeg(buf, f)
            elif kind in _PILLOW:
                {"image/png": _png_end, "image/gif": _gif_end, "image/webp": _webp_end}[kind](buf)
                f.seek(0)
                _decode(f, kind)
            elif kind == "video/webm":
                _webm(buf)
            else:
                _iso_bmff(buf, kind)


def _fail(kind: str, why: str) -> Refused:
    return Refused(f"not a whole {NAMES[kind]}: {why}", "decode", kind)


# Images: Pillow decodes them -------------------------------------------------------------

def _decode(f, kind: str) -> None:
    """Decode every frame with Pillow, as `kind`'s format only, within the pixel budget."""
    name = NAMES[kind]
    try:
        with Image.open(f, formats=[_PILLOW[kind]]) as image:
            width, height = image.size
            # A baseline JPEG is decoded scan by scan; a progressive one keeps every coefficient.
            most = MAX_TOTAL_PIXELS if kind == "image/jpeg" and not image.info.get("progressive") else MAX_PIXELS
            if width * height > most:
                raise Refused(f"too large to decode: {width} × {height} pixels (at most {most:,})", "pixels", kind)
            frames = 1 if kind == "image/jpeg" else getattr(image, "n_frames", 1)  # a JPEG's others: _jpeg
            if width * height * frames > MAX_TOTAL_PIXELS:
                raise Refused(f"too large to decode: {frames} frames of {width} × {height} pixels "
                              f"(at most {MAX_TOTAL_PIXELS:,} in all)", "pixels", kind)
            if kind == "image/jpeg":  # every scan is decoded, at an eighth of the size
                image.draft(None, (max(1, width // 8), max(1, height // 8)))
            for frame in range(frames):
                image.seek(frame)
                image.load()
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise Refused(f"too large to decode (Pillow: {e})", "pixels", kind) from None
    except Image.UnidentifiedImageError:
        raise _fail(kind, f"Pillow does not read it as a {name}") from None
    except Exception as e:  # noqa: BLE001 - Pillow fails in many ways (OSError, SyntaxError, EOFError …)
        raise _fail(kind, f"it does not decode ({type(e).__name__}: {str(e)[:200]})") from None


def _jpeg(buf, f) -> None:
    """The first image decodes and ends with its end-of-image marker; after it come only
    further whole JPEGs (a multi-picture file: a gain map, a depth map), then a motion
    photo's video (ISO-BMFF), then Samsung's trailer, each optional."""
    end = _jpeg_end(buf, 0)
    f.seek(0)
    _decode(f, "image/jpeg")
    limit = _samsung_trailer(buf, end)
    while end + 3 <= limit and buf[end:end + 3] == b"\xff\xd8\xff":
        following = _jpeg_end(buf, end, limit)
        _decode(io.BytesIO(buf[end:following]), "image/jpeg")
        end = following
    if end < limit and buf[end + 4:end + 8] == b"ftyp":  # a motion photo
        try:
            _movie(_boxes(buf, end, limit, "video/mp4"), buf, "video/mp4")
        except Refused as e:
            raise _fail("image/jpeg", f"its motion photo's video is {e}") from None
        end = limit
    if end < limit:
        raise _fail("image/jpeg", f"{limit - end} bytes after the image's end-of-image marker")


def _jpeg_end(buf, start: int, end: int | None = None) -> int:
    """Where the JPEG starting at `start` ends: just after its end-of-image marker (FFD9),
    found by walking its segments and skipping each scan's entropy-coded data."""
    end = len(buf) if end is None else end
    pos = start + 2
    while True:
        if pos + 2 > end or buf[pos] != 0xFF:
            raise _fail("image/jpeg", "it ends before its end-of-image marker")
        marker = buf[pos + 1]
        if marker == 0xFF:  # a fill byte
            pos += 1
            continue
        if marker == 0xD9:
            return pos + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            pos += 2
            continue
        if marker in (0x00, 0xD8) or pos + 4 > end:
            raise _fail("image/jpeg", f"a broken marker at byte {pos}")
        length = int.from_bytes(buf[pos + 2:pos + 4], "big")
        if length < 2:
            raise _fail("image/jpeg", f"a broken segment at byte {pos}")
        pos += 2 + length
        if marker == 0xDA:  # a scan: its data runs to the next marker that is not a stuffed byte
            while True:
                found = buf.find(b"\xff", pos, end)
                if found < 0 or found + 1 >= end:
                    raise _fail("image/jpeg", "it ends before its end-of-image marker")
                following = buf[found + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    pos = found + 2
                    continue
                pos = found
                break


def _samsung_trailer(buf, after: int) -> int:
    """Where Samsung's trailer begins (its blocks, a directory `SEFH`, its length, `SEFT`
    last), or the file's end when there is none. A trailer whose directory does not hold
    together is no trailer (and so bytes after the image)."""
    end = len(buf)
    if end - after < 8 + 12 or buf[end - 4:end] != b"SEFT":
        return end
    length = int.from_bytes(buf[end - 8:end - 4], "little")
    directory = end - 8 - length
    if directory < after or length < 12 or buf[directory:directory + 4] != b"SEFH":
        return end
    count = int.from_bytes(buf[directory + 8:directory + 12], "little")
    if count == 0 or 12 + 12 * count > length:
        return end
    start = directory
    for i in range(count):
        entry = directory + 12 + 12 * i
        back = int.from_bytes(buf[entry + 4:entry + 8], "little")
        size = int.from_bytes(buf[entry + 8:entry + 12], "little")
        if not (after <= directory - back and directory - back + size <= directory):
            return end
        start = min(start, directory - back)
    return start


def _png_end(buf) -> None:
    """Chunks from the signature to IEND, each checksum right, IEND the file's last."""
    pos, end = 8, len(buf)
    while True:
        if pos + 12 > end:
            raise _fail("image/png", "it ends before its IEND chunk")
        length = int.from_bytes(buf[pos:pos + 4], "big")
        if pos + 12 + length > end:
            raise _fail("image/png", f"a chunk at byte {pos} runs past the end of the file")
        if zlib.crc32(buf[pos + 4:pos + 8 + length]) != int.from_bytes(buf[pos + 8 + length:pos + 12 + length], "big"):
            raise _fail("image/png", f"the checksum of the chunk at byte {pos} is wrong")
        kind, pos = buf[pos + 4:pos + 8], pos + 12 + length
        if kind == b"IEND":
            break
    if pos != end:
        raise _fail("image/png", f"{end - pos} bytes after its IEND chunk")


def _gif_end(buf) -> None:
    """Blocks from the screen descriptor to the trailer (;), the trailer the file's last."""
    end = len(buf)
    if end < 13:
        raise _fail("image/gif", "it ends inside its header")
    pos = 13 + _colour_table(buf[10])
    while True:
        if pos >= end:
            raise _fail("image/gif", "it ends before its trailer")
        block = buf[pos]
        if block == 0x3B:
            pos += 1
            break
        if block == 0x21:  # an extension: its label, then sub-blocks
            pos = _sub_blocks(buf, pos + 2)
        elif block == 0x2C:  # an image: its descriptor, its colour table, the LZW code size, the data
            if pos + 10 > end:
                raise _fail("image/gif", "it ends inside an image descriptor")
            pos = _sub_blocks(buf, pos + 10 + _colour_table(buf[pos + 9]) + 1)
        else:
            raise _fail("image/gif", f"an unknown block at byte {pos}")
    if pos != end:
        raise _fail("image/gif", f"{end - pos} bytes after its trailer")


def _colour_table(flags: int) -> int:
    return 3 << ((flags & 7) + 1) if flags & 0x80 else 0


def _sub_blocks(buf, pos: int) -> int:
    while True:
        if pos >= len(buf):
            raise _fail("image/gif", "it ends inside a block")
        size = buf[pos]
        pos += 1 + size
        if size == 0:
            return pos


def _webp_end(buf) -> None:
    """The RIFF size is the file's, and its chunks tile it."""
    end = len(buf)
    if int.from_bytes(buf[4:8], "little") + 8 != end:
        raise _fail("image/webp", f"its RIFF size says {int.from_bytes(buf[4:8], 'little') + 8} bytes, "
                                  f"the file has {end}")
    pos = 12
    while pos < end:
        if pos + 8 > end:
            raise _fail("image/webp", "a chunk is cut short")
        length = int.from_bytes(buf[pos + 4:pos + 8], "little")
        pos += 8 + length + (length & 1)
        if pos > end:
            raise _fail("image/webp", "a chunk runs past the end of the file")


# ISO-BMFF: MP4, QuickTime, 3GP, HEIC -------------------------------------------------------

def _iso_bmff(buf, kind: str) -> None:
    boxes = _boxes(buf, 0, len(buf), kind)
    if kind == "image/heic":
        found = {box for box, _start, _size, _header in boxes}
        if not {b"meta", b"mdat"} <= found:
            raise _fail(kind, "it has no meta or no mdat box")
    else:
        _movie(boxes, buf, kind)


def _boxes(buf, start: int, end: int, kind: str) -> list[tuple[bytes, int, int, int]]:
    """The boxes (type, start, size, header size) that tile [start, end) exactly."""
    boxes, pos = [], start
    while pos < end:
        if end - pos < 8:
            raise _fail(kind, f"a box at byte {pos} is cut short")
        size, box, header = int.from_bytes(buf[pos:pos + 4], "big"), bytes(buf[pos + 4:pos + 8]), 8
        if size == 1:  # a 64-bit size follows the type
            if end - pos < 16:
                raise _fail(kind, f"a box at byte {pos} is cut short")
            size, header = int.from_bytes(buf[pos + 8:pos + 16], "big"), 16
        elif size == 0:  # to the end of the file
            size = end - pos
        if not all(32 <= c < 127 for c in box):
            raise _fail(kind, f"no box at byte {pos}")
        if size < header or pos + size > end:
            raise _fail(kind, f"the box {box.decode('latin-1')!r} at byte {pos} runs past the end of the file")
        boxes.append((box, pos, size, header))
        pos += size
    if not boxes or boxes[0][0] != b"ftyp":
        raise _fail(kind, "its first box is not ftyp")
    return boxes


def _movie(boxes, buf, kind: str) -> None:
    """A movie box with a header and a track, and the media."""
    found = [box for box, *_ in boxes]
    if b"mdat" not in found:
        raise _fail(kind, "it has no media (mdat box)")
    movies = [(start, size, header) for box, start, size, header in boxes if box == b"moov"]
    if len(movies) != 1:
        raise _fail(kind, "it has no movie box (moov)" if not movies else "it has two movie boxes (moov)")
    start, size, header = movies[0]
    inside = [box for box, *_ in _children(buf, start + header, start + size, kind)]
    if b"mvhd" not in inside or b"trak" not in inside:
        raise _fail(kind, "its movie box has no header or no track")


def _children(buf, start: int, end: int, kind: str) -> list[tuple[bytes, int, int, int]]:
    boxes, pos = [], start
    while pos < end:
        size = int.from_bytes(buf[pos:pos + 4], "big") if end - pos >= 8 else 0
        if size < 8 or pos + size > end:
            raise _fail(kind, f"a box inside the movie box at byte {pos} does not fit in it")
        boxes.append((bytes(buf[pos + 4:pos + 8]), pos, size, 8))
        pos += size
    return boxes


# EBML: WebM ----------------------------------------------------------------------------------

_EBML, _DOCTYPE, _SEGMENT, _TRACKS, _CLUSTER = 0x1A45DFA3, 0x4282, 0x18538067, 0x1654AE6B, 0x1F43B675
_SEGMENT_CHILDREN = {0x114D9B74, 0x1549A966, _TRACKS, _CLUSTER, 0x1C53BB6B, 0x1043A770, 0x1254C367,
                     0x1941A469, 0xEC, 0xBF}  # SeekHead, Info, Tracks, Cluster, Cues, Chapters, Tags, Attachments, Void, CRC-32


def _webm(buf) -> None:
    end = len(buf)
    element, start, size = _element(buf, 0, end)
    if element != _EBML or size is None:
        raise _fail("video/webm", "it has no EBML header")
    doctypes = [bytes(buf[s:s + n]) for e, s, n in _elements(buf, start, start + size) if e == _DOCTYPE]
    if doctypes != [b"webm"]:
        raise _fail("video/webm", "its EBML header does not say webm")
    element, start, size = _element(buf, start + size, end)
    if element != _SEGMENT:
        raise _fail("video/webm", "no Segment follows its EBML header")
    if size is not None and start + size != end:
        raise _fail("video/webm", f"its Segment ends at byte {start + size}, the file at byte {end}")
    seen, pos = set(), start
    while pos < end:
        element, start, size = _element(buf, pos, end)
        seen.add(element)
        if size is not None:
            pos = start + size
        elif element == _CLUSTER:  # a live recording's cluster runs to the next one
            pos = start
            while pos < end:
                inner, inner_start, inner_size = _element(buf, pos, end)
                if inner in _SEGMENT_CHILDREN - {0xEC, 0xBF}:
                    break
                if inner_size is None:
                    raise _fail("video/webm", f"an element of unknown size inside a cluster at byte {pos}")
                pos = inner_start + inner_size
        else:
            raise _fail("video/webm", f"an element of unknown size at byte {pos}")
    if pos != end:
        raise _fail("video/webm", "an element runs past the end of the file")
    if not {_TRACKS, _CLUSTER} <= seen:
        raise _fail("video/webm", "it has no tracks or no cluster")


def _elements(buf, start: int, end: int) -> list[tuple[int, int, int]]:
    found, pos = [], start
    while pos < end:
        element, data, size = _element(buf, pos, end)
        if size is None:
            raise _fail("video/webm", f"an element of unknown size at byte {pos}")
        found.append((element, data, size))
        pos = data + size
    if pos != end:
        raise _fail("video/webm", "an element runs past its parent")
    return found


def _element(buf, pos: int, end: int) -> tuple[int, int, int | None]:
    """(id, where its data starts, its size or None when unknown); Refused if it does not
    fit before `end`."""
    element, pos = _vint(buf, pos, end, 4, keep_marker=True)
    size, after = _vint(buf, pos, end, 8, keep_marker=False)
    unknown = size == (1 << (7 * (after - pos))) - 1
    if not unknown and after + size > end:
        raise _fail("video/webm", f"an element at byte {pos} runs past its parent")
    return element, after, None if unknown else size


def _vint(buf, pos: int, end: int, most: int, *, keep_marker: bool) -> tuple[int, int]:
    if pos >= end or buf[pos] == 0:
        raise _fail("video/webm", f"no element at byte {pos}")
    length = 9 - buf[pos].bit_length()
    if length > most or pos + length > end:
        raise _fail("video/webm", f"no element at byte {pos}")
    value = int.from_bytes(buf[pos:pos + length], "big")
    return (value if keep_marker else value & ((1 << (7 * length)) - 1)), pos + length
