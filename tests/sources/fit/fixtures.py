"""Google Fit files of ours, written from the documented shapes."""

import json

DAILY_EN = (
    b"Date,Move Minutes count,Calories (kcal),Distance (m),Heart Points,Heart Minutes,Average speed (m/s),"
    b"Step count,Average weight (kg)\n"
    b"2019-08-11,30,1800.5,2500.25,12,10,1.2,3400,\n"
    b"2019-08-12,45,2100,5200.5,30,25,1.4,8123,71.5\n"
    b"2019-08-13,,,,,,,,\n"
)
DAILY_DE = (
    "\ufeffDatum,Anzahl der Bewegungsminuten,Kalorien (kcal),Distanz (m),Kardiopunkte,Schritte\n"
    "2020-01-02,20,1700,1500,5,2100\n"
).encode()
INTERVALS = (
    b"Start time,End time,Move Minutes count,Calories (kcal),Distance (m),Step count\n"
    b"00:00:00.000+02:00,00:15:00.000+02:00,,14.2,,\n"
    b"07:15:00.000+02:00,07:30:00.000+02:00,12,80.5,1500.5,1900\n"
    b"23:45:00.000+02:00,00:00:00.000+02:00,,14.1,,\n"
)

SESSION = {
    "fitnessActivity": "running", "startTime": "2019-08-12T05:14:08.709Z", "endTime": "2019-08-12T05:28:11.772Z",
    "duration": "843.063s",
    "segment": [{"fitnessActivity": "running", "startTime": "2019-08-12T05:14:08.709Z",
                 "endTime": "2019-08-12T05:28:11.772Z"}],
    "aggregate": [{"metricName": "com.google.calories.expended", "floatValue": 120.5},
                  {"metricName": "com.google.step_count.delta", "intValue": 2000},
                  {"metricName": "com.google.distance.delta", "floatValue": 2500.0},
                  {"metricName": "com.google.active_minutes", "intValue": 14}],
}
WALK = {"fitnessActivity": "walking", "startTime": "2019-08-13T17:00:00Z", "endTime": "2019-08-13T17:30:00Z",
        "duration": "1800s", "aggregate": []}


def session(value) -> bytes:
    return json.dumps(value).encode()


def trackpoint(at: str, lat: float | None, lng: float | None, alt: float = 35.5) -> str:
    position = (f"<Position><LatitudeDegrees>{lat}</LatitudeDegrees><LongitudeDegrees>{lng}</LongitudeDegrees>"
                "</Position>") if lat is not None else ""
    return (f"<Trackpoint><Time>{at}</Time>{position}<AltitudeMeters>{alt}</AltitudeMeters>"
            "<HeartRateBpm><Value>140</Value></HeartRateBpm></Trackpoint>")


def tcx(points: list[str], start: str = "2019-08-14T06:00:00.000Z", sport: str = "Running",
        seconds: float = 600.0, meters: float = 1800.0, calories: int = 150) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
        f'<Activities><Activity Sport="{sport}"><Id>{start}</Id><Lap StartTime="{start}">'
        f"<TotalTimeSeconds>{seconds}</TotalTimeSeconds><DistanceMeters>{meters}</DistanceMeters>"
        f"<Calories>{calories}</Calories><Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod>"
        f"<Track>{''.join(points)}</Track></Lap></Activity></Activities></TrainingCenterDatabase>"
    ).encode()


RUN_POINTS = [trackpoint("2019-08-14T06:00:00.000Z", 52.52, 13.405),
              trackpoint("2019-08-14T06:01:00.000Z", 52.521, 13.406),
              trackpoint("2019-08-14T06:02:00.000Z", None, None),
              trackpoint("2019-08-14T06:03:00.000Z", 52.523, 13.408)]
RUN = tcx(RUN_POINTS)

BOMB = (b'<?xml version="1.0"?>\n<!DOCTYPE TrainingCenterDatabase [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        b'<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
        b'<TrainingCenterDatabase><Activities><Activity Sport="Running"><Id>&d;</Id></Activity></Activities>'
        b"</TrainingCenterDatabase>")
EXTERNAL = (b'<?xml version="1.0"?>\n<!DOCTYPE TrainingCenterDatabase [<!ENTITY e SYSTEM "http://127.0.0.1:9/x">]>'
            b"<TrainingCenterDatabase><Activities><Activity Sport=\"Running\"><Id>&e;</Id></Activity></Activities>"
            b"</TrainingCenterDatabase>")
