"""PLACEHOLDER until the streaming parsers land: JSON only, for wiring the table."""

import datetime as dt

import ijson

from sources.activity.records import ActivityEvent, item_key


def parse_json(stream):
    for item in ijson.items(stream, "item"):
        at = dt.datetime.fromisoformat(item["time"].replace("Z", "+00:00"))
        url, title = item.get("titleUrl", ""), item["title"]
        yield ActivityEvent(at=at.replace(microsecond=0), micros=at.microsecond, item_key=item_key(url, title),
                            service=item.get("header", ""), title=title, url=url,
                            channel=(item.get("subtitles") or [{}])[0].get("name", ""),
                            products=tuple(item.get("products", ())))


def parse_html(stream):
    return iter(())


FORMATS = {"activity.json": parse_json, "activity.html": parse_html}
