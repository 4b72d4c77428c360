"""Reading einsum equations: one letter per dimension, checked against the operand shapes.

``parse`` turns an equation such as ``'...ij,...jk->...ik'`` and the operand shapes into
explicit subscripts: an ellipsis becomes letters that the equation does not use, aligned to
the right as PyTorch broadcasts it, and the implicit output (no ``->``) is spelt out. Every
mistake raises PyTorch's RuntimeError, saying what was expected and what was got.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Sequence

__all__ = ["Equation", "parse", "label_sizes"]

# PyTorch's subscripts, in the order its implicit output sorts them: A-Z, then a-z.
_LETTERS = string.ascii_uppercase + string.ascii_lowercase
_ELLIPSIS = "..."


@dataclass(frozen=True)
class Equation:
    """An einsum with every dimension named by one letter.

    Attributes:
        inputs: the subscripts of each operand, one letter per dimension.
        output: the subscripts of the result.
    """

    inputs: tuple[str, ...]
    output: str

    @property
    def text(self) -> str:
        """The equation as NumPy's einsum reads it, such as ``'ij,jk->ik'``."""
        return ",".join(self.inputs) + "->" + self.output

    @property
    def sums(self) -> bool:
        """Whether some subscript of the operands is summed away (absent from the output)."""
        return any(letter not in self.output for term in self.inputs for letter in term)


def parse(equation: str, shapes: Sequence[tuple[int, ...]]) -> Equation:
    """Read ``equation`` for operands of ``shapes``: explicit subscripts, checked.

    Args:
        equation: PyTorch's einsum equation (letters, ``,``, ``->``, ``...``, spaces).
        shapes: the shape of each operand.

    Returns:
        The equation with the ellipsis and the implicit output spelt out as letters.

    Raises:
        RuntimeError: for a malformed equation, a count of operands or of dimensions that
            does not match it, or sizes of one subscript that do not broadcast.
    """
    left, arrow, right = equation.partition("->")
    terms, start = [], 0
    for k, term in enumerate(left.split(",")):
        terms.append(_subscripts(term, start, f"operand {k}"))
        start += len(term) + 1
    if len(terms) != len(shapes):
        fewer = "fewer" if len(shapes) < len(terms) else "more"
        raise RuntimeError(f"einsum(): {fewer} operands were provided than specified in the "
                           f"equation: it names {len(terms)}, got {len(shapes)}")
    covered = [_ellipsis_dims(term, len(shape), k) for k, (term, shape) in
               enumerate(zip(terms, shapes))]
    filler = _ellipsis_letters(terms, max(covered))
    inputs = tuple(_expand(term, filler[len(filler) - n:]) for term, n in zip(terms, covered))
    if arrow:
        output = _expand(_subscripts(right, len(left) + 2, "the output"), filler)
        _check_output(output, inputs)
    else:
        once = [c for c in _LETTERS if sum(term.count(c) for term in terms) == 1]
        output = filler + "".join(once)
    label_sizes(inputs, shapes, set(filler))
    return Equation(inputs, output)


def _subscripts(term: str, start: int, where: str) -> list[str]:
    """The letters of one term, with ``'...'`` as one item; spaces are skipped."""
    items: list[str] = []
    i = 0
    while i < len(term):
        c = term[i]
        if c == ".":
            if term[i:i + 3] != _ELLIPSIS:
                raise RuntimeError(f"einsum(): found '.' for {where} that is not part of any "
                                   f"ellipsis (at index {start + i} in the equation string)")
            if _ELLIPSIS in items:
                raise RuntimeError(f"einsum(): found an ellipsis for {where}, which already "
                                   f"has one (at index {start + i} in the equation string)")
            items.append(_ELLIPSIS)
            i += 3
            continue
        if c not in _LETTERS and c != " ":
            raise RuntimeError(f"einsum(): invalid subscript given at index {start + i} in the "
                               f"equation string, subscripts must be in [a-zA-Z]")
        if c != " ":
            items.append(c)
        i += 1
    return items


def _ellipsis_dims(term: list[str], ndim: int, k: int) -> int:
    """How many dimensions of operand ``k`` its ellipsis covers."""
    named = len(term) - term.count(_ELLIPSIS)
    if _ELLIPSIS not in term and named != ndim:
        raise RuntimeError(f"einsum(): the number of subscripts in the equation ({named}) does "
                           f"not match the number of dimensions ({ndim}) for operand {k} and "
                           f"no ellipsis was given")
    if named > ndim:
        raise RuntimeError(f"einsum(): the number of subscripts in the equation ({named}) is "
                           f"more than the number of dimensions ({ndim}) for operand {k}")
    return ndim - named


def _ellipsis_letters(terms: list[list[str]], count: int) -> str:
    """``count`` letters that the equation does not use, to name the ellipsis dimensions."""
    used = {c for term in terms for c in term}
    free = [c for c in _LETTERS if c not in used]
    if len(free) < count:
        raise RuntimeError(f"einsum(): the ellipsis covers {count} dimensions but only "
                           f"{len(free)} of the 52 subscripts [a-zA-Z] are left to name them")
    return "".join(free[:count])


def _expand(term: list[str], filler: str) -> str:
    return "".join(filler if c == _ELLIPSIS else c for c in term)


def _check_output(output: str, inputs: tuple[str, ...]) -> None:
    for c in output:
        if output.count(c) > 1:
            raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the "
                               f"output")
        if not any(c in term for term in inputs):
            raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                               f"equation for any input operand")


def label_sizes(inputs: Sequence[str], shapes: Sequence[tuple[int, ...]],
                ellipsis: set[str] | None = None) -> dict[str, int]:
    """The size of each subscript, broadcast over the operands (a size 1 takes the other).

    Args:
        inputs: the subscripts of each operand.
        shapes: the shape of each operand.
        ellipsis: the letters that name ellipsis dimensions, for the error message.

    Raises:
        RuntimeError: if one subscript repeated in an operand has two sizes, or if its sizes
            in two operands differ and neither is 1.
    """
    sizes: dict[str, int] = {}
    for k, (term, shape) in enumerate(zip(inputs, shapes)):
        own: dict[str, int] = {}
        for c, n in zip(term, shape):
            if own.setdefault(c, n) != n:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {k} but "
                                   f"the sizes don't match, {n} != {own[c]}")
            seen = sizes.get(c, 1)
            if seen == 1:
                sizes[c] = n
            elif n != 1 and n != seen:
                raise RuntimeError(_mismatch(c, n, seen, k, term, ellipsis or set()))
    return sizes


def _mismatch(c: str, n: int, seen: int, k: int, term: str, ellipsis: set[str]) -> str:
    if c in ellipsis:
        dim = term.index(c)
        return (f"einsum(): dimension {dim} covered by ellipsis in operand {k} has size {n} "
                f"which does not broadcast with previously seen ellipsis with size {seen} for "
                f"the respective dimension")
    return (f"einsum(): subscript {c} has size {n} for operand {k} which does not broadcast "
            f"with previously seen size {seen}")
