"""A restricted pickle interpreter: the opcodes a state dict needs, and nothing that runs code.

Python's ``pickle`` resolves any global the file names and calls it; this reader never
imports or calls anything the file names. It interprets pickle opcodes one by one against
a fixed table: data opcodes build plain values (None, bools, ints, floats, strs, bytes,
lists, tuples, dicts); ``GLOBAL``/``STACK_GLOBAL`` look the name up in an allow-list given by
the caller and get back one of bricks' own builders; ``REDUCE`` calls only such a builder,
``BINPERSID`` only the caller's persistent-id resolver. Any other global or opcode is a
``CheckpointError`` naming it. Sizes, the memo, the stack and the nesting are bounded, and
the result is checked acyclic and at most ``MAX_DEPTH`` containers deep.
"""

from __future__ import annotations

import struct
from typing import Any, Callable

from ._format import CheckpointError

__all__ = ["Builder", "unpickle", "MAX_DEPTH"]

MAX_DEPTH = 100  # containers within containers; bricks.save accepts the same depth
MAX_MEMO = 1 << 20
MAX_STACK = 100_000  # pickle batches items by 1000; only a bomb stacks more
MAX_MARKS = 1000
MAX_NODES = 2_000_000  # values reachable, counting shared ones once per path
MAX_LONG_BYTES = 64  # an int of 512 bits is more than any checkpoint holds

_NAMES = {
    b"(": "MARK", b".": "STOP", b"0": "POP", b"1": "POP_MARK", b"2": "DUP", b"J": "BININT",
    b"K": "BININT1", b"M": "BININT2", b"N": "NONE", b"X": "BINUNICODE",
    b"\x8c": "SHORT_BINUNICODE", b"\x8d": "BINUNICODE8", b"G": "BINFLOAT", b"]": "EMPTY_LIST",
    b"a": "APPEND", b"e": "APPENDS", b"}": "EMPTY_DICT", b"s": "SETITEM", b"u": "SETITEMS",
    b")": "EMPTY_TUPLE", b"t": "TUPLE", b"\x85": "TUPLE1", b"\x86": "TUPLE2", b"\x87": "TUPLE3",
    b"\x88": "NEWTRUE", b"\x89": "NEWFALSE", b"\x8a": "LONG1", b"\x8b": "LONG4",
    b"q": "BINPUT", b"r": "LONG_BINPUT", b"h": "BINGET", b"j": "LONG_BINGET",
    b"\x94": "MEMOIZE", b"\x95": "FRAME", b"\x80": "PROTO", b"c": "GLOBAL",
    b"\x93": "STACK_GLOBAL", b"R": "REDUCE", b"b": "BUILD", b"Q": "BINPERSID",
    b"U": "SHORT_BINSTRING", b"T": "BINSTRING", b"C": "SHORT_BINBYTES", b"B": "BINBYTES",
    b"\x8e": "BINBYTES8",
    # Refused: they construct arbitrary objects, run code or are never in a checkpoint.
    b"i": "INST", b"o": "OBJ", b"\x81": "NEWOBJ", b"\x92": "NEWOBJ_EX", b"P": "PERSID",
    b"\x82": "EXT1", b"\x83": "EXT2", b"\x84": "EXT4", b"I": "INT", b"L": "LONG",
    b"S": "STRING", b"V": "UNICODE", b"F": "FLOAT", b"p": "PUT", b"g": "GET",
    b"\x8f": "EMPTY_SET", b"\x90": "ADDITEMS", b"\x91": "FROZENSET", b"\x96": "BYTEARRAY8",
    b"\x97": "NEXT_BUFFER", b"\x98": "READONLY_BUFFER", b"l": "LIST", b"d": "DICT",
}
_KEY_TYPES = (str, int, float, bool, bytes, type(None))


class Builder:
    """An allow-listed global: ``REDUCE`` on it calls ``build(args)``, nothing else.

    ``build`` is None for names that are only markers (a storage type, a dtype): they may
    be passed as arguments but not called.
    """

    __slots__ = ("name", "build", "value")

    def __init__(self, name: str, build: Callable[[tuple], Any] | None = None,
                 value: Any = None) -> None:
        self.name = name
        self.build = build
        self.value = value

    def __repr__(self) -> str:
        return self.name


class _Mark:
    __slots__ = ()


_MARK = _Mark()


def _describe(value: Any) -> str:
    """A short, safe description of a value (never a repr of a deep structure)."""
    if isinstance(value, Builder):
        return value.name
    if isinstance(value, (int, float, bool, type(None))):
        return repr(value)[:40]
    if isinstance(value, (str, bytes)):
        return repr(value[:40])
    return type(value).__name__


