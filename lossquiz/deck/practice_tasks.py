"""Practice tasks: `practice/<card-id>.py` files next to a deck's cards, read without running them.

A task file holds the conventions the user must follow (FUNCTION, DOCSTRING), the test cases
(CASES, STABILITY, NO_GRAD), the inputs whose gradients are checked (GRAD), a model solution
(the top-level function named FUNCTION), an independent `reference(**inputs)` and an
`inputs(generator, case)` generator. Only the checker in the worker imports them (with
torch); here they are parsed with `ast` and validated, every problem listed at once.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lossquiz.deck.cards import Card, Deck, find_card
from lossquiz.errors import DeckError, UnknownCardError

PRACTICE_DIR = "practice"  # in the deck (tasks) and in the data directory (the user's attempts)
REQUIRED_CONSTANTS = ("FUNCTION", "DOCSTRING", "REFERENCE", "CASES", "GRAD")
REQUIRED_FUNCTIONS = ("inputs", "reference")


@dataclass(frozen=True, slots=True)
class Task:
    """One practice task, as read (without running it) from `practice/<card-id>.py`."""

    card_id: str
    function: str
    docstring: str
    signature: str  # the model solution's `def` line(s)
    parameters: tuple[str, ...]
    solution: str  # the model solution's source
    reference: str  # how the reference value is computed
    builtins: tuple[str, ...]  # BUILTIN: the library calls that compute this whole loss (reported when called)
    cases: tuple[str, ...]
    grad: tuple[str, ...]
    path: Path


def load_tasks(deck: Deck) -> dict[str, Task]:
    """Every practice task of the deck by card id; DeckError lists every problem found."""
    folder = deck.root / PRACTICE_DIR
    if not folder.is_dir():
        return {}
    problems: list[str] = []
    tasks: dict[str, Task] = {}
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_"):
            continue
        task = _parse_task(path, deck, problems)
        if task is not None:
            tasks[task.card_id] = task
    if problems:
        raise DeckError(problems)
    return tasks


def _parse_task(path: Path, deck: Deck, problems: list[str]) -> Task | None:
    where = _display(path, deck.root)
    before = len(problems)
    try:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as e:
        problems.append(f"{where}:{e.lineno or 0}: syntax error: {e.msg}")
        return None
    except (OSError, UnicodeDecodeError, ValueError) as e:
        problems.append(f"{where}: cannot read: {e}")
        return None
    constants, functions = _top_level(tree, where, problems)
    card_id = path.stem
    if card_id not in deck.by_id:
        problems.append(f"{where}: no card '{card_id}' in the deck (the file name is the card id)")
    for name in REQUIRED_CONSTANTS:
        if name not in constants:
            problems.append(f"{where}: missing {name}")
    for name in REQUIRED_FUNCTIONS:
        if name not in functions:
            problems.append(f"{where}: missing def {name}(...)")
    function = constants.get("FUNCTION")
    docstring = constants.get("DOCSTRING")
    cases = constants.get("CASES")
    grad = constants.get("GRAD")
    builtins = constants.get("BUILTIN", ())
    if isinstance(builtins, str):
        builtins = (builtins,)
    if not (isinstance(builtins, (list, tuple)) and all(isinstance(b, str) and b.isidentifier() for b in builtins)):
        problems.append(f"{where}: BUILTIN must be a function name or a tuple of them")
        builtins = ()
    if function is not None and not (isinstance(function, str) and function.isidentifier()):
        problems.append(f"{where}: FUNCTION must be a Python name")
    elif isinstance(function, str) and function not in functions:
        problems.append(f"{where}: FUNCTION is '{function}' but no def {function}(...) (the model solution)")
    if docstring is not None and not (isinstance(docstring, str) and docstring.strip() and '"""' not in docstring):
        problems.append(f'{where}: DOCSTRING must be non-empty text without """')
    if not isinstance(constants.get("REFERENCE", ""), str):
        problems.append(f"{where}: REFERENCE must be text")
    if cases is not None and not (
        isinstance(cases, list) and cases and all(isinstance(c, str) for c in cases) and len(set(cases)) == len(cases)
    ):
        problems.append(f"{where}: CASES must be a non-empty list of distinct case names")
        cases = None
    for name in ("STABILITY", "NO_GRAD"):
        subset = constants.get(name, set())
        if not (isinstance(subset, (set, list, tuple)) and all(isinstance(c, str) for c in subset)):
            problems.append(f"{where}: {name} must be a set of case names")
        elif cases is not None and set(subset) - set(cases):
            problems.append(f"{where}: {name} names unknown cases: {', '.join(sorted(set(subset) - set(cases)))}")
    tolerance = constants.get("TOLERANCE", {})
    if not (isinstance(tolerance, dict) and all(isinstance(v, (int, float)) for v in tolerance.values())):
        problems.append(f"{where}: TOLERANCE must map rtol/atol to numbers")
    solution = functions.get(function) if isinstance(function, str) else None
    parameters: tuple[str, ...] = ()
    if solution is not None:
        args = solution.args
        parameters = tuple(a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs))
        if solution.body[0].lineno == solution.lineno:
            problems.append(f"{where}:{solution.lineno}: the body of {function}() must start on its own line")
    if grad is not None:
        if not (isinstance(grad, (list, tuple)) and all(isinstance(g, str) for g in grad)):
            problems.append(f"{where}: GRAD must be a tuple of input names")
        elif solution is not None and set(grad) - set(parameters):
            problems.append(
                f"{where}: GRAD names inputs {function}() does not take: {', '.join(set(grad) - set(parameters))}"
            )
    if len(problems) > before or solution is None:
        return None
    assert isinstance(function, str) and isinstance(docstring, str) and isinstance(cases, list)
    lines = source.splitlines()
    return Task(
        card_id=card_id,
        function=function,
        docstring=docstring.strip("\n"),
        signature="\n".join(lines[solution.lineno - 1 : solution.body[0].lineno - 1]).rstrip(),
        parameters=parameters,
        solution=ast.get_source_segment(source, solution) or "",
        reference=str(constants["REFERENCE"]),
        builtins=tuple(builtins),
        cases=tuple(cases),
        grad=tuple(grad or ()),
        path=path,
    )


