"""Detect an upload's encoding from its first bytes and decode it as a stream, with precise errors.

Detection: a byte-order mark (UTF-8, UTF-16 LE/BE) decides; otherwise the first `SAMPLE_BYTES` are
UTF-8 when valid and Windows-1252 when not (never Latin-1: in Amazon's US reports 0x85 is "…", which
Latin-1 would turn into a NEL line break). A file detected as UTF-8 whose first invalid byte comes
after the sample still switches to Windows-1252 when every byte before it was ASCII (the text read
so far is the same in both), so only a file that really mixes encodings is refused.
"""

import codecs
import io
from typing import TYPE_CHECKING, BinaryIO

from shelfwise.ingest.records import FileError

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

UTF8 = "utf-8"
UTF8_BOM = "utf-8-sig"
UTF16_LE = "utf-16-le"
UTF16_BE = "utf-16-be"
WINDOWS_1252 = "cp1252"

SAMPLE_BYTES = 65_536
_CHUNK_BYTES = 65_536
_BOMS = (
    (codecs.BOM_UTF8, UTF8_BOM),
    (codecs.BOM_UTF16_LE, UTF16_LE),
    (codecs.BOM_UTF16_BE, UTF16_BE),
)
_BOM_OF = {UTF8: codecs.BOM_UTF8, UTF8_BOM: codecs.BOM_UTF8} | {
    encoding: bom for bom, encoding in _BOMS[1:]
}
_NAMES = {
    UTF8: "UTF-8",
    UTF8_BOM: "UTF-8",
    UTF16_LE: "UTF-16LE",
    UTF16_BE: "UTF-16BE",
    WINDOWS_1252: "Windows-1252",
}


class DecodingError(FileError):
    """Bytes that are not valid in the file's encoding: the message names their offset and line."""

    def __init__(self, *, encoding: str, offset: int, line: int, sequence: bytes) -> None:
        name = _NAMES.get(encoding, encoding)
        super().__init__(
            f"byte {offset} (line {line}) is not valid {name}: 0x{sequence.hex(' ').upper()};"
            " save the file as UTF-8 or name its encoding",
            line=line,
            offset=offset,
        )
        self.encoding = encoding


def detect_encoding(head: bytes) -> str:
    """The encoding a file's first bytes show: BOM, else UTF-8 when valid, else Windows-1252."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    try:
        codecs.getincrementaldecoder(UTF8)().decode(head, final=False)
    except UnicodeDecodeError:
        return WINDOWS_1252
    return UTF8


def open_text(binary: BinaryIO, encoding: str | None = None) -> "DecodedText":
    """Incremental text over `binary` in its detected (or the given) encoding; BOM dropped.

    Reading raises `DecodingError` at the first invalid byte. `binary` stays open after `close()`.
    """
    head = _read_head(binary)
    codec = detect_encoding(head) if encoding is None else _text_codec(encoding)
    bom = _BOM_OF.get(codec, b"")
    skip = len(bom) if head.startswith(bom) else 0
    if skip and codec == UTF8_BOM:
        codec = UTF8
    transcoder = _Transcoder(
        binary, head[skip:], codec, offset=skip, switchable=encoding is None and codec == UTF8
    )
    return DecodedText(transcoder)


class DecodedText(io.TextIOWrapper):
    """Text of an upload read incrementally, with `newline=""` so csv sees CRLF as written."""

    def __init__(self, transcoder: "_Transcoder") -> None:
        super().__init__(io.BufferedReader(transcoder, _CHUNK_BYTES), encoding=UTF8, newline="")
        self._transcoder = transcoder
        # Decode in chunks as large as the transcoder's: the default 8 KiB makes reading a
        # file line by line about twice as slow.
        self._CHUNK_SIZE = _CHUNK_BYTES

    @property
    def source_encoding(self) -> str:
        """The file's encoding (a detected UTF-8 becomes cp1252 if it switched, see above)."""
        return self._transcoder.encoding


