"""The Gmail mbox parser on mboxes of ours: headers in every encoding, bodies, chats,
attachments past the buffering bound, a file cut inside its last message."""

import datetime as dt
import io
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sources.detect import Head
from sources.mail import mbox
from sources.mail.detect import detect
from sources.mail.parsers import TRUNCATED_MESSAGE, header_text, parse_mbox
from sources.mail.records import MailMessage
from sources.records import Checkpoint, Rejection
from tests.sources.mail import fixtures as f

REPO = Path(__file__).resolve().parents[3]


def parse(data: bytes) -> list:
    return [item for item in parse_mbox(io.BytesIO(data)) if not isinstance(item, Checkpoint)]


def test_a_real_shaped_mbox_gives_every_message_decoded():
    items = parse(f.mbox(f.PLAIN_ALTERNATIVE, f.RAW_UTF8, f.HTML_ONLY, f.CHAT_1, f.CHAT_2))

    assert [type(item) for item in items] == [MailMessage] * 5
    first, utf8, html, chat, reply = items
    assert (first.sent_at, first.utc_offset_minutes) == (dt.datetime(2023, 10, 14, 17, 18, 56, tzinfo=dt.UTC), 120)
    # RFC 2047: Q in the sender, B and Q words joined (the space between words goes) in the subject.
    assert first.sender == "Renée Dupont <Renee@Example.ORG>" and first.sender_address == "renee@example.org"
    assert first.subject == "Café à midi demain"
    assert (first.recipients, first.cc, first.message_id, first.thread_id) == (
        "Alice <alice@example.org>", "bob@example.org", "first@example.org", "1780133326917537410")
    # multipart/alternative: the text/plain part, quoted-printable decoded and soft line breaks joined.
    assert first.body == "On se retrouve au café à midi, près de la gare de Lyon. Une ligne coupée."
    assert first.labels == "Inbox,Opened,Category Updates"
    assert first.label_meanings == ["inbox", "opened", "category_updates"]
    assert first.attachments == [] and not first.is_chat
    # Raw 8-bit UTF-8 headers, no mojibake; a quoted label holding a comma stays one label.
    assert (utf8.sender, utf8.recipients, utf8.subject) == (
        "Zoë Ünal <zoe@example.org>", "Jürgen <j@example.de>", "Grüße aus Köln — ça va ?")
    assert (utf8.sent_at, utf8.utc_offset_minutes) == (dt.datetime(2023, 10, 15, 12, tzinfo=dt.UTC), -240)
    assert utf8.labels == 'Envoyés,Ouvert,"Projets, 2023"' and utf8.label_meanings == ["sent", "opened"]
    # HTML only (windows-1252, quoted-printable): its visible text; style, title and script left out.
    assert html.body == "Les soldes débutent \nPrix réduits & livraison offerte"
    assert html.label_meanings == ["inbox", "unread", "important"]
    # Chats have no Message-ID: each keyed on its own headers, both kept.
    assert (chat.message_id, chat.is_chat, chat.body, chat.subject) == ("", True, "Salut, tu es là ?", "")
    assert chat.message_key != reply.message_key and reply.sender_address == "alice@example.org"


def test_keys_are_stable_and_a_chat_key_ignores_its_labels():
    once = parse(f.mbox(f.PLAIN_ALTERNATIVE, f.CHAT_1))
    relabelled = parse(f.mbox(f.PLAIN_ALTERNATIVE, f.CHAT_1.replace(b"Chat,Archived", b"Chat,Archived,Starred")))

    assert [m.message_key for m in once] == [m.message_key for m in relabelled]
    assert relabelled[1].label_meanings == ["chat", "archived", "starred"]


@pytest.mark.parametrize(("raw", "text"), [
    ("=?ISO-8859-1?Q?Andr=E9?= Pirard", "André Pirard"),
    ("=?iso-2022-jp?B?GyRCRnxLXDhsGyhC?=", "日本語"),
    ("=?windows-1252?Q?=80_100?=", "€ 100"),
    ("=?utf-8?b?w6k=?=\r\n =?utf-8?b?w6k=?=", "éé"),
    ("=?x-unknown?Q?caf=E9?=", "caf\ufffd"),
    ("=?utf-8?B?not base64?=", "=?utf-8?B?not base64?="),
    ("Caf\udce9 cr\udce8me", "Café crème"),  # raw 8-bit windows-1252, as the parser hands it on
])
def test_header_text_decodes_every_encoding_without_mojibake(raw, text):
    assert header_text(raw) == text


def test_legacy_8bit_headers_follow_the_message_charset():
    latin = (f.SEPARATOR + "Message-ID: <l@x>\r\nDate: Thu, 19 Oct 2023 10:00:00 +0000\r\n"
             "Subject: Réunion à Zürich\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nD\xe9j\xe0 vu\r\n")
    [message] = parse(latin.encode("latin-1"))

    assert (message.subject, message.body) == ("Réunion à Zürich", "Déjà vu")


