"""Counts the files of a multipart upload and their sizes as the body streams through."""

from __future__ import annotations

import re

import orjson
from python_multipart.multipart import MultipartParser

from infra.settings import Settings

_NAME = re.compile(rb'\bname="([^"]*)"')
_MAX_MAP_BYTES = 64 * 1024


class BodyTooLargeError(Exception):
    """Raised from ``receive`` so the app stops reading; answered with 413 by ``BodyLimits``."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class MultipartGuard:
    """Raises :class:`BodyTooLargeError` past ``MAX_UPLOAD_FILES`` files or a file past
    ``MAX_UPLOAD_BYTES``, as soon as the part that crosses the line arrives."""

    def __init__(self, boundary: bytes, settings: Settings) -> None:
        self.settings = settings
        self.files = 0
        self.part_bytes = 0
        self.is_file = False
        self.part_name = ""
        # The spec's `map` part precedes the files: it tells which variable a file part fills,
        # so an oversized file is reported against that field (e.g. `thumbnail`).
        self.file_map: dict[str, list[str]] = {}
        self._map_bytes = bytearray()
        self._header_field = b""
        self.parser = MultipartParser(
            boundary,
            callbacks={
                "on_part_begin": self._begin,
                "on_part_data": self._data,
                "on_part_end": self._end,
                "on_header_field": self._header_name,
                "on_header_value": self._header_value,
            },
        )

    def feed(self, chunk: bytes) -> None:
        self.parser.write(chunk)

    def _begin(self) -> None:
        self.part_bytes = 0
        self.is_file = False
        self.part_name = ""
        self._header_field = b""

    def _end(self) -> None:
        if self.part_name == "map" and not self.is_file:
            try:
                parsed = orjson.loads(bytes(self._map_bytes))
            except orjson.JSONDecodeError:
                return  # the GraphQL layer reports a malformed map
            if isinstance(parsed, dict):
                self.file_map = {str(key): value for key, value in parsed.items() if isinstance(value, list)}

    def _file_field(self) -> str:
        paths = self.file_map.get(self.part_name) or []
        segments = str(paths[0]).split(".") if paths else []
        names = [segment for segment in segments[1:] if not segment.isdigit()]
        return names[-1] if names else "files"

    def _header_name(self, data: bytes, start: int, end: int) -> None:
        self._header_field = data[start:end].lower()

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        value = data[start:end]
        if self._header_field == b"content-disposition":
            name = _NAME.search(value)
            self.part_name = name.group(1).decode(errors="replace") if name else ""
        if self._header_field == b"content-disposition" and b"filename=" in value:
            self.is_file = True
            self.files += 1
            if self.files > self.settings.max_upload_files:
                limit = self.settings.max_upload_files
                raise BodyTooLargeError(f"At most {limit} files per request.", "files")

    def _data(self, data: bytes, start: int, end: int) -> None:
        self.part_bytes += end - start
        if self.part_name == "map" and not self.is_file and len(self._map_bytes) < _MAX_MAP_BYTES:
            self._map_bytes += data[start:end]
        if self.is_file and self.part_bytes > self.settings.max_upload_bytes:
            limit_mb = self.settings.max_upload_bytes // (1024 * 1024)
            raise BodyTooLargeError(f"Files may be at most {limit_mb} MB.", self._file_field())
