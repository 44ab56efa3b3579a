"""`make bench`: measure Voqo's headline figures, each against a baseline from the same run.

Prints one table: figure, measured value, baseline, ratio. Numbers are for this machine
and this run only; compare ratios, not absolute values, across machines.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voqo.settings")


def _rate(fn, inputs, seconds: float = 1.0) -> float:
    """Calls per second of fn over the inputs, repeated for about `seconds`."""
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for item in inputs:
            fn(item)
        done += len(inputs)
    return done / (time.perf_counter() - start)


def bench_phone_normalisation() -> tuple[str, float, float, str]:
    import phonenumbers

    from voqo.phones import normalize_phone

    inputs = ["0412 345 678", "+61 412 345 678", "(02) 9876 5432", "61412345678"] * 50

    def baseline(raw: str) -> str:
        return phonenumbers.format_number(
            phonenumbers.parse(raw, "AU"), phonenumbers.PhoneNumberFormat.E164
        )

    return ("phone normalisation (numbers/s)", _rate(normalize_phone, inputs),
            _rate(baseline, inputs), "phonenumbers parse+format")


def main() -> None:
    import django

    django.setup()
    rows = [bench_phone_normalisation()]
    header = f"{'figure':<40} {'value':>12} {'baseline':>12} {'ratio':>7}  baseline is"
    print(header)
    print("-" * len(header))
    for name, value, baseline, baseline_name in rows:
        print(f"{name:<40} {value:>12,.0f} {baseline:>12,.0f} {value / baseline:>7.2f}  "
              f"{baseline_name}")


if __name__ == "__main__":
    main()
