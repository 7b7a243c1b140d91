"""The review table's view model: one page of a filtered, sorted view, and cell edits.

The table shows a page (100-200 rows) of the view, never the whole dataset. ``ViewState`` is the
small, JSON-able state a page carries between events (filter, sort, page, and the id and version of
each row shown), so an edit can be checked against the version the user saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..workspace import KINDS, SPLITS, STATUSES, ConflictError, PairFilter, PairValidationError, Workspace, WorkspaceError
from .actions import record_action
from .errors import DatasetError

PAGE_SIZES = (20, 50, 100, 200)
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Column:
    name: str  # also the pair field it shows, except "keep" and "source"
    datatype: str  # gr.Dataframe datatype: str, number, bool
    editable: bool = True


COLUMNS: tuple[Column, ...] = (
    Column("id", "number", editable=False),
    Column("keep", "bool"),
    Column("question", "str"),
    Column("answer", "str"),
    Column("source", "str", editable=False),
    Column("split", "str"),
    Column("status", "str"),
    Column("kind", "str"),
    Column("flags", "str"),
)
HEADERS = [c.name for c in COLUMNS]
DATATYPES = [c.datatype for c in COLUMNS]
STATIC_COLUMNS = [i for i, c in enumerate(COLUMNS) if not c.editable]
SORT_KEYS = ("id", "question", "answer", "kind", "split", "status", "judge_score", "document_id", "fact_id", "edited_at")
CHOICES = {"split": SPLITS, "status": STATUSES, "kind": KINDS}


@dataclass
class ViewState:
    """Filter, sort and page of the review table, plus the ids and versions of the rows shown."""

    document_id: int | None = None
    split: str | None = None
    status: str | None = None
    kind: str | None = None
    flag: str | None = None
    search: str = ""
    sort: str = "id"
    descending: bool = False
    page: int = 0
    page_size: int = DEFAULT_PAGE_SIZE
    total: int = 0
    ids: list[int] = field(default_factory=list)
    versions: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        for name in ("split", "status", "kind", "flag"):
            if getattr(self, name) in ("", "all"):
                setattr(self, name, None)
        if self.document_id in ("", "all"):
            self.document_id = None
        if self.document_id is not None:
            self.document_id = int(self.document_id)
        if self.sort not in SORT_KEYS:
            raise DatasetError(f"cannot sort by {self.sort!r}: use one of {', '.join(SORT_KEYS)}")
        self.page_size = max(1, min(int(self.page_size or DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE))
        self.page = max(0, int(self.page or 0))
        self.search = self.search or ""

    def filter(self) -> PairFilter:
        return PairFilter(document_id=self.document_id, split=self.split, status=self.status, kind=self.kind,
                          flag=self.flag, search=self.search)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    def to_dict(self) -> dict[str, Any]:
        # not dataclasses.asdict: its deep copy costs more than the page query itself
        out = {name: getattr(self, name) for name in self.__dataclass_fields__}
        out["ids"], out["versions"] = list(self.ids), list(self.versions)
        return out

    @classmethod
    def from_dict(cls, data: dict | None) -> "ViewState":
        data = dict(data or {})
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


def source_label(pair: dict) -> str:
    doc = pair.get("document") or ""
    heading = pair.get("heading_path") or ""
    return f"{doc} › {heading}" if doc and heading else doc or heading


def pair_to_row(pair: dict) -> list[Any]:
    """One pair as the table's cells, in ``COLUMNS`` order (bools are real bools: checkboxes need them)."""
    return [
        int(pair["id"]),
        pair.get("status") == "kept",
        pair.get("question") or "",
        pair.get("answer") or "",
        source_label(pair),
        pair.get("split") or "",
        pair.get("status") or "",
        pair.get("kind") or "",
        pair.get("flags") or "",
    ]


def cast_cell(column: Column, value: Any) -> Any:
    """A cell value as the browser sent it (numbers and bools may arrive as strings) -> its Python type."""
    if column.datatype == "bool":
        if isinstance(value, str):
            low = value.strip().lower()
            if low in ("true", "1", "yes", "y", "x", "✓", "sì", "si"):
                return True
            if low in ("false", "0", "no", "n", ""):
                return False
            raise DatasetError(f"{column.name}: {value!r} is not true or false")
        return bool(value) if value is not None else False
    if column.datatype == "number":
        if value in (None, ""):
            return None
        try:
            num = float(value)
        except (TypeError, ValueError):
            raise DatasetError(f"{column.name}: {value!r} is not a number") from None
        return int(num) if num.is_integer() else num
    if value is None:
        return ""
    text = str(value)
    return text.strip().lower() if column.name in CHOICES or column.name == "flags" else text


def row_to_fields(row: list[Any], current: dict | None = None) -> dict[str, Any]:
    """Table cells -> the pair fields they edit (``keep`` folds into ``status``)."""
    if len(row) != len(COLUMNS):
        raise DatasetError(f"a table row needs {len(COLUMNS)} cells ({', '.join(HEADERS)}), got {len(row)}")
    cells = {c.name: cast_cell(c, v) for c, v in zip(COLUMNS, row)}
    out = {c.name: cells[c.name] for c in COLUMNS if c.editable and c.name != "keep"}
    status = out.get("status") or (current or {}).get("status")
    if cells["keep"] and status != "kept":
        out["status"] = "kept"
    elif not cells["keep"] and status == "kept":
        out["status"] = "pending"
    return out