class _Transcoder(io.RawIOBase):
    """Decodes the source chunk by chunk, checking every byte, and hands the text on as UTF-8."""

    def __init__(
        self, source: BinaryIO, head: bytes, encoding: str, *, offset: int, switchable: bool
    ) -> None:
        super().__init__()
        self.encoding = encoding
        self._source = source
        self._pending = head
        self._offset = offset  # of the next source byte not yet given to the decoder
        self._decoder = codecs.getincrementaldecoder(encoding)()
        self._switchable = switchable
        self._out = memoryview(b"")
        self._is_done = False
        self._line = 1  # line of the next decoded character
        self._is_after_cr = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "WriteableBuffer") -> int:
        while not self._out and not self._is_done:
            self._out = memoryview(self._decode_next())
        view = memoryview(buffer).cast("B")
        count = min(len(view), len(self._out))
        view[:count] = self._out[:count]
        self._out = self._out[count:]
        return count

    def _decode_next(self) -> bytes:
        chunk = self._pending or self._source.read(_CHUNK_BYTES)
        self._pending = b""
        is_final = not chunk
        encoding, held_back = self.encoding, self._decoder.getstate()[0]
        try:
            text = self._decoder.decode(chunk, is_final)
        except UnicodeDecodeError as error:
            text = self._recover(error, chunk)
        except UnicodeError as error:  # codecs such as idna raise the base class
            raise FileError(f"the file is not valid {self.encoding}: {error}") from None
        self._offset += len(chunk)
        self._is_done = is_final
        self._switchable = self._switchable and text.isascii()
        if encoding == UTF8 == self.encoding:
            # Valid UTF-8 already: hand on the bytes just decoded instead of encoding the text.
            decoded = held_back + chunk
            data = decoded[: len(decoded) - len(self._decoder.getstate()[0])]
            self._line += _byte_line_breaks(data, self._is_after_cr)
            self._is_after_cr = data.endswith(b"\r") if data else self._is_after_cr
            return data
        self._line += _line_breaks(text, self._is_after_cr)
        self._is_after_cr = text.endswith("\r") if text else self._is_after_cr
        try:
            return text.encode(UTF8)
        except UnicodeEncodeError:
            raise FileError(
                f"the file decodes ({self.encoding}) to lone surrogates, which are not text"
            ) from None

    def _recover(self, error: UnicodeDecodeError, chunk: bytes) -> str:
        data = error.object  # bytes the decoder held back from the last chunk, then this one
        start = self._offset - (len(data) - len(chunk))  # file offset of data[0]
        if self._switchable and data[: error.start].isascii():
            self._switchable = False
            self.encoding = WINDOWS_1252
            self._decoder = codecs.getincrementaldecoder(WINDOWS_1252)()
            try:
                return self._decoder.decode(data, not chunk)
            except UnicodeDecodeError as again:
                error = again
        before = codecs.decode(data[: error.start], self.encoding)
        raise DecodingError(
            encoding=self.encoding,
            offset=start + error.start,
            line=self._line + _line_breaks(before, self._is_after_cr),
            sequence=data[error.start : error.end],
        ) from None


def _line_breaks(text: str, is_after_cr: bool) -> int:
    """Line ends in `text` (LF, CRLF or a lone CR), a CRLF split across chunks counted once."""
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    return breaks - 1 if is_after_cr and text.startswith("\n") else breaks


def _byte_line_breaks(data: bytes, is_after_cr: bool) -> int:
    """`_line_breaks` of UTF-8 text, counted in its bytes (CR and LF are single bytes)."""
    breaks = data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
    return breaks - 1 if is_after_cr and data.startswith(b"\n") else breaks


def _read_head(binary: BinaryIO) -> bytes:
    head = b""
    while len(head) < SAMPLE_BYTES:
        piece = binary.read(SAMPLE_BYTES - len(head))
        if not piece:
            break
        head += piece
    return head


def _text_codec(encoding: str) -> str:
    try:
        name = codecs.lookup(encoding).name
        is_text = isinstance(codecs.decode(b"", name), str)
    except (LookupError, TypeError):  # unknown, or a bytes-to-bytes / str-to-str codec
        is_text = False
    if not is_text:
        raise FileError(f'"{encoding}" is not a text encoding Shelfwise knows')
    return name
