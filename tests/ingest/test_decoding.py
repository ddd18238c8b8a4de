"""Encoding detection and streaming decoding: BOMs, Windows-1252, precise errors, flat memory."""

import codecs
import io

import pytest

from shelfwise.ingest.decoding import (
    SAMPLE_BYTES,
    DecodingError,
    detect_encoding,
    open_text,
)
from shelfwise.ingest.records import FileError


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        pytest.param(codecs.BOM_UTF8 + b"sku", "utf-8-sig", id="utf8-bom"),
        pytest.param(codecs.BOM_UTF16_LE + "sku".encode("utf-16-le"), "utf-16-le", id="utf16le"),
        pytest.param(codecs.BOM_UTF16_BE + "sku".encode("utf-16-be"), "utf-16-be", id="utf16be"),
        pytest.param(b"sku,title\n", "utf-8", id="ascii"),
        pytest.param("Bohrmaschine für Holz".encode(), "utf-8", id="utf8-no-bom"),
        pytest.param(b"Creapure\xae Creatine \x85", "cp1252", id="cp1252"),
        pytest.param("ab\u20ac".encode()[:-1], "utf-8", id="utf8-cut-at-sample-end"),
        pytest.param(b"", "utf-8", id="empty"),
    ],
)
def test_detect_encoding(head: bytes, expected: str) -> None:
    assert detect_encoding(head) == expected


def read_all(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    with open_text(io.BytesIO(data), encoding) as text:
        return text.read(), text.source_encoding


def test_cp1252_ellipsis_is_not_a_line_break() -> None:
    # 0x85 is "…" in Windows-1252; Latin-1 would make it NEL, which str.splitlines() splits on.
    text, encoding = read_all(b"name\tprice\r\nGluten Free \x85\t16.95\r\nCreapure\xae\t19.99\r\n")

    assert encoding == "cp1252"
    assert text == "name\tprice\r\nGluten Free …\t16.95\r\nCreapure®\t19.99\r\n"
    assert "\x85" not in text
    assert len(text.splitlines()) == 3


@pytest.mark.parametrize(
    ("data", "expected_encoding"),
    [
        pytest.param(codecs.BOM_UTF8 + "sku\r\nä\r\n".encode(), "utf-8", id="utf8-bom"),
        pytest.param(
            codecs.BOM_UTF16_LE + "sku\r\nä\r\n".encode("utf-16-le"), "utf-16-le", id="le"
        ),
        pytest.param(
            codecs.BOM_UTF16_BE + "sku\r\nä\r\n".encode("utf-16-be"), "utf-16-be", id="be"
        ),
    ],
)
def test_bom_is_dropped_and_crlf_kept(data: bytes, expected_encoding: str) -> None:
    assert read_all(data) == ("sku\r\nä\r\n", expected_encoding)


def test_declared_utf8_with_a_bom_drops_the_bom() -> None:
    assert read_all(codecs.BOM_UTF8 + b"sku\n", "UTF8") == ("sku\n", "utf-8")


def test_declared_encoding_is_used_as_given() -> None:
    assert read_all("Łódź".encode("iso8859-2"), "latin2") == ("Łódź", "iso8859-2")


def test_invalid_byte_in_declared_utf8_names_offset_and_line() -> None:
    data = "sku,title\nA1,café\nA2,bad ".encode() + b"\xff" + b" here\n"

    with pytest.raises(DecodingError) as caught:
        read_all(data, "utf-8")

    assert str(caught.value) == (
        "byte 26 (line 3) is not valid UTF-8: 0xFF; save the file as UTF-8 or name its encoding"
    )
    assert (caught.value.offset, caught.value.line, caught.value.encoding) == (26, 3, "utf-8")
    assert caught.value.status_code == 422


def test_line_of_an_error_counts_crlf_and_lone_cr_once_each() -> None:
    with pytest.raises(DecodingError) as caught:
        read_all(b"a\r\nb\rc\n\xc3(", "utf-8")

    assert (caught.value.offset, caught.value.line) == (7, 4)


def test_sequence_cut_by_the_end_of_the_file() -> None:
    with pytest.raises(DecodingError) as caught:
        read_all(b"abc\xe2\x82", "utf-8")

    assert (caught.value.offset, caught.value.line) == (3, 1)
    assert "0xE2 82" in str(caught.value)


def test_invalid_sequence_across_a_chunk_boundary_has_its_file_offset() -> None:
    data = b"a" * (SAMPLE_BYTES - 1) + b"\xc3" + b"(\n"

    with pytest.raises(DecodingError) as caught:
        read_all(data, "utf-8")

    assert caught.value.offset == SAMPLE_BYTES - 1


def test_valid_sequence_across_a_chunk_boundary_decodes() -> None:
    data = b"a" * (SAMPLE_BYTES - 1) + "é\n".encode()

    assert read_all(data) == ("a" * (SAMPLE_BYTES - 1) + "é\n", "utf-8")


def test_ascii_then_cp1252_after_the_sample_switches_to_cp1252() -> None:
    data = b"x" * (3 * SAMPLE_BYTES) + b"\nGluten Free \x85\n"

    text, encoding = read_all(data)

    assert encoding == "cp1252"
    assert text.endswith("\nGluten Free …\n")
    assert len(text) == len(data)


def test_utf8_then_an_invalid_byte_after_the_sample_is_an_error() -> None:
    data = "é".encode() + b"x" * (2 * SAMPLE_BYTES) + b"\nline 2 \x85\n"

    with pytest.raises(DecodingError) as caught:
        read_all(data)

    assert (caught.value.offset, caught.value.line) == (2 + 2 * SAMPLE_BYTES + 8, 2)
    assert "not valid UTF-8: 0x85" in str(caught.value)


def test_byte_undefined_in_cp1252() -> None:
    with pytest.raises(DecodingError) as caught:
        read_all(b"name\nCaf\xe9 \x81\n")

    assert (caught.value.offset, caught.value.line, caught.value.encoding) == (10, 2, "cp1252")
    assert "is not valid Windows-1252: 0x81" in str(caught.value)


def test_lone_surrogate_in_utf16() -> None:
    data = codecs.BOM_UTF16_LE + "ab".encode("utf-16-le") + b"\x00\xd8" + "c".encode("utf-16-le")

    with pytest.raises(DecodingError) as caught:
        read_all(data)

    assert caught.value.encoding == "utf-16-le"
    assert caught.value.offset == 6


@pytest.mark.parametrize("encoding", ["klingon", "base64", "rot13"])
def test_unknown_or_non_text_encoding_is_refused(encoding: str) -> None:
    with pytest.raises(FileError) as caught:
        read_all(b"sku\n", encoding)

    assert str(caught.value) == f'"{encoding}" is not a text encoding Shelfwise knows'


class CountingReader(io.RawIOBase):
    """A large upload that records how far it has been read."""

    def __init__(self, size: int) -> None:
        self.position = 0
        self.size = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = min(len(buffer), self.size - self.position)
        buffer[:count] = b"sku,title\n" * (count // 10) + b"x" * (count % 10)
        self.position += count
        return count


def test_reading_a_line_does_not_read_the_whole_file() -> None:
    source = CountingReader(50_000_000)

    with open_text(io.BufferedReader(source)) as text:
        assert text.readline() == "sku,title\n"

    assert source.position < 4 * SAMPLE_BYTES
    assert not source.closed


def test_closing_the_text_leaves_the_upload_open() -> None:
    upload = io.BytesIO(b"sku\n")

    open_text(upload).close()

    assert not upload.closed