def cell_to_fields(col_index: int, value: Any, current: dict) -> dict[str, Any]:
    """One edited cell -> the pair fields to write. Raises DatasetError for a read-only column."""
    if not 0 <= col_index < len(COLUMNS):
        raise DatasetError(f"no column {col_index}")
    column = COLUMNS[col_index]
    if not column.editable:
        raise DatasetError(f"the {column.name} column cannot be edited")
    val = cast_cell(column, value)
    if column.name == "keep":
        if val:
            return {"status": "kept"}
        return {"status": "pending"} if current.get("status") == "kept" else {}
    if column.name == "flags":
        return {"flags": ",".join(sorted({f.strip() for f in val.split(",") if f.strip()}))}
    if column.name in CHOICES and val not in CHOICES[column.name]:
        raise DatasetError(f"{column.name} must be one of {', '.join(CHOICES[column.name])}, not {value!r}")
    return {column.name: val}


def apply_edit_data(rows: list[list[Any]], index: tuple[int, int] | list[int], value: Any) -> list[list[Any]]:
    """The table after an edit (Gradio hands ``.edit`` handlers the table from *before* the edit)."""
    r, c = int(index[0]), int(index[1])
    out = [list(row) for row in rows]
    if not (0 <= r < len(out) and 0 <= c < len(out[r])):
        raise DatasetError(f"edited cell ({r}, {c}) is outside the table")
    out[r][c] = cast_cell(COLUMNS[c], value) if c < len(COLUMNS) else value
    return out


def load_page(ws: Workspace, state: ViewState) -> tuple[list[list[Any]], ViewState]:
    """Rows of the current page and the updated state (total, clamped page, ids, versions)."""
    flt = state.filter()
    rows, total = ws.query_pairs(flt, sort=state.sort, descending=state.descending,
                                 offset=state.page * state.page_size, limit=state.page_size)
    state.total = total
    if state.page >= state.pages and state.page > 0:
        state.page = state.pages - 1
        rows, total = ws.query_pairs(flt, sort=state.sort, descending=state.descending,
                                     offset=state.page * state.page_size, limit=state.page_size)
    state.ids = [int(p["id"]) for p in rows]
    state.versions = [int(p["version"]) for p in rows]
    return [pair_to_row(p) for p in rows], state


@dataclass
class EditOutcome:
    ok: bool
    message: str
    pair: dict | None = None  # the row as stored now (after the edit, or the newer version on a conflict)
    row: list[Any] | None = None  # the table row to show now
    changed: tuple[str, ...] = ()


def edit_cell(ws: Workspace, state: ViewState, row_index: int, col_index: int, value: Any) -> EditOutcome:
    """Save one edited cell of the page, checked against the version the page showed.

    On success the state's version for that row is updated. On a conflict or bad value nothing is
    written, the message says why (with the value the user typed, so it is not lost) and ``row`` is
    the row as stored now, to put back in the table.
    """
    if not 0 <= row_index < len(state.ids):
        return EditOutcome(False, "this row is no longer on the page: reload the table")
    pair_id, version = state.ids[row_index], state.versions[row_index]
    current = ws.get_pair(pair_id)
    if current is None:
        return EditOutcome(False, f"pair {pair_id} was deleted elsewhere: reload the table")
    column = HEADERS[col_index] if 0 <= col_index < len(HEADERS) else str(col_index)
    try:
        fields = cell_to_fields(col_index, value, current)
        if not fields or all(current.get(k) == v for k, v in fields.items()):
            # the browser sends an edit only when the cell's text changed, so a stored value equal to the typed one
            # means this edit was already saved (Gradio repeats an edit when the table is redrawn after a save)
            return EditOutcome(True, f"pair {pair_id}: saved ({column})", current, pair_to_row(current))
        before = {k: current.get(k) for k in fields}
        updated = ws.update_pair(pair_id, expected_version=version, **fields)
    except ConflictError:
        fresh = ws.get_pair(pair_id)
        state.versions[row_index] = int(fresh["version"])
        return EditOutcome(
            False,
            f"pair {pair_id} was changed in another tab or process; your {column} edit was not saved "
            f"(you typed: {str(value)[:200]!r}). The row now shows the saved version: edit it again.",
            fresh, pair_to_row(fresh),
        )
    except (PairValidationError, DatasetError) as exc:
        return EditOutcome(False, f"pair {pair_id}: not saved: {exc}", current, pair_to_row(current))
    except WorkspaceError as exc:
        return EditOutcome(False, f"pair {pair_id}: not saved: {exc}", current, pair_to_row(current))
    state.versions[row_index] = int(updated["version"])
    record_action(ws, "edit", f"edit {', '.join(fields)} of pair {pair_id}", changed={pair_id: before})
    return EditOutcome(True, f"saved pair {pair_id} ({', '.join(fields)})", updated, pair_to_row(updated),
                       tuple(fields))
