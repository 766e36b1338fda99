"""A deterministic mixed corpus, the mail of a desk's bad day (issue 10):

- new requests with all four details (name, company, call-back number in the signature),
  in five languages (English, German, French, Spanish, Dutch);
- replies to earlier mails of the corpus, quoting them (In-Reply-To and References set);
- HTML-only mail;
- 10% with a 200 KB attachment;
- auto-replies (out of office, `Auto-Submitted: auto-replied`).

The same `count` and `seed` give the same bytes on every run and machine.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

WORDS = [
    "printer",
    "projector",
    "login",
    "password",
    "laptop",
    "screen",
    "network",
    "wifi",
    "email",
    "outlook",
    "teams",
    "classroom",
    "lesson",
    "board",
    "sound",
    "keyboard",
    "mouse",
    "license",
    "install",
    "update",
    "error",
    "slow",
    "broken",
]

# greeting, first line of the request, sign-off, job title, call-back number as written there
LANGUAGES = {
    "en": ("Hello,", "The {0} in room {1} is not working since this morning.", "Thanks,",
           "Office Manager", "Tel: 01527 359 999"),
    "de": ("Guten Tag,", "Der {0} in Raum {1} funktioniert seit heute Morgen nicht.",
           "Mit freundlichen Grüßen", "Sekretariat", "Tel.: +49 30 1234 5678"),
    "fr": ("Bonjour,", "Le {0} de la salle {1} ne fonctionne plus depuis ce matin.",
           "Cordialement,", "Secrétaire de direction", "Tél : +33 1 42 68 53 00"),
    "es": ("Hola,", "El {0} del aula {1} no funciona desde esta mañana.", "Saludos,",
           "Administrativa", "Tel.: +34 912 345 678"),
    "nl": ("Goedemorgen,", "De {0} in lokaal {1} werkt sinds vanochtend niet meer.",
           "Met vriendelijke groet,", "Conciërge", "Tel: +31 20 123 4567"),
}
SCHOOLS = 13
FIRST_NAMES = ["Jane", "Tom", "Aisha", "Lukas", "Claire", "Diego", "Sanne", "Priya", "Owen",
               "Marta", "Hugo", "Fatima", "Pieter", "Chloe", "Javier", "Anke", "Rhys", "Elena",
               "Nadia", "Bram"]
LAST_NAMES = ["Doe", "Becker", "Martin", "Garcia", "de Vries", "Patel", "Jones", "Dubois",
              "Fischer", "Lopez", "Jansen", "Evans", "Moreau", "Schmidt", "Ruiz", "Bakker",
              "Hughes", "Laurent", "Wagner", "Smits"]
SCHOOL_NAMES = ["Hillside Academy", "St Mary's Primary School", "Gymnasium am Park",
                "Lycée Victor Hugo", "Colegio San José", "Het Baken", "Oakwood High School",
                "Grundschule Lindenhof", "École Jean Moulin", "Instituto Cervantes Norte",
                "De Regenboog", "Riverside College", "Greenfield Infant School"]


def person(n: int) -> str:
    return f"{FIRST_NAMES[n % 20]} {LAST_NAMES[n // 20 % 20]}"


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _request_body(rng: random.Random, n: int, language: str) -> str:
    greeting, first, sign_off, title, phone = LANGUAGES[language]
    lines = [first.format(rng.choice(WORDS), 10 + n % 40)]
    lines += [_words(rng, 12) for _ in range(rng.randint(1, 8))]
    return (f"{greeting}\n\n" + "\n".join(lines) + f"\n\n{sign_off}\n{person(n % 97)}\n"
            f"{title}\n{SCHOOL_NAMES[n % SCHOOLS]}\n{phone}\n")


def make_corpus(count: int, seed: int = 7) -> list[bytes]:
    rng = random.Random(seed)
    start = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    mails: list[bytes] = []
    requests: list[tuple[int, str, str]] = []  # (n, subject, body) of the requests so far
    subject, quoted = "", ""
    languages = list(LANGUAGES)
    for n in range(count):
        message = EmailMessage()
        kind = n % 20
        if kind in (5, 15) and requests:  # a reply to an earlier request, by its requester
            first, subject, quoted = requests[rng.randrange(len(requests))]
        else:
            first = n
        name = person(first % 97)
        address = f"{name.lower().replace(' ', '.')}@school{first % SCHOOLS}.example"
        message["From"] = f"{name} <{address}>"
        message["To"] = "support@desk.example"
        message["Date"] = format_datetime(start + timedelta(seconds=n))
        message["Message-ID"] = f"<bench-{seed}-{n}@school.example>"
        if first != n:  # a reply quoting the request: 10%
            message["Subject"] = f"Re: {subject}"
            message["In-Reply-To"] = f"<bench-{seed}-{first}@school.example>"
            message["References"] = f"<bench-{seed}-{first}@school.example>"
            reply = f"{_words(rng, 10).capitalize()}.\n\n{name}\n"
            when = format_datetime(start + timedelta(seconds=first))
            message.set_content(reply + f"\nOn {when}, {name} wrote:\n"
                                + "".join(f"> {line}\n" for line in quoted.splitlines()))
        elif kind == 9:  # an out-of-office auto-reply: 5%
            message["Subject"] = f"Automatic reply: {_words(rng, 3)}"
            message["Auto-Submitted"] = "auto-replied"
            message.set_content("I am out of the office until Monday and will have no access "
                                "to email.\n")
        else:
            language = languages[n % len(languages)]
            subject = f"{_words(rng, 4).capitalize()} ({n})"
            body = _request_body(rng, n, language)
            message["Subject"] = subject
            requests.append((n, subject, body))
            if n % 10 == 3:  # HTML only: 10%
                html = "<html><body><p>" + body.replace("\n", "<br>") + "</p></body></html>"
                message.set_content(html, subtype="html")
            else:
                message.set_content(body)
                if n % 10 == 0:  # a 200 KB attachment: 10%
                    message.add_attachment(
                        rng.randbytes(200 * 1024),
                        maintype="application",
                        subtype="pdf",
                        filename=f"report-{n}.pdf",
                    )
        mails.append(message.as_bytes())
    return mails