def _top_level(tree: ast.Module, where: str, problems: list[str]) -> tuple[dict[str, Any], dict[str, ast.FunctionDef]]:
    """UPPER_CASE literal constants and function definitions at the top of a task file."""
    constants: dict[str, Any] = {}
    functions: dict[str, ast.FunctionDef] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            functions[node.name] = node
            continue
        target, value = None, None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        if not (isinstance(target, ast.Name) and target.id.isupper()) or value is None:
            continue
        if target.id in (*REQUIRED_CONSTANTS, "STABILITY", "NO_GRAD", "TOLERANCE", "TITLE", "BUILTIN"):
            try:
                constants[target.id] = ast.literal_eval(value)
            except ValueError:
                problems.append(f"{where}:{node.lineno}: {target.id} must be a literal (text, list, set, dict)")
    return constants, functions


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def find_task(deck: Deck, tasks: dict[str, Task], query: str) -> tuple[Card, Task]:
    """The card a query names and its task; a card without one suggests a practicable relative, and
    a near miss suggests the cards that have a task (by id, alias or function name: focall -> focal)."""
    names = {n: c.id for c in deck.cards if c.id in tasks for n in (c.id, *c.aliases)}
    names.update({t.function.replace("_", "-"): card_id for card_id, t in tasks.items()})  # as normalised
    card = find_card(deck, query, suggest=names if tasks else None)
    task = tasks.get(card.id)
    if task is not None:
        return card, task
    if not tasks:
        raise UnknownCardError("this deck has no implement-it tasks (no practice/ folder)")
    related = [
        c.id
        for c in deck.cards
        if c.id in tasks and ((card.snippet and c.snippet == card.snippet) or c.family == card.family)
    ]
    hint = f"; try {', '.join(repr(r) for r in related[:3])}" if related else ""
    raise UnknownCardError(f"card '{card.id}' has no implement-it task{hint} (`lossquiz code list` shows them all)")
