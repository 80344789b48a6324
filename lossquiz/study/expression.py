"""The expression language of formula cards: parse what the user typed, and echo it as math.

Parsing is Python's own `ast` (mode "eval") behind a whitelist of node types, operators,
functions and names: nothing typed is ever `eval`ed. `^` means power (as in math, not XOR).
The worker (lossquiz.worker.formula_eval) re-parses the same text with this module and walks
the tree with torch; this side stays torch-free so the CLI can re-prompt instantly.

Limits keep any input cheap: at most MAX_LENGTH characters, MAX_DEPTH levels of nesting and
MAX_NODES nodes, and number literals of at most 1e6 in size (all arithmetic is float64 in the worker, so
`9^9^9` is inf, not a hang).
"""

from __future__ import annotations

import ast
import difflib
import math
import unicodedata
from dataclasses import dataclass

MAX_LENGTH = 400
MAX_DEPTH = 40
MAX_NODES = 300
MAX_LITERAL = 1e6

# name -> (smallest, largest) number of arguments; an axis argument must be an integer literal
FUNCTIONS: dict[str, tuple[int, int]] = {
    "abs": (1, 1),
    "exp": (1, 1),
    "log": (1, 1),
    "ln": (1, 1),
    "log2": (1, 1),
    "log10": (1, 1),
    "log1p": (1, 1),
    "sqrt": (1, 1),
    "sigmoid": (1, 1),
    "logsigmoid": (1, 1),
    "softplus": (1, 1),
    "tanh": (1, 1),
    "relu": (1, 1),
    "sign": (1, 1),
    "max": (2, 2),
    "min": (2, 2),
    "clip": (3, 3),
    "where": (3, 3),
    "sum": (1, 2),
    "mean": (1, 2),
    "logsumexp": (1, 2),
    "softmax": (1, 2),
    "log_softmax": (1, 2),
    "norm": (1, 2),
    "transpose": (1, 1),
    "onehot": (2, 2),
    "gather": (2, 2),
}
AXIS_ARGUMENT = {"sum", "mean", "logsumexp", "softmax", "log_softmax", "norm"}  # the optional 2nd argument
CONSTANTS = {"pi": math.pi}

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.MatMult: "@"}
_UNARY = {ast.USub: "-", ast.UAdd: "+"}
_COMPARE = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
_TYPED = str.maketrans({"−": "-", "·": "*", "×": "*", "÷": "/", "≤": "<=", "≥": ">=", "²": "^2", "³": "^3"})


class ExpressionError(ValueError):
    """What is wrong with a typed expression, in one line the user can act on."""


@dataclass(frozen=True, slots=True)
class Parsed:
    """A validated expression: its tree, a canonical source text, and the names it uses."""

    tree: ast.Expression
    source: str  # canonical Python text (`**` for power), what the worker re-parses
    names: frozenset[str]

    def pretty(self) -> str:
        """The expression as unicode math: `0.5*r^2` -> `½·r²`."""
        return pretty(self.tree.body)


def allowed_names(names: list[str] | tuple[str, ...]) -> str:
    """The names a card allows, for a re-prompt: variables first, then functions and constants."""
    return f"variables: {', '.join(names)} · functions: {', '.join(FUNCTIONS)} · constants: {', '.join(CONSTANTS)}"


def parse(text: str, names: list[str] | tuple[str, ...]) -> Parsed:
    """Parse `text` in the card's language; raise ExpressionError with a clear reason."""
    text = text.strip().translate(_TYPED).replace("^", "**")
    if not text:
        raise ExpressionError("type an expression, e.g. 0.5*r^2")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression too long ({len(text)} characters; at most {MAX_LENGTH})")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as e:
        raise ExpressionError(f"cannot read that ({e.msg}) — {allowed_names(tuple(names))}") from None
    except (ValueError, RecursionError, MemoryError) as e:  # null bytes, absurd nesting
        raise ExpressionError(f"cannot read that: {type(e).__name__}") from None
    _LetterNames(tuple(names)).visit(tree)
    checker = _Checker(tuple(names))
    checker.check(tree.body, 0)
    return Parsed(tree=tree, source=ast.unparse(tree), names=frozenset(checker.used))