class _Machine:
    """One run of the interpreter over ``data[position:]``."""

    def __init__(self, data: bytes | memoryview, position: int, source: str,
                 find_global: Callable[[str, str], Builder | None],
                 persistent_load: Callable[[Any], Any] | None) -> None:
        self.data = memoryview(data)
        self.position = position
        self.source = source
        self.find_global = find_global
        self.persistent_load = persistent_load
        self.stack: list[Any] = []
        self.marks: list[list[Any]] = []
        self.memo: dict[int, Any] = {}
        # Depth of each container as built so far, by identity (the object is kept so its
        # id is not reused): a deep bomb built bottom-up is refused as soon as it is deep.
        self.depths: dict[int, tuple[Any, int]] = {}

    def fail(self, rule: str) -> CheckpointError:
        return CheckpointError(f"{self.source}: refused pickle data at byte {self.position}: "
                               f"{rule}. bricks reads pickles opcode by opcode and never runs "
                               f"code from a file")

    # ----------------------------------------------------------------- raw reads
    def take(self, count: int) -> memoryview:
        end = self.position + count
        if count < 0 or end > len(self.data):
            raise self.fail(f"needs {count} more bytes but the data ends "
                            f"{len(self.data) - self.position} bytes later")
        chunk = self.data[self.position:end]
        self.position = end
        return chunk

    def unpack(self, fmt: str) -> Any:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def line(self) -> str:
        rest = self.data[self.position:self.position + 1024].tobytes()
        end = rest.find(b"\n")
        if end < 0:
            raise self.fail("a GLOBAL name is not terminated within 1024 bytes")
        self.position += end + 1
        try:
            return rest[:end].decode("ascii")
        except UnicodeDecodeError:
            raise self.fail("a GLOBAL name is not ASCII") from None

    def text(self, count: int) -> str:
        try:
            return str(self.take(count), "utf-8")
        except UnicodeDecodeError:
            raise self.fail("a string is not valid UTF-8") from None

    # ----------------------------------------------------------------- stack
    def push(self, value: Any) -> None:
        if len(self.stack) >= MAX_STACK:
            raise self.fail(f"the stack grows beyond {MAX_STACK} items")
        self.stack.append(value)

    def pop(self) -> Any:
        if not self.stack:
            raise self.fail("an opcode needs a value but the stack is empty")
        return self.stack.pop()

    def top(self) -> Any:
        if not self.stack:
            raise self.fail("an opcode needs a value but the stack is empty")
        return self.stack[-1]

    def pop_mark(self) -> list[Any]:
        if not self.marks:
            raise self.fail("an opcode needs a MARK but none is open")
        items = self.stack
        self.stack = self.marks.pop()
        return items

    def put(self, index: int) -> None:
        if len(self.memo) >= MAX_MEMO and index not in self.memo:
            raise self.fail(f"the memo grows beyond {MAX_MEMO} entries")
        self.memo[index] = self.top()

    def get(self, index: int) -> None:
        if index not in self.memo:
            raise self.fail(f"memo entry {index} is read before it is written")
        self.push(self.memo[index])

    # ----------------------------------------------------------------- containers
    def depth_of(self, value: Any) -> int:
        known = self.depths.get(id(value))
        return known[1] if known is not None else 0

    def contains(self, container: Any, items: list[Any] | tuple) -> Any:
        """Record that ``container`` now holds ``items``; refuse it once too deep."""
        depth = max(self.depth_of(container), 1 + max(map(self.depth_of, items), default=0))
        if depth > MAX_DEPTH:
            raise self.fail(f"containers nest deeper than {MAX_DEPTH} levels")
        self.depths[id(container)] = (container, depth)
        return container

    def set_items(self, target: Any, items: list[Any]) -> None:
        if type(target) is not dict and not _is_ordered_dict(target):
            raise self.fail(f"SETITEM(S) on {_describe(target)}, expected a dict")
        if len(items) % 2:
            raise self.fail("SETITEMS with an odd number of items")
        for key, value in zip(items[::2], items[1::2]):
            if not isinstance(key, _KEY_TYPES):
                raise self.fail(f"a dict key is a {_describe(key)}; expected a str, int, "
                                f"float, bool, bytes or None")
            target[key] = value
        self.contains(target, items[1::2])

    def append_items(self, target: Any, items: list[Any]) -> None:
        if type(target) is not list:
            raise self.fail(f"APPEND(S) on {_describe(target)}, expected a list")
        target.extend(items)
        self.contains(target, items)

    def reduce(self) -> None:
        args = self.pop()
        function = self.pop()
        if not isinstance(function, Builder) or function.build is None:
            raise self.fail(f"REDUCE calls {_describe(function)}, which is not one of the "
                            f"allowed builders")
        if type(args) is not tuple:
            raise self.fail(f"REDUCE arguments for {function.name} are a "
                            f"{_describe(args)}, expected a tuple")
        try:
            self.push(function.build(args))
        except CheckpointError:
            raise
        except (TypeError, ValueError, IndexError, KeyError, OverflowError) as exc:
            raise self.fail(f"{function.name} rejects its arguments ({exc})") from None

    def build(self) -> None:
        state = self.pop()
        target = self.top()
        # An OrderedDict state dict carries `_metadata` (module versions) as its instance
        # state: bricks keeps the tensors and drops that record, as no attribute is set.
        if _is_ordered_dict(target) and (state is None or type(state) is dict):
            return
        raise self.fail(f"BUILD sets the state of {_describe(target)}, which only an "
                        f"OrderedDict may receive here")

    def global_(self, module: str, name: str) -> None:
        builder = self.find_global(module, name)
        if builder is None:
            raise self.fail(f"global {module}.{name} is not allowed (only tensors, "
                            f"storages and plain containers are)")
        self.push(builder)

    def persistent(self) -> None:
        pid = self.pop()
        if self.persistent_load is None:
            raise self.fail("a persistent id appears outside a PyTorch checkpoint")
        self.push(self.persistent_load(pid))

    # ----------------------------------------------------------------- the loop
    def run(self) -> tuple[Any, int]:
        while True:
            if self.position >= len(self.data):
                raise self.fail("the data ends before the STOP opcode")
            code = bytes(self.data[self.position:self.position + 1])
            self.position += 1
            if code == b".":
                value = self.pop()
                if self.stack or self.marks:
                    raise self.fail("STOP leaves values on the stack")
                return value, self.position
            handler = _HANDLERS.get(code)
            if handler is None:
                name = _NAMES.get(code, f"0x{code.hex()}")
                raise self.fail(f"opcode {name} is not allowed")
            handler(self)


