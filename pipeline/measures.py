"""Measurement units: what a written unit means (nlp/patterns/units.yml) and its SI value (pint).

The spellings are data; the conversion is pint's, never a hand-written factor. Used by the nlp stage
(a measurement's SI value) and the link stage ("1.5 litres" is "1,500 ml"); free of spaCy, so linking
does not load it.
"""

from functools import lru_cache


class Units:
    def __init__(self, data):
        """`data`: units.yml, read."""
        self.lowered = {str(k).lower(): str(v) for k, v in data["units"].items()}
        self.case_sensitive = {str(k): str(v) for k, v in data["case_sensitive"].items()}
        self.dose_alone = {str(w).lower() for w in data["dose_alone"]}
        self.unitless = {str(k).lower(): str(v) for k, v in data["unitless"].items()}
        self.exponents = {str(e) for e in data["exponents"]}
        self.needs_context = {str(k).lower(): {str(w).lower() for w in v} for k, v in data["needs_context"].items()}

    def expression(self, tokens, time_units):
        """pint expression of unit tokens as PDF text writes them: 'ml · kg −1 · min −1' -> ml*kg**-1*min**-1."""
        out, pending = [], "*"
        for t in tokens:
            text = t.text
            if text in ("·", "⋅", "×"):
                pending = "*"
            elif text == "/":
                pending = "/"
            elif text in self.exponents and out:
                out[-1] += "**" + {"²": "2", "³": "3"}.get(text, text.replace("−", "-"))
            else:
                name = self.case_sensitive.get(text) or self.lowered.get(text.lower()) or time_units.get(text.lower())
                if name is None:
                    return None
                out.append(("" if not out else pending) + f"({name})")
                pending = "*"
        return "".join(out) or None

    def pint_name(self, written):
        """'mg/dL' -> 'milligram / deciliter'; None when a part is unknown."""
        whole = self.lowered.get(" ".join(written.lower().split()))
        if whole:
            return f"({whole})"             # "degrees Celsius"
        parts = [p for p in written.replace(" ", "").split("/")]
        names = [self.case_sensitive.get(p) or self.lowered.get(p.lower()) for p in parts]
        if not parts or None in names:
            return None
        return " / ".join(f"({n})" for n in names)

    def known(self, text):
        return text in self.case_sensitive or text.lower() in self.lowered


@lru_cache(maxsize=1)
def registry():
    import pint
    return pint.UnitRegistry()


@lru_cache(maxsize=4096)
def is_unit_name(word):
    """Whether pint knows `word` as a unit ("gallon", "degree", "byte")."""
    try:
        return word.isalpha() and word in registry()
    except Exception:
        return False


@lru_cache(maxsize=4096)
def to_si(value, pint_name):
    """(value in SI base units, SI unit as a short string), or (None, None) if pint cannot read it."""
    if value is None or pint_name is None:
        return None, None
    ureg = registry()
    try:
        quantity = ureg.Quantity(value, ureg.parse_units(pint_name) if "degree_" not in pint_name
                                 else pint_name.strip("()")).to_base_units()
    except Exception:       # pint raises several kinds on unknown or offset units
        return None, None
    return float(quantity.magnitude), f"{quantity.units:~C}"
