"""The checks that read the source texts: each text copy unchanged, each quote in its text, once."""

from __future__ import annotations

from typing import Iterator

import pyoxigraph as ox

from ..namespaces import NKD, OA, SPDX, XSD
from ..quotes import NBSP, matching, nearest, occurrences, sha256, shorten
from .base import SHA256, Finding, ProvenanceData


class TextChecks(ProvenanceData):
    """Text copies unchanged (SHA-256), quotes verbatim and unambiguous (TextQuoteSelector)."""

    def check_text_copies(self) -> Iterator[Finding]:
        """Each text copy exists and has the SHA-256 the graph records for it."""
        recorded: dict[str, list[tuple[str, str | None]]] = {}
        for row in self.rows("""SELECT DISTINCT ?copy ?value ?algorithm WHERE { ?source nkd:textCopy ?copy .
            FILTER(isIRI(?copy))
            OPTIONAL { ?copy spdx:checksum ?sum . OPTIONAL { ?sum spdx:checksumValue ?value }
                       OPTIONAL { ?sum spdx:algorithm ?algorithm } } }"""):
            sums = recorded.setdefault(row["copy"].value, [])
            if "value" in row:
                sums.append((row["value"].value.lower(), row["algorithm"].value if "algorithm" in row else None))
        path_of_sum = (NKD + "textCopy", SPDX + "checksum")
        for copy, sums in sorted(recorded.items()):
            node = ox.NamedNode(copy)
            path = self.text_path(copy)
            self._trusted[copy] = False
            if not path.is_file():
                yield Finding(node, "TextCopyCheck", "TextCopyChecksumComponent",
                              f"No text for this text copy: {path.name} is not in {self.sources_dir}. Add the "
                              "source text there (or pass --sources DIR), so that its quotes can be checked.")
                continue
            actual = sha256(path)
            sha = [value for value, algorithm in sums if algorithm in (None, SHA256)]
            if not sha:
                yield Finding(node, "TextCopyCheck", "TextCopyChecksumComponent",
                              f"No SHA-256 recorded for {path.name}: add <{copy}> spdx:checksum [ a spdx:Checksum ; "
                              f"spdx:algorithm spdx:checksumAlgorithm_sha256 ; spdx:checksumValue "
                              f"\"{actual}\"^^xsd:hexBinary ] once you have checked the text is the source's.",
                              path=path_of_sum[1:])
                continue
            if actual not in sha:
                yield Finding(node, "TextCopyCheck", "TextCopyChecksumComponent",
                              f"{path.name} has changed since its checksum was recorded (SHA-256 {actual}, recorded "
                              f"{sha[0]}): an edited or re-encoded text; its quotes are not checked against it. "
                              "Restore the source's text, or record the new checksum if the text is the source's.",
                              path=(SPDX + "checksum", SPDX + "checksumValue"),
                              value=ox.Literal(sha[0], datatype=ox.NamedNode(XSD + "hexBinary")))
                continue
            self._trusted[copy] = self.text(copy) is not None

    def check_quotes(self) -> Iterator[Finding]:
        """Each quote occurs in its source's text, once (with its prefix and suffix if it has them)."""
        exact_path = (OA + "hasTarget", OA + "hasSelector", OA + "exact")
        for row in self.rows("""SELECT ?annotation ?copy ?exact ?prefix ?suffix WHERE {
            ?annotation oa:hasTarget ?target . ?target oa:hasSource ?source ; oa:hasSelector ?selector .
            ?selector oa:exact ?exact . ?source nkd:textCopy ?copy .
            OPTIONAL { ?selector oa:prefix ?prefix } OPTIONAL { ?selector oa:suffix ?suffix } }
            ORDER BY ?annotation"""):
            copy = row["copy"].value
            if not self._trusted.get(copy):
                continue  # reported by check_text_copies
            text = self.text(copy) or ""
            annotation, exact = row["annotation"], row["exact"]
            prefix = row["prefix"].value if "prefix" in row else None
            suffix = row["suffix"].value if "suffix" in row else None
            if not exact.value:
                continue  # an empty quote: the shapes report it (nkdsh:AnnotationShape-quote)
            found = occurrences(text, exact.value)
            if not found:
                closest = nearest(text, exact.value, 1)
                # No-break spaces shown as Turtle writes them: the usual difference nobody sees.
                hint = (f" The closest passage (line {closest[0].line}): "
                        f"\"{shorten(closest[0].text).replace(NBSP, chr(92) + 'u00A0')}\"." if closest else "")
                yield Finding(annotation, "QuoteCheck", "QuoteInSourceComponent",
                              f"The quote does not occur in the source's text ({self.text_path(copy).name}).{hint} "
                              "Copy the words verbatim (`nkd quote SOURCE \"words\"` prints the selector).",
                              exact_path, exact)
                continue
            if prefix is None and suffix is None:
                if len(found) > 1:
                    yield Finding(annotation, "QuoteCheck", "QuoteUniqueComponent",
                                  f"The quote occurs {len(found)} times in the source's text: add oa:prefix and/or "
                                  "oa:suffix, the words just before or after it, so that it names one place "
                                  "(`nkd quote SOURCE \"words\"` prints them).", exact_path, exact)
                continue
            selected = matching(text, exact.value, prefix, suffix)
            if not selected:
                # The prefix is at fault if the quote never follows it; otherwise the suffix is.
                prefix_wrong = bool(prefix) and not matching(text, exact.value, prefix, None)
                name, term = ("prefix", row["prefix"]) if prefix_wrong else ("suffix", row["suffix"])
                yield Finding(annotation, "QuoteCheck", "QuoteContextComponent",
                              f"The quote's oa:{name} does not match the text {'before' if prefix_wrong else 'after'} "
                              f"it: oa:prefix must be the words just before the quote, oa:suffix those just after, "
                              "verbatim (`nkd quote SOURCE \"words\"` prints them).",
                              exact_path[:2] + (OA + name,), term)
            elif len(selected) > 1:
                yield Finding(annotation, "QuoteCheck", "QuoteUniqueComponent",
                              f"The quote occurs {len(selected)} times in the source's text even with its prefix "
                              "and suffix: lengthen them so that they name one place.", exact_path, exact)

