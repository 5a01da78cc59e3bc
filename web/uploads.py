"""Files of a GraphQL multipart request put where its ``map`` says, or the client's 400.

The spec's ``map`` names, for each file part, the places in ``operations`` it fills:
``variables.image`` (or ``0.variables.image`` in a batch), each holding ``null`` until then.
A map that names a missing part, a path into nothing or outside the variables, or a place
that holds a value is the client's mistake, answered before any operation runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cross_web import HTTPException

MAX_PATH_LENGTH = 32


def _refused(reason: str) -> HTTPException:
    return HTTPException(400, f"The multipart `map` is invalid: {reason}.")


def _step(target: object, key: str) -> tuple[Any, str | int]:
    """The container ``key`` indexes in ``target`` and the key as that container takes it."""
    if isinstance(target, list):
        if not key.isdigit() or int(key) >= len(target):
            raise _refused(f"`{key}` is not an index of a list there")
        return target, int(key)
    if isinstance(target, dict):
        if key not in target:
            raise _refused(f"`{key}` is not a key there")
        return target, key
    raise _refused(f"`{key}` goes below a value that holds nothing")


def _place(operations: object, path: object, file: object) -> None:
    if not isinstance(path, str) or not path:
        raise _refused("each path must be a non-empty string")
    keys = path.split(".")
    first_variable = 1 if isinstance(operations, dict) else 2  # a batch starts with the operation's index
    if len(keys) > MAX_PATH_LENGTH or len(keys) <= first_variable or keys[first_variable - 1] != "variables":
        raise _refused(f"`{path}` does not name a variable")
    target: Any = operations
    for key in keys[:-1]:
        container, index = _step(target, key)
        target = container[index]
    container, index = _step(target, keys[-1])
    if container[index] is not None:
        raise _refused(f"`{path}` does not hold null")
    container[index] = file


def place_files(operations: object, file_map: object, files: Mapping[str, Any]) -> Any:
    """``operations`` with every file put where ``file_map`` says."""
    if not isinstance(operations, dict | list):
        raise _refused("`operations` must be an object or a list")
    if not isinstance(file_map, dict):
        raise _refused("it must be an object")
    for name, paths in file_map.items():
        if name not in files:
            raise _refused(f"no file part is called `{name}`")
        if not isinstance(paths, list):
            raise _refused(f"the paths of `{name}` must be a list")
        for path in paths:
            _place(operations, path, files[name])
    return operations
