"""Name pools per locale and the reserved domains that synthetic addresses use (never real mailboxes)."""

from __future__ import annotations

FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
        "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Chris", "Karen",
        "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Sandra", "Mark", "Ashley", "Steven", "Emily",
        "Andrew", "Michelle", "Josh", "Amanda", "Kevin", "Melissa", "Brian", "Rebecca", "Priya", "Wei",
        "Aisha", "Omar", "Hannah", "Liam", "Olivia", "Noah", "Emma", "Ava", "Ethan", "Sofia",
    ),
    "de": (
        "Lukas", "Anna", "Jonas", "Lea", "Felix", "Marie", "Maximilian", "Sophie", "Paul", "Laura",
        "Jan", "Katharina", "Tobias", "Julia", "Stefan", "Sabine", "Jürgen", "Ulrike", "Matthias", "Jörg",
    ),
    "fr": (
        "Camille", "Louis", "Chloé", "Hugo", "Léa", "Gabriel", "Manon", "Arthur", "Inès", "Jules",
        "Élodie", "Thomas", "Margaux", "Antoine", "Céline", "Mathieu", "Amélie", "Nicolas", "Zoé", "Rémi",
    ),
    "es": (
        "Lucía", "Hugo", "Martina", "Mateo", "Paula", "Daniel", "Sofía", "Alejandro", "Valeria", "Pablo",
        "Carmen", "Javier", "Elena", "Diego", "Marta", "Álvaro", "Nuria", "Sergio", "Irene", "Andrés",
    ),
    "pt": (
        "João", "Maria", "Pedro", "Ana", "Lucas", "Beatriz", "Gabriel", "Mariana", "Rafael", "Juliana",
        "Tiago", "Carolina", "Miguel", "Larissa", "Bruno", "Fernanda", "Gustavo", "Camila", "André", "Rita",
    ),
}
LAST_NAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Wilson", "Anderson",
        "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark", "Lewis",
        "Walker", "Hall", "Allen", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams",
        "Nelson", "Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Patel", "Chen", "Nguyen", "Kim",
        "O'Brien", "Murphy", "Kelly", "Singh", "Khan", "Cohen", "Rossi", "Evans", "Turner", "Parker",
    ),
    "de": (
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
        "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
    ),
    "fr": (
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
        "Simon", "Laurent", "Lefèvre", "Michel", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Bonnet",
    ),
    "es": (
        "García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín",
        "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Navarro", "Torres",
    ),
    "pt": (
        "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes",
        "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Barbosa",
    ),
}
COMPANY_WORDS: tuple[str, ...] = (
    "northwind", "globex", "initech", "umbrella", "hooli", "vandelay", "stark", "wayne", "wonka", "tyrell",
    "cyberdyne", "soylent", "gringotts", "oscorp", "aperture", "blackmesa", "duff", "monarch", "dunder",
    "pawnee", "bluth", "prestige", "sterling", "pied-piper", "massive-dynamic", "acme-labs", "contoso",
    "fabrikam", "tailspin", "litware", "adventure-works", "proseware", "woodgrove", "lucerne", "alpine",
    "fourth-coffee", "wide-world", "coho", "margies", "trey", "blue-yonder", "humongous", "graphic-design",
    "southridge", "consolidated", "fineart", "wingtip", "relecloud", "datum", "lamna",
)
# RFC 2606 / RFC 6761 reserved names only: mail to them can never reach a real person.
PERSONAL_DOMAINS: tuple[str, ...] = ("example.com", "example.org", "example.net", "mail.example.com")
COMPANY_TLDS: tuple[str, ...] = (".test", ".example", ".example.com")

LOCALES: tuple[str, ...] = ("en", "de", "fr", "es", "pt")
LOCALE_SHARE: tuple[float, ...] = (0.76, 0.09, 0.07, 0.05, 0.03)
# Whole-hour UTC offsets customers of each locale live in (weights in the second tuple).
UTC_OFFSETS: dict[str, tuple[tuple[int, ...], tuple[float, ...]]] = {
    "en": ((-8, -7, -6, -5, 0, 1, 10), (0.17, 0.05, 0.14, 0.30, 0.20, 0.04, 0.10)),
    "de": ((1,), (1.0,)),
    "fr": ((1, -5), (0.9, 0.1)),
    "es": ((1, -6, -3), (0.6, 0.25, 0.15)),
    "pt": ((-3, 0), (0.7, 0.3)),
}

_ASCII = str.maketrans({
    "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e", "ê": "e", "ë": "e", "á": "a", "à": "a",
    "â": "a", "ã": "a", "í": "i", "ï": "i", "ó": "o", "ô": "o", "õ": "o", "ú": "u", "ç": "c", "ñ": "n",
    "Á": "a", "É": "e", "Ä": "ae", "Ö": "oe", "Ü": "ue", "Ó": "o", "'": "",
})


def ascii_slug(text: str) -> str:
    """Lower-case ASCII form of a name part, fit for the local part of an address."""
    return text.lower().translate(_ASCII).replace(" ", "")
