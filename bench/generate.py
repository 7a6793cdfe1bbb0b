"""A deterministic synthetic graph in the shape of nkd's, for benchmarks.

    python bench/generate.py 1M                 # -> bench/data/synthetic-1M.nq
    python bench/generate.py 100k --format nt   # N-Triples, no named graphs
    python bench/generate.py 10M --seed 7 -o big.nq

The graph has what the real one has, at volume, with the ontology's terms and in a
shape the shipped SHACL shapes accept: defectors (English and, for half, Korean
labels, a birth year), cohorts, events of six classes (repatriations, border
closures, policy shifts…) with a date at year or month precision, a place, actors
and sub-event chains, organisations in a hierarchy, officials and their positions,
places contained in provinces and countries, sources with a text copy, RDF Data Cube
observations (refPeriod, refArea, obsValue, unit, qualifier, the source as a
dimension, some conflicting pairs) and a Web Annotation with a quote for every
observation and event.

Every IRI is under ``https://w3id.org/nkd/id/`` and every name and figure is made up:
nothing here is a claim about the world. The same seed and size give byte-identical
output (one ``random.Random``, no set or hash ordering), so two runs of a benchmark,
or two machines, load the same triples.

The size is a target in triples; counting dry runs size the graph, and the output
lands within about 0.1 % of the target.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TextIO

from nkd.namespaces import (BASE, DCTERMS, NKD, OA, ORG, PROV, QB, RDF_TYPE, RDFS, SCHEMA, SDMX_ATTRIBUTE,
                            SDMX_DIMENSION, SDMX_MEASURE, SKOS, XSD)

BENCH = Path(__file__).resolve().parent
DATA_DIR = BENCH / "data"

ID = BASE + "id/"
DCT = DCTERMS

LABEL = RDFS + "label"

# One named graph per concern, as the real graph has one file per concern.
GRAPHS = ("places", "actors", "events", "statistics", "provenance")

SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000, "10M": 10_000_000}

COUNTRIES = (
    ("north-korea", "North Korea", "북한"), ("south-korea", "South Korea", "대한민국"),
    ("china", "China", "중국"), ("russia", "Russia", "러시아"), ("vietnam", "Vietnam", "베트남"),
    ("laos", "Laos", "라오스"), ("thailand", "Thailand", "태국"), ("mongolia", "Mongolia", "몽골"),
    ("cambodia", "Cambodia", "캄보디아"), ("japan", "Japan", "일본"),
    ("united-states", "United States", "미국"),
)
PROVINCES = (
    ("north-hamgyong", "North Hamgyong", "함경북도", "north-korea"),
    ("south-hamgyong", "South Hamgyong", "함경남도", "north-korea"),
    ("ryanggang", "Ryanggang", "량강도", "north-korea"),
    ("chagang", "Chagang", "자강도", "north-korea"),
    ("north-pyongan", "North Pyongan", "평안북도", "north-korea"),
    ("south-pyongan", "South Pyongan", "평안남도", "north-korea"),
    ("kangwon", "Kangwon", "강원도", "north-korea"),
    ("jilin", "Jilin", "지린성", "china"),
    ("liaoning", "Liaoning", "랴오닝성", "china"),
    ("seoul", "Seoul", "서울", "south-korea"),
    ("gyeonggi", "Gyeonggi", "경기도", "south-korea"),
)
EVENT_KINDS = (
    ("Repatriation", "repatriation", "Repatriation", "강제송환"),
    ("BorderClosure", "border-closure", "Border closure", "국경 폐쇄"),
    ("PolicyShift", "policy-shift", "Policy shift", "정책 변화"),
    ("Detention", "detention", "Detention", "체포"),
    ("Defection", "defection", "Defection", "탈북"),
    ("Resettlement", "resettlement", "Resettlement", "정착"),
)
ORG_KINDS = (
    ("Ministry", "부", "GovernmentBody"), ("Border Guard Unit", "국경경비대", "GovernmentBody"),
    ("Police Bureau", "경찰국", "GovernmentBody"), ("Embassy", "대사관", "GovernmentBody"),
    ("Resettlement Centre", "정착 지원 센터", "GovernmentBody"),
    ("Church Network", "교회 네트워크", "NonGovernmentalOrganization"),
    ("Human Rights NGO", "인권 단체", "NonGovernmentalOrganization"),
)
QUALIFIERS = (
    ("Exact", "exact"), ("About", "about"), ("Estimated", "estimated"),
    ("MoreThan", "more than"), ("Some", "some"), ("JustOver", "just over"),
)
DATASETS = (
    ("arrivals", "Arrivals of defectors by year and area"),
    ("departures", "Departures from North Korea by year and province"),
    ("repatriations", "Forced repatriations by year and country"),
)
QUOTE_WORDS = ("defectors", "crossed", "border", "arrived", "last", "year", "the", "number",
               "of", "returned", "were", "about", "some", "more", "than", "authorities",
               "reported", "fell", "rose", "sharply", "in", "and", "families", "refugees")
FIRST_YEAR, LAST_YEAR = 1994, 2024


def escape(text: str) -> str:
    """Escape a string for an N-Triples literal (the generator's texts have no control characters)."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def iri(value: str) -> str:
    """An IRI term in N-Triples syntax."""
    return f"<{value}>"


def lang(text: str, tag: str) -> str:
    """A language-tagged literal."""
    return f'"{escape(text)}"@{tag}'


def typed(value: object, datatype: str) -> str:
    """A literal with an XSD datatype."""
    return f'"{value}"^^<{XSD}{datatype}>'


def plain(text: str) -> str:
    """An xsd:string literal."""
    return f'"{escape(text)}"'


class Writer:
    """Writes triples (N-Triples) or quads (N-Quads, one graph per concern) and counts them."""

    def __init__(self, out: TextIO | None, quads: bool) -> None:
        self.out = out
        self.quads = quads
        self.count = 0
        self._suffix = " .\n"

    def use_graph(self, name: str) -> None:
        """Put the following statements into the named graph of one concern."""
        self._suffix = f" <{BASE}data/synthetic/{name}> .\n" if self.quads else " .\n"

    def add(self, s: str, p: str, o: str) -> None:
        """Write one statement; ``s``, ``p`` and ``o`` are N-Triples terms."""
        self.count += 1
        if self.out is not None:
            self.out.write(f"{s} {p} {o}{self._suffix}")


@dataclass
class Counts:
    """How many entities of each kind one run generates, all derived from ``units``."""

    units: int

    @property
    def towns(self) -> int:
        return max(5, self.units // 50)

    @property
    def orgs(self) -> int:
        return max(5, self.units // 40)

    @property
    def sources(self) -> int:
        return max(3, self.units // 50)


class Generator:
    """Emits the synthetic graph for a number of units (one defector plus a share of everything else)."""

    def __init__(self, writer: Writer, units: int, seed: int) -> None:
        self.w = writer
        self.rng = random.Random(seed)
        self.counts = Counts(units)
        self.bnode = 0
        self.places: list[str] = []
        self.events: list[str] = []
        self.cells: set[tuple[str, ...]] = set()

    # -- helpers

    def label(self, subject: str, en: str, ko: str | None = None, ko_share: float = 1.0) -> None:
        """English label, and a Korean one for a share of entities."""
        self.w.add(subject, iri(LABEL), lang(en, "en"))
        if ko is not None and self.rng.random() < ko_share:
            self.w.add(subject, iri(LABEL), lang(ko, "ko"))

    def period(self, month_share: float) -> tuple[str, str]:
        """A date at year or month precision: (slug, typed literal)."""
        year = self.rng.randint(FIRST_YEAR, LAST_YEAR)
        if self.rng.random() < month_share:
            month = self.rng.randint(1, 12)
            return f"{year}-{month:02d}", typed(f"{year}-{month:02d}", "gYearMonth")
        return str(year), typed(year, "gYear")

    def source(self) -> str:
        return iri(f"{ID}source/report-{self.rng.randrange(self.counts.sources) + 1}")

    def annotate(self, fact: str, slug: str, source: str) -> None:
        """A Web Annotation anchoring ``fact`` to a quote in ``source``."""
        self.bnode += 1
        target, selector = f"_:t{self.bnode}", f"_:s{self.bnode}"
        ann = iri(f"{ID}annotation/{slug}")
        quote = " ".join(self.rng.choice(QUOTE_WORDS) for _ in range(self.rng.randint(4, 12)))
        self.w.add(ann, iri(RDF_TYPE), iri(OA + "Annotation"))
        self.w.add(ann, iri(OA + "hasBody"), fact)
        self.w.add(ann, iri(OA + "hasTarget"), target)
        self.w.add(target, iri(RDF_TYPE), iri(OA + "SpecificResource"))
        self.w.add(target, iri(OA + "hasSource"), source)
        self.w.add(target, iri(OA + "hasSelector"), selector)
        self.w.add(selector, iri(RDF_TYPE), iri(OA + "TextQuoteSelector"))
        self.w.add(selector, iri(OA + "exact"), plain(quote))

    # -- the fixed part: places, vocabulary, data structure

    def fixed(self) -> None:
        """Countries, provinces, the qualifier scheme, units and the Data Cube structure."""
        w = self.w
        w.use_graph("places")
        for slug, en, ko in COUNTRIES:
            node = iri(f"{ID}place/{slug}")
            w.add(node, iri(RDF_TYPE), iri(NKD + "Country"))
            self.label(node, en, ko)
        for slug, en, ko, country in PROVINCES:
            node = iri(f"{ID}place/{slug}")
            w.add(node, iri(RDF_TYPE), iri(NKD + "Region"))
            self.label(node, en, ko)
            w.add(node, iri(NKD + "containedIn"), iri(f"{ID}place/{country}"))
            self.places.append(node)
        self.places += [iri(f"{ID}place/{slug}") for slug, _, _ in COUNTRIES]
        for i in range(1, self.counts.towns + 1):
            node = iri(f"{ID}place/town-{i}")
            w.add(node, iri(RDF_TYPE), iri(NKD + "City"))
            self.label(node, f"Town {i}", f"마을 {i}", ko_share=0.5)
            province = self.rng.choice(PROVINCES)[0]
            w.add(node, iri(NKD + "containedIn"), iri(f"{ID}place/{province}"))
            self.places.append(node)

        w.use_graph("statistics")
        scheme = iri(NKD + "Qualifiers")
        w.add(scheme, iri(RDF_TYPE), iri(SKOS + "ConceptScheme"))
        for name, text in QUALIFIERS:
            concept = iri(NKD + name)
            w.add(concept, iri(RDF_TYPE), iri(SKOS + "Concept"))
            w.add(concept, iri(SKOS + "inScheme"), scheme)
            w.add(concept, iri(SKOS + "prefLabel"), lang(text, "en"))
        dsd = iri(f"{ID}structure/defection-counts")
        w.add(dsd, iri(RDF_TYPE), iri(QB + "DataStructureDefinition"))
        self.label(dsd, "Defection counts by period, area and source")
        components = (("dimension", SDMX_DIMENSION + "refPeriod"), ("dimension", SDMX_DIMENSION + "refArea"),
                      ("dimension", NKD + "source"), ("measure", SDMX_MEASURE + "obsValue"),
                      ("attribute", SDMX_ATTRIBUTE + "unitMeasure"), ("attribute", NKD + "qualifier"))
        for role, prop in components:
            self.bnode += 1
            spec = f"_:c{self.bnode}"
            w.add(dsd, iri(QB + "component"), spec)
            w.add(spec, iri(QB + role), iri(prop))
        for slug, title in DATASETS:
            ds = iri(f"{ID}dataset/{slug}")
            w.add(ds, iri(RDF_TYPE), iri(QB + "DataSet"))
            w.add(ds, iri(QB + "structure"), dsd)
            self.label(ds, title)

    # -- the scaled part

    def provenance(self) -> None:
        """Sources with a title, a date and a published text copy."""
        self.w.use_graph("provenance")
        for i in range(1, self.counts.sources + 1):
            node = iri(f"{ID}source/report-{i}")
            self.w.add(node, iri(RDF_TYPE), iri(NKD + "Source"))
            self.w.add(node, iri(RDF_TYPE), iri(PROV + "Entity"))
            self.label(node, f"Synthetic report {i}")
            self.w.add(node, iri(DCT + "title"), lang(f"Synthetic report {i}", "en"))
            self.w.add(node, iri(DCT + "issued"), typed(self.rng.randint(FIRST_YEAR, LAST_YEAR), "gYear"))
            self.w.add(node, iri(NKD + "textCopy"), iri(f"{BASE}sources/report-{i}.txt"))

    def organisations(self) -> None:
        """Organisations in a hierarchy, each with an official holding a post in it."""
        self.w.use_graph("actors")
        for i in range(1, self.counts.orgs + 1):
            node = iri(f"{ID}org/org-{i}")
            kind_en, kind_ko, cls = self.rng.choice(ORG_KINDS)
            self.w.add(node, iri(RDF_TYPE), iri(NKD + cls))
            self.label(node, f"{kind_en} {i}", f"{kind_ko} {i}", ko_share=0.6)
            country = iri(f"{ID}place/{self.rng.choice(COUNTRIES)[0]}")
            self.w.add(node, iri(NKD + "jurisdiction" if cls == "GovernmentBody" else SCHEMA + "location"), country)
            if i > 5:
                parent = self.rng.randint(max(1, i // 4), i - 1)
                self.w.add(node, iri(ORG + "subOrganizationOf"), iri(f"{ID}org/org-{parent}"))
            position = iri(f"{ID}position/official-{i}-director-org-{i}")
            person = iri(f"{ID}person/official-{i}")
            self.w.add(position, iri(RDF_TYPE), iri(NKD + "Position"))
            self.label(position, f"Official {i}, director of {kind_en} {i}")
            self.w.add(position, iri(ORG + "member"), person)
            self.w.add(position, iri(ORG + "organization"), node)
            self.w.add(position, iri(NKD + "holdingStatus"), iri(NKD + self.rng.choice(("Current", "Former"))))
            self.w.add(person, iri(RDF_TYPE), iri(NKD + "Official"))
            self.label(person, f"Official {i}", f"관리 {i}", ko_share=0.5)

    def unit(self, i: int) -> None:
        """One defector, and every few units an event, a cohort, observations."""
        rng, w = self.rng, self.w
        if i % 4 == 0:
            self.event(i // 4)
        if i % 8 == 0:
            self.cohort(i // 8)
        if i % 2 == 0:
            self.observation(i // 2)
        w.use_graph("actors")
        node = iri(f"{ID}person/defector-{i}")
        w.add(node, iri(RDF_TYPE), iri(NKD + "Defector"))
        self.label(node, f"Defector {i}", f"탈북민 {i}", ko_share=0.5)
        birth = rng.randint(1940, 2005)
        w.add(node, iri(SCHEMA + "birthDate"), typed(birth, "gYear"))
        w.add(node, iri(NKD + "nationality"), iri(f"{ID}place/north-korea"))
        w.add(node, iri(SCHEMA + "homeLocation"), rng.choice(self.places))
        if i > 8 and rng.random() < 0.7:
            w.add(node, iri(NKD + "memberOf"), iri(f"{ID}cohort/cohort-{rng.randint(1, i // 8)}"))
        w.add(node, iri(PROV + "wasDerivedFrom"), self.source())

    def event(self, n: int) -> None:
        rng, w = self.rng, self.w
        w.use_graph("events")
        cls, slug, en, ko = rng.choice(EVENT_KINDS)
        when_slug, when = self.period(month_share=0.6)
        place = rng.choice(self.places)
        place_name = place[len(ID) + 7:-1].replace("-", " ").title()
        node = iri(f"{ID}event/{when_slug}-{slug}-{n}")
        w.add(node, iri(RDF_TYPE), iri(NKD + cls))
        self.label(node, f"{en} in {place_name}, {when_slug}", f"{ko} {when_slug}", ko_share=0.6)
        w.add(node, iri(NKD + "date"), when)
        w.add(node, iri(NKD + "place"), place)
        for org in rng.sample(range(1, self.counts.orgs + 1), rng.randint(1, 2)):
            w.add(node, iri(NKD + "actor"), iri(f"{ID}org/org-{org}"))
        if self.events and rng.random() < 0.3:
            w.add(node, iri(NKD + "subEventOf"), rng.choice(self.events[-50:]))
        source = self.source()
        w.add(node, iri(PROV + "wasDerivedFrom"), source)
        self.events.append(node)
        self.annotate(node, f"event-{n}", source)

    def cohort(self, n: int) -> None:
        rng, w = self.rng, self.w
        w.use_graph("actors")
        size = rng.randint(2, 40)
        year = rng.randint(FIRST_YEAR, LAST_YEAR)
        node = iri(f"{ID}cohort/cohort-{n}")
        w.add(node, iri(RDF_TYPE), iri(NKD + "DefectorCohort"))
        self.label(node, f"Group of {size} defectors, {year}", f"탈북민 {size}명, {year}년", ko_share=0.4)
        w.add(node, iri(NKD + "memberCount"), typed(size, "nonNegativeInteger"))
        if self.events:
            w.add(rng.choice(self.events[-200:]), iri(NKD + "actor"), node)
        w.add(node, iri(PROV + "wasDerivedFrom"), self.source())

    def observation(self, n: int) -> None:
        rng, w = self.rng, self.w
        w.use_graph("statistics")
        while True:  # a new cell: two observations never share every dimension (IC-12)
            dataset = rng.choice(DATASETS)[0]
            period_slug, period = self.period(month_share=0.3)
            area = rng.choice(self.places)
            source = self.source()
            if self.new_cell(dataset, period, area, source):
                break
        value = rng.randint(0, 3000)
        qualifier = QUALIFIERS[0][0] if rng.random() < 0.6 else rng.choice(QUALIFIERS[1:])[0]
        node = iri(f"{ID}observation/{dataset}-{period_slug}-{n}")
        self.cube(node, dataset, period_slug, period, area, source, value, qualifier)
        self.annotate(node, f"observation-{n}", source)
        if n % 20 == 0:
            # Another source states a different figure for the same cell.
            other = iri(f"{ID}observation/{dataset}-{period_slug}-{n}-b")
            other_source = self.source()
            while not self.new_cell(dataset, period, area, other_source):
                other_source = self.source()
            self.cube(other, dataset, period_slug, period, area, other_source, value + rng.randint(1, 200), "About")
            self.annotate(other, f"observation-{n}-b", other_source)
            w.add(node, iri(NKD + "conflictsWith"), other)
            w.add(other, iri(NKD + "conflictsWith"), node)

    def new_cell(self, *key: str) -> bool:
        """Record a Data Cube cell; False if it was taken (a set used for membership only)."""
        if key in self.cells:
            return False
        self.cells.add(key)
        return True

    def cube(self, node: str, dataset: str, period_slug: str, period: str, area: str, source: str,
             value: int, qualifier: str) -> None:
        """The Data Cube triples of one observation."""
        w = self.w
        w.add(node, iri(RDF_TYPE), iri(QB + "Observation"))
        self.label(node, f"{dataset.title()}, {period_slug}, {value} persons")
        w.add(node, iri(QB + "dataSet"), iri(f"{ID}dataset/{dataset}"))
        w.add(node, iri(SDMX_DIMENSION + "refPeriod"), period)
        w.add(node, iri(SDMX_DIMENSION + "refArea"), area)
        w.add(node, iri(NKD + "source"), source)
        w.add(node, iri(SDMX_MEASURE + "obsValue"), typed(value, "integer"))
        w.add(node, iri(SDMX_ATTRIBUTE + "unitMeasure"), iri(NKD + "Persons"))
        w.add(node, iri(NKD + "qualifier"), iri(NKD + qualifier))
        w.add(node, iri(PROV + "wasDerivedFrom"), source)

    def run(self) -> None:
        """Write the whole graph."""
        self.fixed()
        self.provenance()
        self.organisations()
        for i in range(1, self.counts.units + 1):
            self.unit(i)


def _dry_count(units: int, seed: int) -> int:
    writer = Writer(None, quads=False)
    Generator(writer, units, seed).run()
    return writer.count


def units_for(target: int, seed: int) -> int:
    """How many units make about ``target`` triples, from counting dry runs.

    A first small run gives the rough triples per unit; a second run at the
    estimated size (capped, so that 10M stays cheap) corrects for the parts that
    grow in steps (towns, organisations, sources).
    """
    fixed = _dry_count(0, seed)
    units = 2_000
    for _ in range(2):
        probe = min(units, 50_000)
        per_unit = (_dry_count(probe, seed) - fixed) / probe
        units = max(1, round((target - fixed) / per_unit))
    return units


def parse_size(text: str) -> int:
    """'10k', '1M', '2.5M' or a plain number of triples."""
    if text in SIZES:
        return SIZES[text]
    scale = {"k": 1_000, "K": 1_000, "m": 1_000_000, "M": 1_000_000}.get(text[-1:], 1)
    number = text[:-1] if scale != 1 else text
    try:
        value = int(float(number) * scale)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size; use 10k, 100k, 1M, 10M or a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("the size must be positive")
    return value


def size_name(triples: int) -> str:
    """The short name of a size (1M for 1,000,000)."""
    for name, value in SIZES.items():
        if value == triples:
            return name
    return str(triples)


def default_path(size: str | int, fmt: str = "nq", seed: int = 42) -> Path:
    """Where a generated file of this size lives under ``bench/data/``."""
    name = size if isinstance(size, str) else size_name(size)
    suffix = "" if seed == 42 else f"-seed{seed}"
    return DATA_DIR / f"synthetic-{name}{suffix}.{fmt}"


def generate(path: Path, triples: int, fmt: str = "nq", seed: int = 42,
             progress: Callable[[str], None] | None = None) -> int:
    """Write about ``triples`` triples to ``path`` (atomically); return the exact count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    units = units_for(triples, seed)
    started = time.monotonic()
    with open(partial, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
        writer = Writer(out, quads=(fmt == "nq"))
        Generator(writer, units, seed).run()
    partial.replace(path)
    _stamp(path).write_text(fingerprint() + "\n")
    if progress:
        progress(f"wrote {writer.count:,} triples to {path} in {time.monotonic() - started:.1f} s")
    return writer.count


def fingerprint() -> str:
    """A hash of this generator's source: a file made by another version is made again."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def _stamp(path: Path) -> Path:
    # Beside each generated file: the fingerprint of the generator that made it.
    return path.with_name(path.name + ".generator")


def ensure(size: str, fmt: str = "nq", seed: int = 42, progress: Callable[[str], None] | None = print) -> Path:
    """The path of a generated file of ``size`` ('1M'…), generating it first if it is missing or stale."""
    path = default_path(size, fmt, seed)
    stamp = _stamp(path)
    if not path.exists() or not stamp.exists() or stamp.read_text().strip() != fingerprint():
        generate(path, parse_size(size), fmt, seed, progress)
    return path


def main(argv: list[str] | None = None) -> int:
    """Command line: generate one file."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("size", help="target size in triples: 10k, 100k, 1M, 10M or a number")
    parser.add_argument("--format", choices=("nq", "nt"), default="nq",
                        help="N-Quads with one named graph per concern (default) or N-Triples")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("-o", "--output", type=Path, help="output file (default bench/data/synthetic-SIZE.FORMAT)")
    parser.add_argument("--checksum", action="store_true", help="print the SHA-256 of the output")
    args = parser.parse_args(argv)
    try:
        triples = parse_size(args.size)
    except argparse.ArgumentTypeError as exc:
        parser.error(str(exc))
    path = args.output or default_path(args.size if args.size in SIZES else triples, args.format, args.seed)
    generate(path, triples, args.format, args.seed, progress=print)
    if args.checksum:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        print(f"sha256 {digest.hexdigest()}  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
