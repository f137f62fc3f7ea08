"""Real-shaped Gmail mbox messages, written from the documented Takeout shape.

Gmail's separator is "From <message number>@xxx <asctime with offset>"; each
message carries X-GM-THRID and X-Gmail-Labels; chat messages have no
Message-ID. Lines end in CRLF inside messages as Gmail writes them.
"""

import base64

SEPARATOR = "From 1780133326917537410@xxx Sat Oct 14 17:18:56 +0000 2023\r\n"


def message(headers: str, body: str, separator: str = SEPARATOR) -> bytes:
    text = headers.strip("\n").replace("\n", "\r\n") + "\r\n\r\n" + body.replace("\n", "\r\n")
    return (separator + text + "\r\n").encode("utf-8")


PLAIN_ALTERNATIVE = message("""X-GM-THRID: 1780133326917537410
X-Gmail-Labels: Inbox,Opened,Category Updates
Delivered-To: alice@example.org
Message-ID: <first@example.org>
Date: Sat, 14 Oct 2023 19:18:56 +0200
From: =?UTF-8?Q?Ren=C3=A9e_Dupont?= <Renee@Example.ORG>
To: Alice <alice@example.org>
Cc: bob@example.org
Subject: =?UTF-8?B?Q2Fmw6kgw6AgbWlkaQ==?= =?UTF-8?Q?_demain?=
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="alt1"
""", """--alt1
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

On se retrouve au caf=C3=A9 =C3=A0 midi, pr=C3=A8s de la gare de Lyon. Une lign=
e coup=C3=A9e.
--alt1
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

<p>On se retrouve au caf=C3=A9</p>
--alt1--
""")

RAW_UTF8 = message("""X-GM-THRID: 1780133326917537411
X-Gmail-Labels: Envoyés,Ouvert,"Projets, 2023"
Message-ID: <second@example.org>
Date: Sun, 15 Oct 2023 08:00:00 -0400
From: Zoë Ünal <zoe@example.org>
To: Jürgen <j@example.de>
Subject: Grüße aus Köln — ça va ?
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit
""", "Schöne Grüße aus Köln.\n")

HTML_ONLY = message("""X-GM-THRID: 1780133326917537412
X-Gmail-Labels: Inbox,Non lus,Important
Message-ID: <third@example.org>
Date: Mon, 16 Oct 2023 10:30:00 +0000
From: Newsletter <news@shop.example>
To: alice@example.org
Subject: Soldes
Content-Type: text/html; charset=windows-1252
Content-Transfer-Encoding: quoted-printable
""", """<html><head><style>p {color: red}</style><title>hidden title</title></head><body>
<p>Les soldes d=E9butent</p><img src=3D"https://tracker.example/pixel.gif"><script>alert(1)</script>
<div>Prix r=E9duits &amp; livraison offerte</div></body></html>
""")


def chat(text: str, when: str, sender: str = "Bob <bob@example.org>") -> bytes:
    return message(f"""X-GM-THRID: 1780133326917539999
X-Gmail-Labels: Chat,Archived
From: {sender}
Date: {when}
Content-Type: text/plain; charset=UTF-8
""", text + "\n")


CHAT_1 = chat("Salut, tu es là ?", "Tue, 17 Oct 2023 21:00:01 +0200")
CHAT_2 = chat("Oui, j'arrive", "Tue, 17 Oct 2023 21:00:30 +0200", "Alice <alice@example.org>")


def with_attachment(size: int, name: str = "rapport annuel.pdf") -> bytes:
    """A mail with a base64 attachment of `size` bytes, written without building it whole in memory by callers
    that use `attachment_lines` instead."""
    head, tail = attachment_envelope(name)
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    return head + base64.encodebytes(data).replace(b"\n", b"\r\n") + tail


def attachment_envelope(name: str = "rapport annuel.pdf") -> tuple[bytes, bytes]:
    head = message("""X-GM-THRID: 1780133326917537413
X-Gmail-Labels: Inbox,Opened
Message-ID: <big@example.org>
Date: Wed, 18 Oct 2023 09:00:00 +0100
From: Carol <carol@example.org>
To: alice@example.org
Subject: The annual report
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="mix1"
""", f"""--mix1
Content-Type: text/plain; charset=UTF-8

See the report attached.
--mix1
Content-Type: application/pdf; name="{name}"
Content-Disposition: attachment; filename="{name}"
Content-Transfer-Encoding: base64

""")[:-2]
    tail = b"--mix1\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"after.png\"\r\n" \
           b"Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--mix1--\r\n\r\n"
    return head, tail


def mbox(*messages: bytes) -> bytes:
    return b"".join(messages)