def _is_ordered_dict(value: Any) -> bool:
    import collections

    return type(value) is collections.OrderedDict


def _tuple(machine: _Machine, count: int) -> None:
    if len(machine.stack) < count:
        raise machine.fail(f"a TUPLE{count} needs {count} values on the stack")
    items = machine.stack[len(machine.stack) - count:]
    del machine.stack[len(machine.stack) - count:]
    machine.push(machine.contains(tuple(items), items))


def _tuple_mark(machine: _Machine) -> None:
    items = machine.pop_mark()
    machine.push(machine.contains(tuple(items), items))


def _mark(machine: _Machine) -> None:
    if len(machine.marks) >= MAX_MARKS:
        raise machine.fail(f"more than {MAX_MARKS} MARKs are open (nesting too deep)")
    machine.marks.append(machine.stack)
    machine.stack = []


def _proto(machine: _Machine) -> None:
    version = machine.unpack("<B")
    if version > 5:
        raise machine.fail(f"pickle protocol {version} is unknown")


def _long(machine: _Machine, fmt: str) -> None:
    count = machine.unpack(fmt)
    if count > MAX_LONG_BYTES:
        raise machine.fail(f"an integer of {count} bytes is larger than a checkpoint needs")
    machine.push(int.from_bytes(machine.take(count), "little", signed=True))


def _string(machine: _Machine, fmt: str) -> None:
    raw = machine.take(machine.unpack(fmt))
    try:  # Python 2's str: PyTorch reads it as UTF-8 (its default encoding)
        machine.push(str(raw, "utf-8"))
    except UnicodeDecodeError:
        raise machine.fail("a byte string is not valid UTF-8") from None


def _stack_global(machine: _Machine) -> None:
    name = machine.pop()
    module = machine.pop()
    if type(module) is not str or type(name) is not str:
        raise machine.fail("STACK_GLOBAL needs two strings")
    machine.global_(module, name)


def _setitem(machine: _Machine) -> None:
    value = machine.pop()
    key = machine.pop()
    machine.set_items(machine.top(), [key, value])


def _setitems(machine: _Machine) -> None:
    items = machine.pop_mark()
    machine.set_items(machine.top(), items)


def _append(machine: _Machine) -> None:
    value = machine.pop()
    machine.append_items(machine.top(), [value])


def _appends(machine: _Machine) -> None:
    items = machine.pop_mark()
    machine.append_items(machine.top(), items)


def _memoize(machine: _Machine) -> None:
    machine.put(len(machine.memo))


def _frame(machine: _Machine) -> None:
    machine.unpack("<Q")  # a framing hint only: the opcodes follow as usual


