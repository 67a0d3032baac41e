"""Bringing rows stored before core.normalize existed to the normalised form (data migrations).

Rows are updated where normalising changes them. Duplicates that only show once values are
normalised (the same ID number typed in full-width and in ASCII) are reported, never merged:
which record is right is for the office to decide. A value whose normalised form would break
a unique constraint is left as it was and reported.
"""

import logging
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence

logger = logging.getLogger(__name__)


def renormalize(
    apps,
    model_label: str,
    normalizers: dict[str, Callable[[str], str]],
    *,
    unique: Sequence[str] = (),
    duplicates_within: tuple[str, str] | None = None,
    out=None,
) -> list[str]:
    """Normalise `normalizers`' fields of every row of `model_label`; return the report lines.

    `unique`: fields (besides a scope field given first) that together are unique, e.g.
    ("project_id", "code"); a normalised value that would collide is left unchanged and
    reported. `duplicates_within`: (scope field, field) whose normalised equal values are
    reported as possible duplicates when they were typed differently,
    e.g. ("project_id", "id_number")."""
    out = out or sys.stdout
    model = apps.get_model(model_label)
    report: list[str] = []
    fields = list(normalizers)
    extra = [name for name in (*unique, *(duplicates_within or ())) if name not in fields]
    rows = list(model.objects.order_by("pk").values_list("pk", *fields, *extra))
    names = ["pk", *fields, *extra]
    taken = {tuple(row[names.index(name)] for name in unique) for row in rows} if unique else set()
    groups: dict[tuple, list] = defaultdict(list)
    typed: dict[tuple, set] = defaultdict(set)
    for row in rows:
        values = dict(zip(names, row, strict=True))
        raw = dict(values)
        changes = {}
        for name, normalizer in normalizers.items():
            value = values[name]
            if isinstance(value, str):
                normal = normalizer(value)
                if normal != value:
                    changes[name] = normal
        if unique and any(name in changes for name in unique):
            old_key = tuple(values[name] for name in unique)
            new_key = tuple(changes.get(name, values[name]) for name in unique)
            if new_key in taken:
                report.append(
                    f"{model_label} pk={values['pk']}: {new_key} already taken; left as {old_key}"
                )
                for name in unique:
                    changes.pop(name, None)
            else:
                taken.discard(old_key)
                taken.add(new_key)
        if changes:
            model.objects.filter(pk=values["pk"]).update(**changes)
            values.update(changes)
        if duplicates_within:
            scope, name = duplicates_within
            if values[name]:
                groups[(values[scope], values[name])].append(values["pk"])
                typed[(values[scope], values[name])].add(raw[name])
    for (scope, value), pks in groups.items():
        # Only what normalising uncovered: the same value typed in more than one way.
        if len(pks) > 1 and len(typed[(scope, value)]) > 1:
            report.append(
                f"{model_label}: {duplicates_within[1]} ending {str(value)[-4:]} appears in "
                f"{len(pks)} rows of {duplicates_within[0]}={scope} (pks {pks}); not merged"
            )
    for line in report:
        logger.warning("normalisation: %s", line)
        out.write(f"\n  {line}")
    return report
