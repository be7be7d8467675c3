"""Build the compact US ZIP centroid table that `portal.geo` reads.

    python -m portal.geodata instance/us-zip-centroids.tsv

`zipcodes.list_all()` costs about 0.5 s and 140 MB of resident memory that a
process keeps for good, so it runs here, in a short-lived process, and web
workers read the small tab-separated table this writes instead.

Format (UTF-8, one record per line, fields separated by tabs)::

    #portal-geodata<TAB>format=1<TAB>zipcodes=3.0.0<TAB>rows=41917
    zip  lat  lng  city  state  active  acceptable_cities
    00501  40.8154  -73.0451  Holtsville  NY  1

The first line says which builder format and which `zipcodes` release made the
file, so upgrading either makes `portal.geo` rebuild it; `rows` lets a reader
notice a damaged file. `acceptable_cities` are joined with ";".

This module imports nothing from the rest of the package: `portal.geo` runs it
by file path, so building the table never imports the web app.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

MAGIC = "#portal-geodata"
FORMAT_VERSION = 1
COLUMNS = ("zip", "lat", "lng", "city", "state", "active", "acceptable_cities")
ALIAS_SEPARATOR = ";"

_ZIP_RE = re.compile(r"\d{5}")
_MC_RE = re.compile(r"\bMc([a-z])")
_HYPHEN_RE = re.compile(r"-([a-z])")
_UNSAFE_RE = re.compile(r"[\t\r\n;]+")


def zipcodes_version() -> str | None:
    """The installed `zipcodes` release, read without loading its data."""
    try:
        return metadata.version("zipcodes")
    except metadata.PackageNotFoundError:
        return None


def header_line(version: str, rows: int) -> str:
    """The first line of a table made by this builder from `zipcodes` `version`."""
    return f"{MAGIC}\tformat={FORMAT_VERSION}\tzipcodes={version}\trows={rows}"


def parse_header(line: str) -> dict[str, str] | None:
    """The key=value fields of a header line, or None if it is not one of ours."""
    fields = line.rstrip("\r\n").split("\t")
    if not fields or fields[0] != MAGIC:
        return None
    parsed: dict[str, str] = {}
    for field in fields[1:]:
        key, sep, value = field.partition("=")
        if not sep:
            return None
        parsed[key] = value
    return parsed


def display_city(name: str) -> str:
    """Fix the capitalisation the source gets wrong ("Winston-salem", "Mcallen")."""
    name = " ".join(_UNSAFE_RE.sub(" ", name).split())
    name = _HYPHEN_RE.sub(lambda m: "-" + m.group(1).upper(), name)
    return _MC_RE.sub(lambda m: "Mc" + m.group(1).upper(), name)


def _coordinate(text: Any, limit: float) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    if value != value or abs(value) > limit:  # NaN or out of range
        return None
    return value


def table_rows(records: Iterable[Mapping[str, Any]]) -> Iterator[tuple[str, ...]]:
    """Turn `zipcodes` records into table rows, sorted by ZIP.

    Records at lat = lng = 0 (872 in zipcodes 3.0, mostly military) have no
    real position and are dropped. Inactive ZIPs are kept with active=0: a
    patient may still type one, and `portal.geo` leaves them out of city means.
    """
    rows: dict[str, tuple[str, ...]] = {}
    for record in records:
        zip_code = str(record.get("zip_code", "")).strip()
        lat = _coordinate(record.get("lat"), 90.0)
        lng = _coordinate(record.get("long"), 180.0)
        city = display_city(str(record.get("city") or ""))
        state = str(record.get("state") or "").strip().upper()
        if not _ZIP_RE.fullmatch(zip_code) or lat is None or lng is None:
            continue
        if (lat == 0.0 and lng == 0.0) or not city or not re.fullmatch(r"[A-Z]{2}", state):
            continue
        aliases: list[str] = []
        for alias in record.get("acceptable_cities") or ():
            alias = display_city(str(alias))
            if alias and alias.casefold() != city.casefold() and alias not in aliases:
                aliases.append(alias)
        rows[zip_code] = (
            zip_code,
            repr(round(lat, 5)),
            repr(round(lng, 5)),
            city,
            state,
            "1" if record.get("active", True) else "0",
            ALIAS_SEPARATOR.join(aliases),
        )
    for zip_code in sorted(rows):
        yield rows[zip_code]


def write_table(
    output_path: str | os.PathLike[str], rows: list[tuple[str, ...]], version: str
) -> None:
    """Write the table atomically: readers see the old file or the new one, never half."""
    output = Path(output_path)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(header_line(version, len(rows)) + "\n")
            handle.write("\t".join(COLUMNS) + "\n")
            for row in rows:
                handle.write("\t".join(row) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o644)  # mkstemp makes it 0600; workers may run as another user
        os.replace(temp_name, output)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def build_table(output_path: str | os.PathLike[str]) -> int:
    """Build the table from the installed `zipcodes`; returns the number of rows."""
    import zipcodes  # imported here: loading its data is the cost this module isolates

    version = zipcodes_version()
    if version is None:
        raise RuntimeError("the zipcodes package is not installed")
    rows = list(table_rows(zipcodes.list_all()))
    if len(rows) < 30_000:  # zipcodes 3.0 gives 41,917; far fewer means broken data
        raise RuntimeError(f"zipcodes {version} gave only {len(rows)} usable ZIP codes")
    write_table(output_path, rows, version)
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    """Command line: build the table at the path given."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m portal.geodata OUTPUT_PATH", file=sys.stderr)
        return 2
    try:
        count = build_table(args[0])
    except (OSError, RuntimeError) as exc:
        print(f"portal.geodata: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {count} ZIP codes to {args[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