def test_a_truncated_last_message_is_refused_and_the_rest_kept():
    for cut in (f.PLAIN_ALTERNATIVE[:-300], f.PLAIN_ALTERNATIVE[:200], f.RAW_UTF8[:-12]):
        items = parse(f.mbox(f.RAW_UTF8, f.HTML_ONLY, cut))

        assert [type(item) for item in items] == [MailMessage, MailMessage, Rejection]
        assert items[2].reason == TRUNCATED_MESSAGE and "ends inside the last message" in items[2].detail
        assert "X-GM-THRID" in items[2].sample


def test_bad_messages_are_refused_one_by_one():
    no_date = f.SEPARATOR.replace("Sat Oct 14 17:18:56 +0000 2023", "no date here") + "Subject: x\r\n\r\nhi\r\n"
    bad_date = f.message("Message-ID: <d@x>\nDate: someday\nSubject: y", "body\n",
                         separator="From 1@xxx Mon Jan 01 00:00:00 +0000 1900\r\n")
    junk = b"not a mailbox line\r\n\r\n"
    items = parse(junk + f.RAW_UTF8 + bad_date + f.HTML_ONLY)

    assert [(type(i).__name__, getattr(i, "reason", "")) for i in items] == [
        ("Rejection", "malformed_record"), ("MailMessage", ""), ("Rejection", "timestamp_implausible"),
        ("MailMessage", "")]
    # A "From " line without a date is body text, not a separator: the first message keeps it.
    [only] = parse(f.RAW_UTF8 + no_date.encode())
    assert only.subject == "Grüße aus Köln — ça va ?"


def test_a_line_starting_with_from_inside_a_body_does_not_split_the_message():
    body = "Hello\n\nFrom the team, with love\nFrom 12@xxx Mon Jan 01 00:00:00 +0000 2024 is quoted\n"
    quoted = f.message("Message-ID: <q@x>\nDate: Thu, 19 Oct 2023 10:00:00 +0000\nSubject: q", body)
    [message] = parse(quoted)

    assert "From the team" in message.body


def test_attachments_are_listed_with_name_type_and_size():
    [message] = parse(f.with_attachment(100_000))

    assert message.attachments == [{"name": "rapport annuel.pdf", "type": "application/pdf", "size": 100_000},
                                   {"name": "after.png", "type": "image/png", "size": 8}]
    assert (message.body, message.clipped) == ("See the report attached.", False)


def test_a_message_past_the_bound_keeps_its_headers_text_and_attachment_list():
    items = parse(f.mbox(f.with_attachment(mbox.MAX_MESSAGE * 2), f.RAW_UTF8))

    big, after = items
    assert big.clipped and big.subject == "The annual report" and big.body == "See the report attached."
    assert big.attachments == [{"name": "rapport annuel.pdf", "type": "application/pdf",
                                "size": mbox.MAX_MESSAGE * 2},
                               {"name": "after.png", "type": "image/png", "size": 8}]
    assert after.subject == "Grüße aus Köln — ça va ?"


