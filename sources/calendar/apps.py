from django.apps import AppConfig


class CalendarConfig(AppConfig):
    # The package is sources.calendar, so absolute `import calendar` still finds the standard library.
    name = "sources.calendar"
    label = "calendar_events"
    verbose_name = "Calendar"
