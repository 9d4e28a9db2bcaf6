"""Reading a file's bytes into text.

Rules (applied to every input file, whatever its format):

* A byte-order mark selects the encoding: UTF-8 (the mark is dropped),
  UTF-16 or UTF-32 (little or big endian).  Without a mark the file must be
  UTF-8; anything else is reported with the first offending byte and offset.
* A file that contains NUL characters, or whose first few kilobytes are mostly
  control characters, "looks binary" and is not read as text.
* An empty or whitespace-only file is reported as "empty".
* Line endings are normalised: ``"\\r\\n"`` and ``"\\r"`` become ``"\\n"``.  Nothing
  else is changed (no Unicode normalisation), so character offsets computed
  later point into the text exactly as returned here.

Problems are raised as :class:`UnreadableFile`, an :class:`InputError` that
carries the bare ``reason``, so a directory reader can turn it into a
``SkippedInput`` while a file given directly fails with the full message.
"""

from __future__ import annotations

import codecs
import os

from provenance.errors import InputError

_SAMPLE_CHARS = 8192  # how much of the start of a file the control-character test reads
_MAX_CONTROL_SHARE = 0.3  # more control characters than this share: binary
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")

# Longest marks first: the UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


class UnreadableFile(InputError):
    """A whole file cannot be used as text (missing, unreadable, binary, undecodable or empty)."""

    def __init__(self, origin: str, reason: str) -> None:
        super().__init__(f"{origin}: {reason}")
        self.origin = origin
        self.reason = reason


def normalize_newlines(text: str) -> str:
    """``text`` with ``"\\r\\n"`` and lone ``"\\r"`` replaced by ``"\\n"``."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def looks_binary(sample: str) -> bool:
    """True if ``sample`` holds a NUL or is mostly control characters (tab, newlines excepted)."""
    if "\x00" in sample:
        return True
    head = sample[:_SAMPLE_CHARS]
    if not head:
        return False
    controls = sum(1 for ch in head if (ch < " " and ch not in _TEXT_CONTROLS) or ch == "\x7f")
    return controls / len(head) > _MAX_CONTROL_SHARE


def decode_bytes(data: bytes, origin: str) -> str:
    """Decode ``data`` following the module rules (BOM, UTF-8, binary test, newlines).

    Raises :class:`UnreadableFile` with reasons "looks binary", "not valid UTF-8 (…)"
    or "not valid UTF-16 (…)".  Does not test for emptiness.
    """
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            text = _decode_with_bom(data, codec, name, origin)
            break
    else:
        # Test before decoding, so that e.g. an image is "binary", not "invalid UTF-8".
        if looks_binary(data[:_SAMPLE_CHARS].decode("latin-1")) or b"\x00" in data:
            raise UnreadableFile(origin, _binary_reason(data))
        text = _decode_utf8(data, origin)
    if looks_binary(text):
        raise UnreadableFile(origin, "looks binary (contains NUL or control characters)")
    return normalize_newlines(text)


def read_text(path: str | os.PathLike[str]) -> str:
    """The text of the file at ``path``; raises :class:`UnreadableFile` (reason "empty" too)."""
    origin = os.fspath(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise UnreadableFile(origin, "no such file") from None
    except IsADirectoryError:
        raise UnreadableFile(origin, "is a directory, not a file") from None
    except OSError as exc:
        raise UnreadableFile(origin, f"cannot read ({exc.strerror or exc})") from None
    if not data:
        raise UnreadableFile(origin, "empty")
    text = decode_bytes(data, origin)
    if not text.strip():
        raise UnreadableFile(origin, "empty")
    return text


def _decode_with_bom(data: bytes, codec: str, name: str, origin: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            origin, f"not valid {name} despite its byte-order mark ({exc.reason} at offset {exc.start})"
        ) from None


def _decode_utf8(data: bytes, origin: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            origin,
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); re-encode the file as UTF-8",
        ) from None


def _binary_reason(data: bytes) -> str:
    if b"\x00" in data[:_SAMPLE_CHARS] and _mostly_every_other_nul(data[:_SAMPLE_CHARS]):
        return "looks binary (NUL bytes; if it is UTF-16 text without a byte-order mark, re-encode it as UTF-8)"
    return "looks binary (contains NUL or control characters)"


def _mostly_every_other_nul(sample: bytes) -> bool:
    """True if about half the bytes are NUL, as in UTF-16 text of a Latin-script language."""
    return len(sample) >= 2 and sample.count(0) * 3 >= len(sample)
