"""Location files from other apps, written by hand: one of each format the lake reads."""

GPX = b"""<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="OsmAnd" xmlns="http://www.topografix.com/GPX/1/1">
  <wpt lat="48.8584" lon="2.2945"><time>2024-05-14T10:00:00Z</time>
    <name>&lt;img src=x onerror=alert(1)&gt; Tour</name></wpt>
  <wpt lat="48.8606" lon="2.3376"><name>No time, no day</name></wpt>
  <rte><name>Plan</name>
    <rtept lat="48.1" lon="2.1"><time>2024-05-14T11:00:00+02:00</time></rtept>
    <rtept lat="48.2" lon="2.2"/>
  </rte>
  <trk><name>Morning ride</name>
    <trkseg>
      <trkpt lat="48.85" lon="2.35"><ele>35.5</ele><time>2024-05-14T12:00:00Z</time><speed>4.5</speed></trkpt>
      <trkpt lat="48.86" lon="2.36"><ele>36</ele><time>2024-05-14T12:01:00Z</time></trkpt>
    </trkseg>
    <trkseg>
      <trkpt lat="48.87" lon="2.37"><time>2024-05-14T14:00:00Z</time></trkpt>
    </trkseg>
  </trk>
</gpx>
"""

KML = b"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">
<Document><name>Trips</name>
  <Placemark><name><![CDATA[Caf\xc3\xa9 <b>Flore</b>]]></name><TimeStamp><when>2024-05-15T08:30:00Z</when></TimeStamp>
    <Point><coordinates>2.3327,48.8540,35</coordinates></Point></Placemark>
  <Placemark><name>Span</name><TimeSpan><begin>2024-05-15T09:00:00+02:00</begin>
    <end>2024-05-15T10:00:00+02:00</end></TimeSpan>
    <Point><coordinates>2.30,48.86</coordinates></Point></Placemark>
  <Placemark><name>A planned line</name>
    <LineString><coordinates>2.3,48.8 2.4,48.9</coordinates></LineString></Placemark>
  <Placemark><gx:Track>
    <when>2024-05-15T11:00:00Z</when><when>2024-05-15T11:00:10Z</when><when>2024-05-15T11:00:20Z</when>
    <gx:coord>2.35 48.85 30</gx:coord><gx:coord>2.351 48.851 31</gx:coord><gx:coord>2.352 48.852 32</gx:coord>
  </gx:Track></Placemark>
</Document></kml>
"""

GEOJSON = b"""{"type": "FeatureCollection", "features": [
  {"type": "Feature", "properties": {"time": "2024-05-16T07:00:00Z", "name": "Start <script>x</script>",
   "accuracy": 8},
   "geometry": {"type": "Point", "coordinates": [13.3777, 52.5163, 40]}},
  {"type": "Feature", "properties": {"coordTimes": ["2024-05-16T07:10:00Z", "2024-05-16T07:11:00Z"]},
   "geometry": {"type": "LineString", "coordinates": [[13.38, 52.52], [13.39, 52.53]]}},
  {"type": "Feature", "properties": {"timestamp": 1715844000},
   "geometry": {"type": "Point", "coordinates": [13.40, 52.54]}},
  {"type": "Feature", "properties": {"name": "no time"},
   "geometry": {"type": "Point", "coordinates": [13.41, 52.55]}},
  {"type": "Feature", "properties": {},
   "geometry": {"type": "LineString", "coordinates": [[13.4, 52.5], [13.5, 52.6]]}},
  {"type": "Feature", "properties": {"time": "2024-05-16T08:00:00Z"},
   "geometry": {"type": "Polygon", "coordinates": [[[13.4, 52.5], [13.5, 52.6], [13.4, 52.6], [13.4, 52.5]]]}}
]}
"""

OWNTRACKS = (
    b'2024-05-17T06:00:00Z\t*                 \t{"_type":"location","tid":"ph","lat":41.3851,"lon":2.1734,'
    b'"tst":1715925600,"acc":12,"alt":20,"vel":36,"cog":90}\n'
    b'2024-05-17T06:01:00Z\t*                 \t{"_type":"location","lat":41.3861,"lon":2.1744,"tst":1715925660}\n'
    b'2024-05-17T06:02:00Z\tlwt               \t{"_type":"lwt","tst":1715925720}\n'
    b'2024-05-17T06:03:00Z\t*                 \t{"_type":"location","lat":41.39,"lon":2.18,"tst":17159'
)

CSV = (
    b"\xef\xbb\xbftime,latitude,longitude,accuracy,elevation,note\r\n"
    b"2024-05-18T09:00:00Z,40.4168,-3.7038,5,650,start\r\n"
    b"1716023100,40.4178,-3.7048,,,epoch seconds\r\n"
    b"2024-05-18T09:10:00+02:00,40.4188,-3.7058,7,,offset\r\n"
    b"not a time,40.4198,-3.7068,,,bad\r\n"
    b"\r\n"
)