class _LetterNames(ast.NodeTransformer):
    """`δ*abs(r)` as `delta*abs(r)`: the echo writes names as Greek letters and estimates with a hat,
    so what it writes, typed, is read as the card's variable (`ŷ` as y_hat, `σ(z)` as sigmoid(z), `π` as pi)."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = (*names, *CONSTANTS)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if isinstance(node.func, ast.Name) and node.func.id == "σ":
            node.func.id = "sigmoid"
        return self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> ast.AST:
        spelled = [name for name in self.names if _name_text(name) == node.id]  # δ, π, ŷ: as echoed
        if spelled:
            node.id = spelled[0]
        return node


class _Checker:
    """Walks a tree and raises on anything outside the whitelist."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self.used: set[str] = set()
        self.nodes = 0

    def check(self, node: ast.AST, depth: int) -> None:
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            raise ExpressionError(f"expression too deeply nested or too large (at most {MAX_DEPTH} levels)")
        if isinstance(node, ast.Constant):
            self._constant(node)
        elif isinstance(node, ast.Name):
            self._name(node.id)
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise ExpressionError(f"operator {_op_text(node.op)} is not allowed (use + - * / ^ @)")
            self.check(node.left, depth + 1)
            self.check(node.right, depth + 1)
        elif isinstance(node, ast.UnaryOp):
            if type(node.op) not in _UNARY:
                raise ExpressionError(f"operator {_op_text(node.op)} is not allowed")
            self.check(node.operand, depth + 1)
        elif isinstance(node, ast.Compare):
            if len(node.ops) != 1 or type(node.ops[0]) not in _COMPARE:
                raise ExpressionError("one comparison at a time (< <= > >= == !=), e.g. where(abs(r) <= delta, …)")
            self.check(node.left, depth + 1)
            self.check(node.comparators[0], depth + 1)
        elif isinstance(node, ast.Call):
            self._call(node, depth)
        else:
            raise ExpressionError(f"{_describe(node)} is not part of the expression language")

    def _constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ExpressionError(f"{value!r} is not a number")
        if not math.isfinite(float(value)) or abs(value) > MAX_LITERAL:
            raise ExpressionError(f"number {value:g} is too large (at most {MAX_LITERAL:g})")

    def _name(self, name: str) -> None:
        if name in self.names or name in CONSTANTS:
            self.used.add(name)
            return
        if name in FUNCTIONS:
            raise ExpressionError(f"{name} is a function: call it, e.g. {name}(x)")
        guess = _did_you_mean(name, (*self.names, *CONSTANTS))
        raise ExpressionError(f"unknown name '{name}'{guess} — {allowed_names(self.names)}")

    def _call(self, node: ast.Call, depth: int) -> None:
        if not isinstance(node.func, ast.Name):
            raise ExpressionError("only the listed functions can be called, e.g. exp(x)")
        name = node.func.id
        if name not in FUNCTIONS:
            guess = _did_you_mean(name, tuple(FUNCTIONS))
            raise ExpressionError(f"unknown function '{name}'{guess} — {allowed_names(self.names)}")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise ExpressionError(f"{name}() takes plain arguments, e.g. sum(x, 0)")
        low, high = FUNCTIONS[name]
        if not low <= len(node.args) <= high:
            count = str(low) if low == high else f"{low} or {high}"
            raise ExpressionError(f"{name}() takes {count} argument{'s' if high > 1 else ''}, got {len(node.args)}")
        for i, arg in enumerate(node.args):
            if i == 1 and name in AXIS_ARGUMENT:
                if axis_value(arg) is None:
                    raise ExpressionError(f"the axis of {name}() must be a whole number such as 0, 1 or -1")
                continue
            self.check(arg, depth + 1)


def _did_you_mean(name: str, known: tuple[str, ...]) -> str:
    """` (did you mean softmax?)` for a name close to a known one (softmaxx, sigmoid_), else nothing."""
    by_lower = {k.lower(): k for k in known}
    close = difflib.get_close_matches(name.lower(), by_lower, n=1, cutoff=0.75)
    return f" (did you mean {by_lower[close[0]]}?)" if close else ""


def axis_value(node: ast.AST) -> int | None:
    """An integer literal (possibly negated) used as an axis, else None."""
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        sign, node = -1, node.operand
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return sign * node.value if abs(node.value) < 32 else None
    return None


def _op_text(op: ast.AST) -> str:
    return {"BitXor": "^", "BitAnd": "&", "BitOr": "|", "FloorDiv": "//", "Mod": "%", "Not": "not", "Invert": "~"}.get(
        type(op).__name__, type(op).__name__
    )


def _describe(node: ast.AST) -> str:
    kinds = {
        "Attribute": "attribute access (a.b)",
        "Subscript": "indexing (x[i])",
        "Lambda": "lambda",
        "IfExp": "'a if c else b' (use where(c, a, b))",
        "BoolOp": "and/or",
        "Tuple": "a tuple",
        "List": "a list",
        "JoinedStr": "a string",
        "NamedExpr": ":=",
    }
    return kinds.get(type(node).__name__, f"'{type(node).__name__}'")


# -- echo as unicode math ---------------------------------------------------------------------