def test_a_50_mb_attachment_keeps_memory_flat(tmp_path):
    """Parsed in a fresh process reading a file: peak RSS must not follow the attachment's size."""
    path = tmp_path / "big.mbox"
    head, tail = f.attachment_envelope("huge.bin")
    line = b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n"  # 57 bytes
    lines = 50 * 1024 * 1024 // 57 + 1
    with path.open("wb") as out:
        out.write(head)
        for _ in range(lines // 1000):
            out.write(line * 1000)
        out.write(line * (lines % 1000))
        out.write(tail + f.RAW_UTF8)
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent (pytest) across exec.
    script = textwrap.dedent(f"""
        import re, sys
        sys.path.insert(0, {str(REPO)!r})
        from sources.mail.parsers import parse_mbox

        def status(key):
            return int(re.search(key + r":\\s+(\\d+)", open("/proc/self/status").read()).group(1)) // 1024

        before = status("VmRSS")
        with open({str(path)!r}, "rb") as stream:
            items = [item for item in parse_mbox(stream) if type(item).__name__ != "Checkpoint"]
        print(len(items), items[0].attachments[0]["size"], items[0].clipped, status("VmHWM") - before)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()

    assert out[:3] == ["2", str(lines * 57), "True"]
    # The file is 72 MB of base64 (50 MB decoded); holding it would cost more than that. A message is
    # buffered up to 4 MiB, and parsing those bytes costs a few copies of them: that is the bound.
    assert int(out[-1]) < 45, out


def parse_mbox_records(stream) -> list:
    return [item for item in parse_mbox(stream) if not isinstance(item, Checkpoint)]


def test_a_checkpoint_follows_each_message_at_the_next_separator_and_restarting_there_gives_the_rest():
    data = f.mbox(f.PLAIN_ALTERNATIVE, f.RAW_UTF8, f.HTML_ONLY, f.CHAT_1, f.CHAT_2)
    items = list(parse_mbox(io.BytesIO(data)))
    offsets = [item.offset for item in items if isinstance(item, Checkpoint)]

    assert len(offsets) == 4 and all(data[offset:].startswith(b"From ") for offset in offsets)
    # Each checkpoint comes after the record of the message before it, never before.
    assert [type(item).__name__ for item in items[:2]] == ["MailMessage", "Checkpoint"]
    whole = [item for item in items if not isinstance(item, Checkpoint)]
    for number, offset in enumerate(offsets, start=1):
        assert parse(data[offset:]) == whole[number:]


def test_the_stream_is_read_in_bounded_chunks():
    class Recording(io.BytesIO):
        sizes: list = []

        def read(self, size=-1):
            self.sizes.append(size)
            return super().read(size)

    stream = Recording(f.mbox(f.RAW_UTF8, f.HTML_ONLY))
    assert len(parse_mbox_records(stream)) == 2
    assert set(stream.sizes) == {mbox.CHUNK}


@pytest.mark.parametrize(("name", "head", "expected"), [
    ("Takeout/Mail/All mail Including Spam and Trash.mbox",
     b"From 1789@xxx Mon Jan 01 00:00:00 +0000 2024\r\nX-GM-THRID: 1789\r\n", "mail.mbox"),
    ("Takeout/E-Mail/Alle E-Mails einschlie\u00dflich Spam und Papierkorb.mbox", f.RAW_UTF8, "mail.mbox"),
    ("Takeout/Courrier/Tous les messages, y compris ceux du dossier Spam et de la corbeille.mbox", f.CHAT_1,
     "mail.mbox"),
    ("notes.txt", b"From my desk, a note.\nNothing else.\n", None),
    ("notes.txt", b"From 1789@xxx Mon Jan 01 00:00:00 +0000 2024\nThis is no header\n", None),
    ("x.mbox", b"From 1789@xxx Mon Jan 01 00:00:00 +0000 2024\r\nX-Unknown: 1\r\n", None),
    ("x.json", b'{"From ": 1}', None),
])
def test_detection_is_by_content(name, head, expected):
    assert detect(Head(name, head)) == expected


def test_hostile_messages_are_refused_or_bounded_and_the_next_one_kept():
    controls = f.message("Message-ID: <c@x>\nDate: Thu, 19 Oct 2023 10:00:00 +0000\n"
                         "Subject: nul\x00 and\x07 bell <script>alert(1)</script>", "text\x00 body\n")
    huge_headers = f.message("Message-ID: <h@x>\nDate: Thu, 19 Oct 2023 10:00:00 +0000\n" +
                             "".join(f"X-Filler-{n}: {'y' * 900}\n" for n in range(400)), "body\n")
    many_parts = f.message('Message-ID: <p@x>\nDate: Thu, 19 Oct 2023 10:00:00 +0000\nSubject: parts\n'
                           'Content-Type: multipart/mixed; boundary="m"',
                           "".join(f'--m\nContent-Type: application/x-{n}\nContent-Disposition: attachment; '
                                   f'filename="f{n}.bin"\n\nabc\n' for n in range(300)) + "--m--\n")
    long_subject = f.message("Message-ID: <s@x>\nDate: Thu, 19 Oct 2023 10:00:00 +0000\nSubject: " + "w" * 50_000,
                             "x\n")
    items = parse(f.mbox(controls, huge_headers, many_parts, long_subject, f.RAW_UTF8))

    first, refused, parts, long_one, last = items
    assert (first.subject, first.body) == ("nul and bell <script>alert(1)</script>", "text body")
    assert refused.reason == "malformed_record" and "headers exceed" in refused.detail
    assert len(parts.attachments) == 100 and parts.attachments[0] == {"name": "f0.bin", "type": "application/x-0",
                                                                       "size": 3}
    assert len(long_one.subject) == 1_000
    assert last.subject == "Grüße aus Köln — ça va ?"


def test_an_8bit_attachment_without_line_ends_past_the_bound_is_listed():
    head, tail = f.attachment_envelope("raw.bin")
    head = head.replace(b"Content-Transfer-Encoding: base64", b"Content-Transfer-Encoding: binary")
    blob = b"\xff\xd8" + b"\x00\x01\x02" * (3 * mbox.MAX_MESSAGE)
    [message, after] = parse(head + blob + b"\r\n" + tail + f.RAW_UTF8)

    assert message.clipped and message.attachments[0] == {"name": "raw.bin", "type": "application/pdf",
                                                          "size": len(blob)}
    assert after.subject == "Grüße aus Köln — ça va ?"


def test_the_header_memo_stays_bounded_over_many_distinct_headers():
    from sources.mail import parsers

    messages = [f.message(f"Message-ID: <n{n}@x>\nDate: Thu, 19 Oct 2023 10:00:00 +0000\nSubject: s{n}\n"
                          f"Content-Type: text/plain; charset=utf-8; x-n={n}\nX-Long: {'z' * 600}", "b\n")
                for n in range(5_000)]
    items = parse(f.mbox(*messages))

    assert len(items) == 5_000 and items[-1].subject == "s4999"
    assert 0 < len(parsers._HEADERS) <= parsers._MAX_HEADERS_MEMO
    assert max(len(value) for _name, value in parsers._HEADERS) <= parsers._MEMO_VALUE_CHARS
