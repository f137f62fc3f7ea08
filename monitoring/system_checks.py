"""System checks: a health threshold or metrics set-up that cannot work is caught at start-up."""

from django.conf import settings
from django.core.checks import Error, register

# Checks whose thresholds are "less is worse": warn must be above critical.
LOWER_IS_WORSE = {"cache_hit_ratio", "premake"}


@register()
def health_thresholds(app_configs, **kwargs):
    problems = []
    for name, pair in settings.HEALTH_THRESHOLDS.items():
        try:
            warn, crit = (float(value) for value in pair)
        except (TypeError, ValueError):
            problems.append(Error(f"HEALTH_THRESHOLDS[{name!r}] must be a (warn, critical) pair of numbers, "
                                  f"not {pair!r}", id="monitoring.E001"))
            continue
        ordered = warn >= crit if name in LOWER_IS_WORSE else warn <= crit
        if not ordered:
            problems.append(Error(f"HEALTH_THRESHOLDS[{name!r}] = {pair!r}: the warning level must come before "
                                  "the critical one", id="monitoring.E002"))
    return problems