GREEK = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "eps": "ε",
    "epsilon": "ε",
    "eta": "η",
    "theta": "θ",
    "kappa": "κ",
    "lam": "λ",
    "lmbda": "λ",
    "mu": "μ",
    "nu": "ν",
    "rho": "ρ",
    "sigma": "σ",
    "tau": "τ",
    "phi": "φ",
    "pi": "π",
    "omega": "ω",
}
_FUNCTION_TEXT = {"sigmoid": "σ", "logsigmoid": "ln σ", "sum": "Σ", "log": "ln", "ln": "ln"}
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_FRACTIONS = {0.5: "½", 0.25: "¼", 0.75: "¾", 1 / 3: "⅓", 2 / 3: "⅔"}
_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.MatMult: 2, ast.Pow: 4}
_SHOWN = {ast.Add: " + ", ast.Sub: " − ", ast.Mult: "·", ast.Div: "/", ast.MatMult: " @ "}
_COMPARE_TEXT = {ast.Lt: " < ", ast.LtE: " ≤ ", ast.Gt: " > ", ast.GtE: " ≥ ", ast.Eq: " = ", ast.NotEq: " ≠ "}


def pretty(node: ast.AST) -> str:
    """A validated node as unicode math."""
    return _pretty(node)[0]


def _pretty(node: ast.AST) -> tuple[str, int]:
    """(text, precedence): 5 atoms and calls, 4 power, 3 unary minus, 2 products, 1 sums, 0 comparisons."""
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, float) and any(math.isclose(value, f, rel_tol=1e-12) for f in _FRACTIONS):
            return next(t for f, t in _FRACTIONS.items() if math.isclose(value, f, rel_tol=1e-12)), 5
        return (f"{value:g}" if isinstance(value, float) else str(value)), 5
    if isinstance(node, ast.Name):
        return _name_text(node.id), 5
    if isinstance(node, ast.UnaryOp):
        inner, prec = _pretty(node.operand)
        sign = "−" if isinstance(node.op, ast.USub) else "+"
        return sign + (inner if prec >= 3 else f"({inner})"), 3
    if isinstance(node, ast.Compare):
        left, right = _pretty(node.left)[0], _pretty(node.comparators[0])[0]
        return left + _COMPARE_TEXT[type(node.ops[0])] + right, 0
    if isinstance(node, ast.BinOp):
        return _binary(node)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return _call_text(node.func.id, node.args), 5
    return ast.unparse(node), 5


def _name_text(name: str) -> str:
    """`tau` as τ; an estimate `y_hat` as ŷ and `eps_hat` as ε̂, as the cards' prose writes them."""
    base = name.removesuffix("_hat")
    if base != name and ((len(base) == 1 and base.isalpha()) or base in GREEK):
        return unicodedata.normalize("NFC", GREEK.get(base, base) + "\u0302")  # y + circumflex = ŷ
    return GREEK.get(name, name)


def _binary(node: ast.BinOp) -> tuple[str, int]:
    prec = _PRECEDENCE[type(node.op)]
    left, lp = _pretty(node.left)
    right, rp = _pretty(node.right)
    if isinstance(node.op, ast.Pow):
        base = left if lp >= 5 else f"({left})"
        exponent = _constant_text(node.right)
        if exponent is not None and set(exponent) <= set("0123456789-"):
            return base + exponent.translate(_SUPERSCRIPT), 4
        return f"{base}^{right if rp >= 5 else f'({right})'}", 4
    left = left if lp >= prec else f"({left})"
    # a − (b + c), a/(b·c), and a·(k @ q): read left to right, a·k @ q is (a·k) @ q
    tight = isinstance(node.op, (ast.Sub, ast.Div, ast.MatMult)) or (
        isinstance(node.right, ast.BinOp) and isinstance(node.right.op, ast.MatMult)
    )
    right = right if rp > prec or (rp == prec and not tight) else f"({right})"
    return left + _SHOWN[type(node.op)] + right, prec


def _constant_text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return _pretty(node)[0]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        inner = _constant_text(node.operand)
        return f"-{inner}" if inner is not None else None
    return None


def _call_text(name: str, args: list[ast.expr]) -> str:
    shown = [_pretty(a)[0] for a in args]
    if name == "abs":
        return f"|{shown[0]}|"
    if name == "sqrt":
        return f"√({shown[0]})" if _pretty(args[0])[1] < 5 else f"√{shown[0]}"
    if name == "norm":  # the L2 norm (all elements, or along an axis as logsumexp(z; axis 1) shows it);
        # never ‖x‖_1, which every reader takes for the L1 norm
        return f"‖{shown[0]}; axis {shown[1]}‖₂" if len(shown) > 1 else f"‖{shown[0]}‖"
    if name == "transpose":
        return (shown[0] if _pretty(args[0])[1] >= 5 else f"({shown[0]})") + "ᵀ"
    label = _FUNCTION_TEXT.get(name, name)
    if name in AXIS_ARGUMENT and len(shown) == 2:
        return f"{label}({shown[0]}; axis {shown[1]})"
    return f"{label}({', '.join(shown)})"