_HANDLERS: dict[bytes, Callable[[_Machine], None]] = {
    b"(": _mark,
    b"0": lambda m: m.pop(),
    b"1": lambda m: m.pop_mark().clear(),
    b"2": lambda m: m.push(m.top()),
    b"J": lambda m: m.push(m.unpack("<i")),
    b"K": lambda m: m.push(m.unpack("<B")),
    b"M": lambda m: m.push(m.unpack("<H")),
    b"N": lambda m: m.push(None),
    b"\x88": lambda m: m.push(True),
    b"\x89": lambda m: m.push(False),
    b"G": lambda m: m.push(m.unpack(">d")),
    b"\x8a": lambda m: _long(m, "<B"),
    b"\x8b": lambda m: _long(m, "<i"),
    b"X": lambda m: m.push(m.text(m.unpack("<I"))),
    b"\x8c": lambda m: m.push(m.text(m.unpack("<B"))),
    b"\x8d": lambda m: m.push(m.text(m.unpack("<Q"))),
    b"U": lambda m: _string(m, "<B"),
    b"T": lambda m: _string(m, "<i"),
    b"C": lambda m: m.push(m.take(m.unpack("<B")).tobytes()),
    b"B": lambda m: m.push(m.take(m.unpack("<I")).tobytes()),
    b"\x8e": lambda m: m.push(m.take(m.unpack("<Q")).tobytes()),
    b"]": lambda m: m.push([]),
    b"}": lambda m: m.push({}),
    b")": lambda m: m.push(()),
    b"t": lambda m: _tuple_mark(m),
    b"\x85": lambda m: _tuple(m, 1),
    b"\x86": lambda m: _tuple(m, 2),
    b"\x87": lambda m: _tuple(m, 3),
    b"a": _append,
    b"e": _appends,
    b"s": _setitem,
    b"u": _setitems,
    b"q": lambda m: m.put(m.unpack("<B")),
    b"r": lambda m: m.put(m.unpack("<I")),
    b"h": lambda m: m.get(m.unpack("<B")),
    b"j": lambda m: m.get(m.unpack("<I")),
    b"\x94": _memoize,
    b"\x95": _frame,
    b"\x80": _proto,
    b"c": lambda m: m.global_(m.line(), m.line()),
    b"\x93": _stack_global,
    b"R": lambda m: m.reduce(),
    b"b": lambda m: m.build(),
    b"Q": lambda m: m.persistent(),
}


def _is_container(value: Any) -> bool:
    return type(value) in (list, tuple) or isinstance(value, dict)


def _children(value: Any) -> list[Any]:
    if type(value) in (list, tuple):
        return list(value)
    if isinstance(value, dict):
        return list(value.values())
    return []


def check_structure(root: Any, source: str) -> None:
    """Refuse cycles, nesting deeper than ``MAX_DEPTH`` and exponential sharing.

    Iterative, so a hostile structure cannot exhaust the interpreter's own stack; each
    container is expanded once, with its depth and path count kept by identity.
    """
    depth: dict[int, int] = {}
    nodes: dict[int, int] = {}
    visiting: set[int] = set()
    pending: list[tuple[Any, bool]] = [(root, False)]
    while pending:
        value, expanded = pending.pop()
        key = id(value)
        containers = [c for c in _children(value) if _is_container(c)]
        if expanded:
            visiting.discard(key)
            depth[key] = 1 + max((depth[id(c)] for c in containers), default=0)
            nodes[key] = 1 + len(_children(value)) + sum(nodes[id(c)] for c in containers)
            if depth[key] > MAX_DEPTH:
                raise CheckpointError(f"{source}: the pickled object nests containers deeper "
                                      f"than {MAX_DEPTH} levels")
            if nodes[key] > MAX_NODES:
                raise CheckpointError(f"{source}: the pickled object reaches more than "
                                      f"{MAX_NODES} values through shared containers")
            continue
        if key in depth:
            continue
        if key in visiting:
            raise CheckpointError(f"{source}: the pickled object contains itself (a cycle)")
        if not _is_container(value):
            continue
        visiting.add(key)
        pending.append((value, True))
        pending.extend((c, False) for c in containers)


def unpickle(data: bytes | memoryview, source: str,
             find_global: Callable[[str, str], Builder | None],
             persistent_load: Callable[[Any], Any] | None = None,
             position: int = 0) -> tuple[Any, int]:
    """Interpret one pickle in ``data`` from ``position``; return the value and its end.

    Args:
        data: the bytes holding the pickle.
        source: the file's name, for errors.
        find_global: maps ``(module, name)`` to a ``Builder``, or None to refuse it.
        persistent_load: resolves ``BINPERSID`` ids (None refuses them).
        position: where the pickle starts.

    Raises:
        CheckpointError: for any opcode, global or value outside the allowed set, and for
            truncated, oversized or cyclic data.
    """
    machine = _Machine(data, position, source, find_global, persistent_load)
    value, end = machine.run()
    check_structure(value, source)
    return value, end
